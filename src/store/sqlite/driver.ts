/**
 * node:sqlite driver (WAL). node:sqlite is synchronous: a statement runs to completion when
 * called, prepared statements are cached by their text, and a transaction holds the connection
 * from BEGIN IMMEDIATE to COMMIT. Because the store's code awaits between the statements of a
 * transaction, other callers could run in between; the driver therefore queues statements and
 * transactions of other callers until the open transaction ends (as a pool of one connection
 * would), so nothing joins or sees a transaction it does not belong to.
 *
 * Group commit (issue #15, {@link GroupCommit}): one BEGIN IMMEDIATE that the following
 * transactions join as savepoints, and plain statements directly, until commitGroup().
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { TxmonError } from '../../domain/errors.ts';
import { compileNamed } from '../placeholders.ts';
import { bindStatement, compileFor, type Compiled, type Driver, type GroupCommit, type Params, type Row, type Session, type TransactionOptions } from '../driver.ts';
import { sqliteDialect } from './dialect.ts';
import { Checkpointer } from './checkpointer.ts';

export type SqliteSynchronous = 'normal' | 'full';

/** What node:sqlite binds. */
type Value = string | number | null;

/** Prepared statements kept at most (named queries and filter combinations are few; a bound). */
const MAX_CACHED = 1000;

export class SqliteDriver implements Driver, GroupCommit {
  readonly dialect = sqliteDialect;
  readonly namespace = null;
  readonly path: string;
  readonly db: DatabaseSync;
  readonly groups: GroupCommit = this;
  private readonly compiled = new Map<string, Compiled>();
  private readonly prepared = new Map<string, StatementSync>();
  /** A group transaction is open (beginGroup): transactions join it as savepoints. */
  private groupOpen = false;
  /** A transaction holds the connection; other callers wait for their {@link turn}. */
  private busy = false;
  private waiters: Array<() => void> = [];
  /** Statements of the transaction in progress: they run at once, never queued. */
  private readonly direct: Session = {
    all: async (sql, params) => this.allNow(sql, params),
    get: async (sql, params) => this.getNow(sql, params),
    run: async (sql, params) => this.runNow(sql, params),
    exec: async (script) => this.db.exec(script),
  };

  /**
   * `synchronous` in WAL mode (docs/operations.md): `normal` (default) syncs at checkpoints, so a
   * power loss may lose the last commits (a process crash loses nothing); `full` syncs the WAL at
   * every commit, so an acknowledged request survives a power loss too, at a cost in commits/s.
   */
  constructor(path: string, opts: { synchronous?: SqliteSynchronous } = {}) {
    this.path = path;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    try {
      this.db = new DatabaseSync(path);
    } catch (err) {
      throw new TxmonError('TXMON_ERR_STORE', `cannot open SQLite database "${path}": ${(err as Error).message}`);
    }
    const sync = opts.synchronous === 'full' ? 'FULL' : 'NORMAL';
    this.db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${sync}; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;`);
    // A file's WAL is checkpointed on a thread of its own, not inside the commits (checkpointer.ts).
    if (path !== ':memory:') this.checkpointer = new Checkpointer(this.db, path);
  }

  /** The WAL checkpoint thread of a file database (null in memory). */
  readonly checkpointer: Checkpointer | null = null;

  /** The prepared statement(s) for a named statement and its parameters, each with its runs' values. */
  private statements(sql: string, params: Params = {}): Array<{ stmt: StatementSync; runs: ReadonlyArray<readonly unknown[]> }> {
    let c = this.compiled.get(sql);
    if (!c) {
      if (this.compiled.size >= MAX_CACHED) this.compiled.clear();
      this.compiled.set(sql, (c = compileFor(compileNamed(sql), this.dialect)));
    }
    return bindStatement(c, params).map(({ text, runs }) => {
      let stmt = this.prepared.get(text);
      if (!stmt) {
        if (this.prepared.size >= MAX_CACHED) this.prepared.clear();
        this.prepared.set(text, (stmt = this.db.prepare(text)));
      }
      return { stmt, runs };
    });
  }

  private allNow(sql: string, params?: Params): Row[] {
    const bound = this.statements(sql, params);
    if (bound.length === 1 && bound[0].runs.length === 1) return bound[0].stmt.all(...(bound[0].runs[0] as Value[])) as Row[];
    const out: Row[] = [];
    for (const { stmt, runs } of bound) for (const values of runs) for (const r of stmt.all(...(values as Value[])) as Row[]) out.push(r);
    return out;
  }

  private getNow(sql: string, params?: Params): Row | undefined {
    const [first] = this.statements(sql, params);
    return first ? (first.stmt.get(...(first.runs[0] as Value[])) as Row | undefined) : undefined;
  }

  private runNow(sql: string, params?: Params): number {
    let changes = 0;
    for (const { stmt, runs } of this.statements(sql, params)) for (const values of runs) changes += Number(stmt.run(...(values as Value[])).changes);
    return changes;
  }

  async all(sql: string, params?: Params): Promise<Row[]> {
    while (this.busy) await this.turn();
    return this.allNow(sql, params);
  }

  async get(sql: string, params?: Params): Promise<Row | undefined> {
    while (this.busy) await this.turn();
    return this.getNow(sql, params);
  }

  async run(sql: string, params?: Params): Promise<number> {
    while (this.busy) await this.turn();
    return this.runNow(sql, params);
  }

  async exec(script: string): Promise<void> {
    while (this.busy) await this.turn();
    this.db.exec(script);
  }

  /**
   * Holds the connection for `fn`: inside a group a savepoint, else BEGIN IMMEDIATE … COMMIT;
   * read-only: PRAGMA query_only, which refuses any write while it runs. Other callers'
   * statements and transactions wait until it ends.
   */
  async transaction<T>(fn: (tx: Session) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
    // The check and the claim happen in one microtask, so two waiters never both get through.
    while (this.busy) await this.turn();
    this.busy = true;
    try {
      if (opts.readOnly) {
        this.db.exec('PRAGMA query_only = ON');
        try {
          return await fn(this.direct);
        } finally {
          this.db.exec('PRAGMA query_only = OFF');
        }
      }
      if (this.groupOpen) {
        this.db.exec('SAVEPOINT write');
        try {
          const result = await fn(this.direct);
          this.db.exec('RELEASE write');
          return result;
        } catch (err) {
          this.db.exec('ROLLBACK TO write');
          this.db.exec('RELEASE write');
          throw err;
        }
      }
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.direct);
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.db.isTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    } finally {
      this.busy = false;
      const waiting = this.waiters;
      this.waiters = [];
      for (const wake of waiting) wake();
    }
  }

  /** Resolves when the transaction in progress ends (the caller then checks `busy` again). */
  private turn(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * Opens one transaction that the following writes (transactions, and any other statement on
   * this connection) join until commitGroup(). Each transaction stays atomic on its own (a
   * savepoint inside the group). The engine opens a group for the ingest requests of one
   * event-loop turn and answers them only after commitGroup().
   */
  async beginGroup(): Promise<void> {
    while (this.busy) await this.turn();
    if (this.groupOpen) return;
    this.db.exec('BEGIN IMMEDIATE');
    this.groupOpen = true;
  }

  async commitGroup(): Promise<void> {
    while (this.busy) await this.turn();
    if (!this.groupOpen) return;
    this.groupOpen = false;
    try {
      this.db.exec('COMMIT');
    } catch (err) {
      try { if (this.db.isTransaction) this.db.exec('ROLLBACK'); } catch { /* the connection is gone */ }
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.checkpointer?.stop();
    if (this.db.isOpen && this.groupOpen) await this.commitGroup();
    if (this.db.isOpen) this.db.close();
  }
}
