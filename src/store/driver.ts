/**
 * The layer under the one SQL store (src/store/sqlStore.ts): a small driver interface each
 * database implements (`all`, `get`, `run`, `exec`, `transaction`), and the dialect record that
 * holds what really differs between the databases' SQL. Statements are written once with `:name`
 * parameters; {@link bindStatement} turns them into the dialect's positional form.
 *
 * Adding a database = a driver (sqlite/driver.ts, postgres/driver.ts), a dialect record
 * (sqlite/dialect.ts, postgres/dialect.ts) and a migrations folder (migrations/<name>/): see
 * docs/store.md.
 */
import type { NamedStatement } from './placeholders.ts';
import { TxmonError } from '../domain/errors.ts';

export type Row = Record<string, unknown>;
export type Params = Readonly<Record<string, unknown>>;

/** What statements run on: the driver itself, or the connection of an open transaction. */
export interface Session {
  all(sql: string, params?: Params): Promise<Row[]>;
  get(sql: string, params?: Params): Promise<Row | undefined>;
  /** Runs a writing statement; resolves to the number of rows it changed. */
  run(sql: string, params?: Params): Promise<number>;
  /** Runs a script of statements without parameters (migrations). */
  exec(script: string): Promise<void>;
}

export interface TransactionOptions {
  /** The database refuses every write while the transaction runs (named queries). */
  readOnly?: boolean;
  /** What the transaction does, for error messages ("writeBatch"). */
  label?: string;
  /**
   * The caller does not read what `run` resolves to (writeBatch's counts, saveEvaluation): inside
   * a deferred group (PostgreSQL) its writes are kept and sent with the group's commit, and `run`
   * resolves to -1. Reads inside it still answer, after what the group kept before them.
   */
  deferrable?: boolean;
}

/**
 * Group commit (issue #15): `beginGroup` opens one transaction that the following writes join
 * until `commitGroup`. SQLite: every statement on the connection joins (each transaction atomic
 * on its own, as a savepoint). PostgreSQL (`deferred`): deferrable transactions join, their
 * writes sent in one round trip at the commit (src/store/postgres/group.ts).
 */
export interface GroupCommit {
  /**
   * Statements outside the group's transactions do not see its writes before `commitGroup`
   * (PostgreSQL): whoever reads what it wrote must commit the group first.
   */
  readonly deferred?: boolean;
  beginGroup(): Promise<void>;
  /** Commits the open group (no-op when none); on failure it is rolled back and the error thrown. */
  commitGroup(): Promise<void>;
}

export interface Driver extends Session {
  readonly dialect: Dialect;
  /** The schema this store lives in (PostgreSQL `?schema=`), or null. */
  readonly namespace: string | null;
  /**
   * Runs `fn` in one transaction; commits when it resolves, rolls back when it throws. Statements
   * outside `fn`'s session never see its writes before the commit, nor run inside it.
   */
  transaction<T>(fn: (tx: Session) => Promise<T>, opts?: TransactionOptions): Promise<T>;
  /** Present when the driver can group writes of several callers into one commit. */
  readonly groups?: GroupCommit;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Bulk rows

/** Column types as the store writes them; each dialect names its SQL type. */
export type ColumnType = 'integer' | 'real' | 'text';

/** The columns of a bulk insert, in the order of the INSERT's column list. */
export interface RowShape {
  readonly columns: readonly string[];
  readonly types: readonly ColumnType[];
  /** "scope, minute, status": the column list to write after INSERT INTO table. */
  readonly list: string;
}

export function rowShape(columns: Record<string, ColumnType>): RowShape {
  return { columns: Object.keys(columns), types: Object.values(columns), list: Object.keys(columns).join(', ') };
}

/**
 * Many rows bound as one parameter, written where an INSERT takes its rows:
 * `INSERT INTO t (a, b) :rows ON CONFLICT …`. The dialect renders it (SQLite: multi-row VALUES;
 * PostgreSQL: `unnest` of one array per column, one statement whatever the size). A statement
 * takes at most one.
 */
export class Rows {
  readonly shape: RowShape;
  readonly rows: ReadonlyArray<readonly unknown[]>;
  constructor(shape: RowShape, rows: ReadonlyArray<readonly unknown[]>) {
    this.shape = shape;
    this.rows = rows;
  }
}

// ---------------------------------------------------------------------------------------------
// Dialect record

/** What differs between databases' SQL; everything else is written once in the store. */
export interface Dialect {
  readonly name: 'sqlite' | 'postgres';
  /** `anonymous`: one `?` per occurrence (SQLite); `numbered`: `$n` per distinct name (PostgreSQL). */
  readonly placeholders: 'anonymous' | 'numbered';
  /** SQL type of each column type: the CASTs of named queries, the arrays of bulk rows. */
  readonly types: Readonly<Record<ColumnType, string>>;
  /** `n` rows of `shape` as the row source of an INSERT, its placeholders numbered from `first` (0-based). */
  rows(shape: RowShape, n: number, first: number): string;
  /** Appends the values of rows `from` to `to` (exclusive) in the order `rows` binds them. */
  rowValues(rows: Rows['rows'], shape: RowShape, from: number, to: number, out: unknown[]): void;
  /**
   * Most rows one statement takes, for plain inserts and for upserts (ON CONFLICT DO UPDATE);
   * bigger sets are split. SQLite writes a statement journal (a temporary file) for a multi-row
   * upsert, which costs more than running one prepared single-row statement per row.
   */
  readonly maxRowsPerStatement: { readonly insert: number; readonly upsert: number };
  /** `ON CONFLICT (keys) DO UPDATE SET …`: each column replaced by the new row's value or added to. */
  upsert(table: string, keys: readonly string[], set: Readonly<Record<string, 'replace' | 'add'>>): string;
  /**
   * An upsert statement may update a row only once (PostgreSQL): rows repeating a key are merged
   * before. SQLite applies a statement's rows one by one, so a later row simply wins.
   */
  readonly upsertOncePerStatement: boolean;
  /** `ON CONFLICT (keys) DO NOTHING`. */
  insertIgnore(keys: readonly string[]): string;
  /** Appended to ORDER BY text columns: byte order, as SQLite's default (PostgreSQL: COLLATE "C"). */
  readonly byteOrder: string;
  /**
   * Row locks of claimDue's subquery over `outbox o` (PostgreSQL: FOR UPDATE OF o SKIP LOCKED, so
   * workers of several processes never lease the same row; SQLite has one writer: none).
   */
  readonly skipLocked: string;
  /**
   * Serialises migrations of concurrent starts inside the migration's transaction (PostgreSQL: a
   * transaction advisory lock per schema, and the schema created; SQLite: BEGIN IMMEDIATE already
   * holds the write lock).
   */
  lockMigrations(tx: Session, namespace: string | null): Promise<void>;
}

/** ON CONFLICT forms of SQLite and PostgreSQL (identical there; another database may differ). */
export function onConflictUpdate(table: string, keys: readonly string[], set: Readonly<Record<string, 'replace' | 'add'>>): string {
  const sets = Object.entries(set).map(([c, how]) => (how === 'add' ? `${c} = ${table}.${c} + excluded.${c}` : `${c} = excluded.${c}`));
  return `ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${sets.join(', ')}`;
}

export function onConflictIgnore(keys: readonly string[]): string {
  return `ON CONFLICT (${keys.join(', ')}) DO NOTHING`;
}

// ---------------------------------------------------------------------------------------------
// Binding

/** A statement in the dialect's positional form, run once per list of values (in order). */
export interface Bound {
  text: string;
  runs: ReadonlyArray<readonly unknown[]>;
}

/** A named statement prepared for one dialect: the text is fixed unless a {@link Rows} is bound. */
export interface Compiled extends NamedStatement {
  dialect: Dialect;
  /** Positional slot of each placeholder occurrence: index into the distinct names (numbered). */
  slots: number[];
  /** Distinct names in order of first use. */
  distinct: string[];
  /** Does the statement update rows on conflict (an upsert)? */
  upsert: boolean;
  /** Positional text when no parameter is a Rows (computed on first use). */
  text?: string;
  /** Positional text per number of rows, when one is (computed on first use). */
  rowsTexts?: Map<number, string>;
}

export function compileFor(named: NamedStatement, dialect: Dialect): Compiled {
  const distinct: string[] = [];
  const slots = named.names.map((n) => {
    const k = distinct.indexOf(n);
    return k < 0 ? distinct.push(n) - 1 : k;
  });
  return { ...named, dialect, slots, distinct, upsert: /\bDO\s+UPDATE\b/i.test(named.texts.join(' ')) };
}

function missing(name: string): TxmonError {
  return new TxmonError('TXMON_ERR_BAD_PARAMETER', `no value for SQL parameter :${name}`, { field: name });
}

/**
 * The positional statement(s) for `params`: one, or several when a {@link Rows} holds more rows
 * than the dialect takes per statement (the caller runs them in one transaction and concatenates
 * their results; an empty Rows gives none). Chunk sizes are powers of two below the maximum, so a
 * driver that caches prepared statements by text keeps a handful per statement, not one per row
 * count.
 */
export function bindStatement(c: Compiled, params: Params): Bound[] {
  let rowsAt = -1;
  for (let i = 0; i < c.distinct.length; i++) {
    const v = params[c.distinct[i]];
    if (v === undefined && !Object.hasOwn(params, c.distinct[i])) throw missing(c.distinct[i]);
    if (v instanceof Rows) rowsAt = i;
  }
  if (rowsAt < 0) return [{ text: (c.text ??= render(c, -1, null, 0)), runs: [scalarValues(c, params)] }];
  const all = params[c.distinct[rowsAt]] as Rows;
  const total = all.rows.length;
  const max = c.upsert ? c.dialect.maxRowsPerStatement.upsert : c.dialect.maxRowsPerStatement.insert;
  const texts = (c.rowsTexts ??= new Map());
  if (max === 1 && total > 0) {
    // One row per statement: one text, run once per row; a row is its own value list when the
    // statement has no other parameter (the hot path of SQLite's upserts: nothing copied).
    let text = texts.get(1);
    if (text === undefined) texts.set(1, (text = render(c, rowsAt, all.shape, 1)));
    const runs = c.names.length === 1 ? all.rows : all.rows.map((_, i) => valuesWithRows(c, params, rowsAt, all, i, i + 1));
    return [{ text, runs }];
  }
  const out: Bound[] = [];
  for (let i = 0; i < total;) {
    const left = total - i;
    const n = left >= max ? max : Number.isFinite(max) ? 2 ** Math.floor(Math.log2(left)) : left;
    let text = texts.get(n);
    if (text === undefined) texts.set(n, (text = render(c, rowsAt, all.shape, n)));
    out.push({ text, runs: [valuesWithRows(c, params, rowsAt, all, i, i + n)] });
    i += n;
  }
  return out;
}

function scalarValues(c: Compiled, params: Params): unknown[] {
  if (c.dialect.placeholders === 'numbered') return c.distinct.map((n) => params[n]);
  return c.names.map((n) => params[n]);
}

/** Values in placeholder order, rows `from` to `to` of the Rows in its place. */
function valuesWithRows(c: Compiled, params: Params, rowsAt: number, rows: Rows, from: number, to: number): unknown[] {
  const out: unknown[] = [];
  const order = c.dialect.placeholders === 'numbered' ? c.distinct.map((_, k) => k) : c.slots;
  for (const k of order) {
    if (k === rowsAt) c.dialect.rowValues(rows.rows, rows.shape, from, to, out);
    else out.push(params[c.distinct[k]]);
  }
  return out;
}

/** Positional text of a compiled statement, with `n` rows of `shape` in the Rows' place if any. */
function render(c: Compiled, rowsAt: number, shape: RowShape | null, n: number): string {
  const { dialect } = c;
  let text = c.texts[0];
  if (dialect.placeholders === 'anonymous') {
    for (let i = 0; i < c.names.length; i++) {
      text += c.slots[i] === rowsAt ? dialect.rows(shape!, n, 0) : '?';
      text += c.texts[i + 1];
    }
    return text;
  }
  // Numbered: each distinct name gets its number(s) once, in order of first use.
  const firstNumber: number[] = [];
  let next = 0;
  for (let k = 0; k < c.distinct.length; k++) {
    firstNumber.push(next);
    next += k === rowsAt ? shape!.columns.length : 1;
  }
  for (let i = 0; i < c.names.length; i++) {
    const k = c.slots[i];
    text += k === rowsAt ? dialect.rows(shape!, n, firstNumber[k]) : `$${firstNumber[k] + 1}`;
    text += c.texts[i + 1];
  }
  return text;
}
