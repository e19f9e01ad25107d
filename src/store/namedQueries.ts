/**
 * Named queries: the analyst-facing SQL of txmon. Each query is one readable `.sql` file in
 * src/store/queries/ whose header comment says what it answers and declares its parameters:
 *
 * ```sql
 * -- name: failed_spikes
 * --
 * -- What it answers: which minutes had a failed count far above their rolling baseline?
 * --
 * -- Parameters:
 * --   :from       time     default=-24h             first minute of the range (inclusive)
 * --   :window     integer  default=60 range=5..1440 baseline length in minutes
 * --   :source     text                              required (no default)
 * ```
 *
 * Parameter types: `time` (ISO-8601 or epoch seconds → epoch minute; defaults `latest` = one
 * minute after the newest minute of data, or `-24h` / `-7d` / `-90m` = relative to `:to`),
 * `integer`, `number`, `text` (alias `string`) and `enum` (`values=a|b|c`). Attributes
 * `default=`, `range=lo..hi`, `values=` come before the description.
 *
 * The SQL names its parameters `:name`; {@link bindQuery} wraps each in a CAST to its declared
 * type for the dialect (node:sqlite binds every JS number as REAL, PostgreSQL cannot infer the
 * type of `$1 - $2`), and {@link namedToPositional} turns `:name` into `$n` for PostgreSQL.
 * Values are always bound, never spliced into the SQL text.
 *
 * Output conventions: columns named `minute` or ending in `_minute` hold epoch minutes and
 * columns ending in `_at` epoch milliseconds; {@link runNamedQuery} returns them as ISO-8601.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { TxmonError } from '../domain/errors.ts';
import { minuteToIso, parseTimestamp, toMinute } from '../domain/time.ts';
import type { QueryStore } from './store.ts';
import { placeholderNames, rewritePlaceholders } from './placeholders.ts';
import type { ColumnType } from './driver.ts';
import { DIALECTS } from './dialects.ts';

/** The scanner lives in placeholders.ts (the stores use it too); re-exported for the query tools. */
export { namedToPositional, placeholderNames, rewritePlaceholders } from './placeholders.ts';

export type Dialect = 'sqlite' | 'postgres';
export type ParamType = 'time' | 'integer' | 'number' | 'text' | 'enum';

/** One declared parameter of a named query. */
export interface QueryParam {
  name: string;
  type: ParamType;
  /** Default as written in the header (`latest`, `-24h`, `60`, `all`); undefined = required. */
  default?: string;
  /** Inclusive bounds for integer and number parameters. */
  min?: number;
  max?: number;
  /** Allowed values of an enum parameter. */
  values?: string[];
  description: string;
}

/** A parsed `.sql` file. */
export interface NamedQuery {
  name: string;
  /** First sentence of the header: what the query answers. */
  summary: string;
  /** The whole header text (without the parameter list). */
  description: string;
  params: QueryParam[];
  /** The SQL exactly as in the file (header comment included). */
  sql: string;
  /** File name, e.g. "failed_spikes.sql". */
  file: string;
}

/** Resolved parameter values: epoch minutes for `time`, numbers, strings. */
export type QueryValues = Record<string, string | number>;

/** What {@link runNamedQuery} returns. */
export interface QueryResult {
  query: string;
  /** Parameter values used, times as ISO-8601. */
  params: Record<string, string | number>;
  columns: string[];
  rows: Array<Record<string, unknown>>;
}

/** Raw parameter input, as it comes from the CLI or a query string. */
export type QueryInput = Record<string, string | number | undefined>;

export interface RunOptions {
  /** Time zone for naive timestamps in time parameters (default UTC). */
  timeZone?: string;
  /** Epoch ms used for `latest` when the store holds no data (default: the wall clock). */
  now?: number;
  /** Keep epoch minutes / ms as numbers instead of ISO strings. */
  rawTimes?: boolean;
}

const QUERY_DIR = new URL('./queries/', import.meta.url);
const TYPE_ALIASES: Record<string, ParamType> = {
  time: 'time', timestamp: 'time', integer: 'integer', int: 'integer', bigint: 'integer',
  number: 'number', real: 'number', double: 'number', text: 'text', string: 'text', enum: 'enum',
};
const MAX_TEXT = 200;
/** Longest range a time-range query may cover, in minutes (400 days). */
export const MAX_RANGE_MINUTES = 400 * 1440;

const bad = (message: string, field?: string, expected?: string, got?: unknown) =>
  new TxmonError('TXMON_ERR_BAD_PARAMETER', message, { field, expected, got });

// ---------------------------------------------------------------------------------------------
// Header parsing

/** Parses one `.sql` file. Throws TXMON_ERR_CONFIG when the header and the SQL disagree. */
export function parseNamedQuery(name: string, text: string, file = `${name}.sql`): NamedQuery {
  const fail = (msg: string) => new TxmonError('TXMON_ERR_CONFIG', `named query ${file}: ${msg}`);
  const header: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.startsWith('--')) break;
    header.push(line.replace(/^--\s?/, ''));
  }
  const params: QueryParam[] = [];
  const prose: string[] = [];
  let inParams = false;
  for (const line of header) {
    if (/^name:/i.test(line.trim())) continue;
    if (/^parameters:\s*$/i.test(line.trim())) { inParams = true; continue; }
    const p = /^\s+:([A-Za-z_][A-Za-z0-9_]*)\s+([A-Za-z]+)\b\s*(.*)$/.exec(line);
    if (inParams && p) {
      params.push(parseParamLine(p[1], p[2], p[3], fail));
      continue;
    }
    if (inParams && /^\s{3,}\S/.test(line) && params.length > 0) {
      // Continuation of the previous parameter's description.
      params[params.length - 1].description += ' ' + line.trim();
      continue;
    }
    inParams = false;
    prose.push(line);
  }
  const description = prose.join('\n').replace(/\n{3,}/g, '\n\n').trim();
  const flat = description.replace(/^what it answers:\s*/i, '').replace(/\s+/g, ' ');
  const sentence = /^(.+?[.?!])(\s|$)/.exec(flat);
  const summary = sentence ? sentence[1] : flat;
  if (summary === '') throw fail('the header comment must say what the query answers');

  const used = placeholderNames(text);
  const declared = params.map((p) => p.name);
  for (const u of used) if (!declared.includes(u)) throw fail(`uses :${u} but its header declares no such parameter (declared: ${declared.join(', ') || 'none'})`);
  for (const d of declared) if (!used.includes(d)) throw fail(`declares :${d} but the SQL never uses it`);
  if (new Set(declared).size !== declared.length) throw fail('declares a parameter twice');
  return { name, summary, description, params, sql: text, file };
}

function parseParamLine(name: string, typeWord: string, rest: string, fail: (m: string) => TxmonError): QueryParam {
  const type = TYPE_ALIASES[typeWord.toLowerCase()];
  if (!type) throw fail(`parameter :${name} has unknown type "${typeWord}" (expected time, integer, number, text or enum)`);
  const param: QueryParam = { name, type, description: '' };
  let tail = rest.trim();
  for (;;) {
    const m = /^(default|range|values)=(\S+)\s*/.exec(tail);
    if (!m) break;
    tail = tail.slice(m[0].length);
    if (m[1] === 'default') param.default = m[2];
    else if (m[1] === 'values') param.values = m[2].split('|');
    else {
      const r = /^(-?\d+(?:\.\d+)?)?\.\.(-?\d+(?:\.\d+)?)?$/.exec(m[2]);
      if (!r) throw fail(`parameter :${name} has a bad range "${m[2]}" (expected lo..hi)`);
      if (r[1] !== undefined) param.min = Number(r[1]);
      if (r[2] !== undefined) param.max = Number(r[2]);
    }
  }
  param.description = tail;
  if (type === 'enum' && !param.values?.length) throw fail(`enum parameter :${name} needs values=a|b|c`);
  if (param.default !== undefined && type !== 'time') {
    // Defaults must themselves be valid values.
    try {
      coerceValue(param, param.default);
    } catch (err) {
      throw fail(`default of :${name} is invalid: ${(err as Error).message}`);
    }
  }
  if (type === 'time' && param.default !== undefined && param.default !== 'latest' && !/^-\d+[mhd]$/.test(param.default)) {
    throw fail(`time parameter :${name} has default "${param.default}": expected latest or -<n>m|h|d`);
  }
  return param;
}

// ---------------------------------------------------------------------------------------------
// Catalogue

let cache: Map<string, NamedQuery> | null = null;

/** Loads every `.sql` file of a directory (default src/store/queries/), sorted by name. */
export function loadNamedQueries(dir: URL = QUERY_DIR): Map<string, NamedQuery> {
  const out = new Map<string, NamedQuery>();
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.sql')).sort()) {
    const name = f.slice(0, -4);
    out.set(name, parseNamedQuery(name, readFileSync(new URL(f, dir), 'utf8'), f));
  }
  return out;
}

function catalogue(): Map<string, NamedQuery> {
  cache ??= loadNamedQueries();
  return cache;
}

/** All named queries, sorted by name. */
export function listNamedQueries(): NamedQuery[] {
  return [...catalogue().values()];
}

/** One named query; TXMON_ERR_NOT_FOUND (404) listing the available names when unknown. */
export function getNamedQuery(name: string): NamedQuery {
  const q = catalogue().get(name);
  if (!q) {
    throw new TxmonError('TXMON_ERR_NOT_FOUND', `no named query "${name}"; available: ${[...catalogue().keys()].join(', ')}`, {
      field: 'name', expected: [...catalogue().keys()].join('|'), got: name,
    });
  }
  return q;
}

// ---------------------------------------------------------------------------------------------
// Parameters

function coerceValue(p: QueryParam, raw: string | number, timeZone = 'UTC'): string | number {
  const got = raw;
  switch (p.type) {
    case 'time': {
      const ms = parseTimestamp(raw, timeZone);
      if (ms === null) throw bad(`parameter "${p.name}" must be an ISO-8601 timestamp (e.g. 2025-07-12T13:45:00Z) or epoch seconds, got ${JSON.stringify(got)}`, p.name, 'ISO-8601 timestamp or epoch seconds', got);
      return toMinute(ms);
    }
    case 'integer':
    case 'number': {
      const text = String(raw).trim();
      const ok = p.type === 'integer' ? /^-?\d+$/.test(text) : /^-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text);
      const n = Number(text);
      const range = p.min !== undefined || p.max !== undefined ? ` from ${p.min ?? '-∞'} to ${p.max ?? '∞'}` : '';
      const what = `${p.type === 'integer' ? 'an integer' : 'a number'}${range}`;
      if (!ok || !Number.isFinite(n) || (p.type === 'integer' && !Number.isSafeInteger(n)) ||
          (p.min !== undefined && n < p.min) || (p.max !== undefined && n > p.max)) {
        throw bad(`parameter "${p.name}" must be ${what}, got ${JSON.stringify(got)}`, p.name, what, got);
      }
      return n;
    }
    case 'enum': {
      const s = String(raw);
      if (!p.values!.includes(s)) throw bad(`parameter "${p.name}" must be one of ${p.values!.join(', ')}, got ${JSON.stringify(got)}`, p.name, p.values!.join('|'), got);
      return s;
    }
    case 'text': {
      const s = String(raw);
      if (s.length === 0 || s.length > MAX_TEXT) throw bad(`parameter "${p.name}" must be a text of 1 to ${MAX_TEXT} characters, got ${JSON.stringify(s.slice(0, 60))}${s.length > 60 ? '…' : ''}`, p.name, `text of 1..${MAX_TEXT} characters`, s.slice(0, 60));
      return s;
    }
  }
}

export interface ResolveContext {
  /** Newest epoch minute with data, or null for an empty store (for `latest`). */
  latestMinute: number | null;
  /** Epoch ms standing in for `latest` when the store is empty. */
  now: number;
  timeZone?: string;
}

/**
 * Validates raw input against a query's declared parameters and fills in defaults.
 * Rejects undeclared names, missing required values, bad types, out-of-range numbers, and
 * `from` ≥ `to`. Pure.
 */
export function resolveParams(query: NamedQuery, input: QueryInput, ctx: ResolveContext): QueryValues {
  const declared = new Set(query.params.map((p) => p.name));
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined) continue;
    if (!declared.has(k)) {
      throw bad(`query "${query.name}" has no parameter "${k}"; its parameters are: ${[...declared].join(', ') || 'none'}`, k, [...declared].join('|'), k);
    }
  }
  const values: QueryValues = {};
  const latest = (ctx.latestMinute ?? toMinute(ctx.now)) + 1;
  // Absolute values first, then relative time defaults (which refer to :to).
  const relative: QueryParam[] = [];
  for (const p of query.params) {
    const raw = input[p.name];
    if (raw !== undefined && raw !== '') values[p.name] = coerceValue(p, raw, ctx.timeZone);
    else if (p.default === undefined) throw bad(`query "${query.name}" needs parameter "${p.name}" (${p.type}): ${p.description}`, p.name, p.type, undefined);
    else if (p.type === 'time' && p.default === 'latest') values[p.name] = latest;
    else if (p.type === 'time') relative.push(p);
    else values[p.name] = coerceValue(p, p.default);
  }
  for (const p of relative) {
    const m = /^-(\d+)([mhd])$/.exec(p.default!)!;
    const span = Number(m[1]) * (m[2] === 'd' ? 1440 : m[2] === 'h' ? 60 : 1);
    const anchor = typeof values.to === 'number' ? values.to : latest;
    values[p.name] = anchor - span;
  }
  if (typeof values.from === 'number' && typeof values.to === 'number') {
    if (values.from >= values.to) {
      throw bad(`parameter "from" (${minuteToIso(values.from)}) must be before "to" (${minuteToIso(values.to)})`, 'from', 'a time before "to"', minuteToIso(values.from));
    }
    if (values.to - values.from > MAX_RANGE_MINUTES) {
      throw bad(`the range from "from" to "to" must be at most ${MAX_RANGE_MINUTES / 1440} days, got ${((values.to - values.from) / 1440).toFixed(1)}`, 'to', `at most ${MAX_RANGE_MINUTES / 1440} days after from`);
    }
  }
  return values;
}

// ---------------------------------------------------------------------------------------------
// Binding and running

/** Each parameter type as a column type; the dialect record names its SQL type (the CAST target). */
const COLUMN_TYPES: Record<ParamType, ColumnType> = { time: 'integer', integer: 'integer', number: 'real', text: 'text', enum: 'text' };

/**
 * The SQL and values to hand to `Store.runQuery` for a dialect: every `:name` becomes
 * `CAST(:name AS <type>)`, so both dialects see typed values (see the module comment).
 */
export function bindQuery(query: NamedQuery, dialect: Dialect, values: QueryValues): { sql: string; params: Record<string, string | number> } {
  const types = new Map(query.params.map((p) => [p.name, p.type]));
  const sqlTypes = DIALECTS[dialect].types;
  const sql = rewritePlaceholders(query.sql, (name) => `CAST(:${name} AS ${sqlTypes[COLUMN_TYPES[types.get(name)!]]})`);
  const params: Record<string, string | number> = {};
  for (const p of query.params) params[p.name] = values[p.name];
  return { sql, params };
}

/** Is this column an epoch minute (→ ISO) or epoch ms (→ ISO) by the naming convention? */
export function timeColumnKind(column: string): 'minute' | 'ms' | null {
  if (column === 'minute' || column.endsWith('_minute')) return 'minute';
  if (column.endsWith('_at')) return 'ms';
  return null;
}

/** Numbers as numbers (bigint / numeric strings from drivers are normalised by the stores). */
function normaliseRow(row: Record<string, unknown>, rawTimes: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    const kind = rawTimes ? null : timeColumnKind(k);
    if (kind && typeof v === 'number') out[k] = kind === 'minute' ? minuteToIso(v) : new Date(v).toISOString();
    else out[k] = typeof v === 'bigint' ? Number(v) : v;
  }
  return out;
}

/** Newest minute with data in the store (any scope), or null when empty. */
export async function latestDataMinute(store: QueryStore): Promise<number | null> {
  const rows = await store.runQuery('SELECT MAX(minute) AS m FROM minute_counts', {});
  const m = rows[0]?.m;
  return m === null || m === undefined ? null : Number(m);
}

/**
 * Runs a named query on a store: validates and defaults the parameters, binds them for the
 * store's dialect, and returns the rows (time columns as ISO-8601 unless `rawTimes`).
 *
 * @throws TxmonError TXMON_ERR_NOT_FOUND for an unknown name, TXMON_ERR_BAD_PARAMETER for bad input
 */
export async function runNamedQuery(store: QueryStore, name: string, input: QueryInput = {}, opts: RunOptions = {}): Promise<QueryResult> {
  const query = getNamedQuery(name);
  const needsLatest = query.params.some((p) => p.type === 'time' && p.default !== undefined && (input[p.name] === undefined || input[p.name] === ''));
  const latestMinute = needsLatest ? await latestDataMinute(store) : null;
  const values = resolveParams(query, input, { latestMinute, now: opts.now ?? Date.now(), timeZone: opts.timeZone });
  const { sql, params } = bindQuery(query, store.dialect, values);
  const rows = (await store.runQuery(sql, params)).map((r) => normaliseRow(r, opts.rawTimes ?? false));
  const shownParams: Record<string, string | number> = {};
  for (const p of query.params) shownParams[p.name] = p.type === 'time' && !opts.rawTimes ? minuteToIso(values[p.name] as number) : values[p.name];
  return { query: name, params: shownParams, columns: rows.length > 0 ? Object.keys(rows[0]) : [], rows };
}

// ---------------------------------------------------------------------------------------------
// Output formats

export const OUTPUT_FORMATS = ['table', 'csv', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

function cellText(v: unknown, forTable: boolean): string {
  if (v === null || v === undefined) return forTable ? 'NULL' : '';
  if (typeof v === 'number' && forTable && !Number.isInteger(v)) return String(Number(v.toFixed(4)));
  return String(v);
}

/**
 * One CSV cell. Text starting with `=`, `+`, `-`, `@`, tab or CR would run as a formula when the
 * file is opened in a spreadsheet (a scope named `=HYPERLINK(…)`): it gets a leading `'`. Numbers
 * (`-3.5`) stay numbers.
 */
export function csvCell(text: string, isNumber = false): string {
  if (!isNumber && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Renders rows as an aligned text table (floats to 4 decimals, NULL shown), CSV or JSON. */
export function formatRows(columns: string[], rows: Array<Record<string, unknown>>, format: OutputFormat): string {
  if (format === 'json') return JSON.stringify(rows, null, 2) + '\n';
  if (format === 'csv') {
    const lines = [columns.map((c) => csvCell(c)).join(',')];
    for (const r of rows) lines.push(columns.map((c) => csvCell(cellText(r[c], false), typeof r[c] === 'number' || typeof r[c] === 'bigint')).join(','));
    return columns.length ? lines.join('\n') + '\n' : '';
  }
  if (rows.length === 0) return '(0 rows)\n';
  const cells = rows.map((r) => columns.map((c) => cellText(r[c], true)));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const numeric = columns.map((c) => rows.every((r) => r[c] === null || typeof r[c] === 'number'));
  const pad = (s: string, i: number) => (numeric[i] ? s.padStart(widths[i]) : s.padEnd(widths[i]));
  const out = [columns.map(pad).join(' | '), widths.map((w) => '-'.repeat(w)).join('-|-')];
  for (const row of cells) out.push(row.map(pad).join(' | ').trimEnd());
  out.push(`(${rows.length} row${rows.length === 1 ? '' : 's'})`);
  return out.join('\n') + '\n';
}
