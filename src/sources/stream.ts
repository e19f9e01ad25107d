/**
 * Streaming file source: reads a counts / auth-code / raw-transactions file in chunks and hands out
 * one group of rows per minute, in time order, without ever holding the file — the way the
 * backtest reads tens of millions of rows in flat memory.
 *
 * It means exactly what the ingest parsers mean (src/ingest/*): the same header aliases
 * (`time` → timestamp, `f0_` → count), the same column checks, the same field validators (each
 * distinct status / scope / timestamp text is validated once and remembered, counts take a digit
 * fast path that falls back to `countField`), the same duplicate rule, and the same zero-fill:
 *
 * - a counts CSV is a complete record of the minutes it covers: a status the scope reports
 *   elsewhere but not in a minute the scope is present in counts 0 in that minute;
 * - an export (`time` column) also fills every minute between the first and last with zeros.
 *
 * Two orders:
 * - `stream` (default): rows must come in time order (minute non-decreasing; rows of one minute
 *   may come in any order). A minute is handed out as soon as a later minute starts. Memory is
 *   flat. Differences from the whole-file parser, both only at the start of a file: a status first
 *   seen at minute m is not zero-filled into the minutes before m (the detectors read an absent
 *   status as 0 anyway), and an export's scope that stops early is zero-filled to the end.
 *   A row older than the current minute throws {@link NotInTimeOrderError}.
 * - `buffer`: any row order (e.g. the real export, sorted by status then time). Rows are grouped
 *   in memory and handed out sorted at the end of the file: memory grows with the rows; the
 *   zero-fill is exactly the whole-file parser's.
 *
 * JSON and NDJSON files are read whole through the ingest parsers (`buffer` order).
 * Raw transactions are folded into per-minute counts here; duplicate ids are recognised within a
 * minute (a transaction repeated with a different minute is not detected when streaming).
 */
import { open, stat } from 'node:fs/promises';
import { TxmonError } from '../domain/errors.ts';
import type { AuthCodeCount, EpochMinute, MinuteBatch, MinuteCount } from '../domain/types.ts';
import { DEFAULT_SCOPE } from '../domain/types.ts';
import { minuteToIso, toMinute } from '../domain/time.ts';
import { splitCsvLine } from '../ingest/csv.ts';
import { csvHeaderOf, requireColumns } from '../ingest/decode.ts';
import { STATUS_COUNT_COLUMNS } from '../ingest/counts.ts';
import { AUTH_CODE_COLUMNS } from '../ingest/authCodes.ts';
import { RAW_COLUMNS, amountField } from '../ingest/raw.ts';
import { MAX_COUNT, countField, labelField, minuteField, optionalLabel, timestampField, type TimeContext } from '../ingest/fields.ts';
import { encodingOfPath, readBatchFile, type FileKind } from './file.ts';

/** Rows a minute group was read from (its counts and auth codes when the reader did not say). */
export const rowsOf = (g: MinuteRows): number => g.fileRows ?? g.counts.length + g.authCodes.length;

/** All rows of one minute (every scope), counts zero-filled. */
export interface MinuteRows {
  minute: EpochMinute;
  counts: MinuteCount[];
  authCodes: AuthCodeCount[];
  /** Rows the file(s) held for this minute, before zero-fill (absent: counts + authCodes). */
  fileRows?: number;
}

export type ReadOrder = 'stream' | 'buffer';

export interface StreamOptions {
  /** YYYY-MM-DD of "HHh MM" times (CSV exports). */
  date?: string;
  /** Zone of naive timestamps (default UTC). */
  timeZone?: string;
  /** Scope of rows that name none (default "all"). */
  scope?: string;
  /** Forces the file kind; by default it is read off the header like `readBatchFile` does. */
  kind?: FileKind;
  /** Default 'stream'. */
  order?: ReadOrder;
  /** Read size in bytes (default 1 MiB). */
  chunkBytes?: number;
  /** Called after each chunk with the bytes read so far. */
  onProgress?: (bytesRead: number) => void;
}

/** A streaming read met a row older than the minute it was reading: read the file with order 'buffer'. */
export class NotInTimeOrderError extends TxmonError {
  readonly path: string;
  constructor(path: string, line: number, minute: EpochMinute, current: EpochMinute) {
    super('TXMON_ERR_BAD_CSV',
      `${path}: line ${line}: minute ${minuteToIso(minute)} comes after ${minuteToIso(current)}; streaming needs rows in time order`,
      { row: line, field: 'timestamp' });
    this.name = 'NotInTimeOrderError';
    this.path = path;
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Checks the options shared by every reader (a bad `--date` fails before any row is read). */
export function checkStreamOptions(opts: StreamOptions): void {
  if (opts.date !== undefined && (!DATE.test(opts.date) || Number.isNaN(Date.parse(opts.date)))) {
    throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `--date must be YYYY-MM-DD, got ${JSON.stringify(opts.date)}`, { field: 'date' });
  }
}

/** Size of a file in bytes, or a TxmonError naming it when it cannot be read. */
export async function fileSize(path: string): Promise<number> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new Error('not a regular file');
    const fh = await open(path, 'r');
    await fh.close();
    return s.size;
  } catch (err) {
    throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `cannot read file "${path}": ${(err as Error).message}`, { field: 'FILE' });
  }
}

/** Minute groups of a file, in time order. */
export async function* readMinutes(path: string, opts: StreamOptions = {}): AsyncGenerator<MinuteRows> {
  checkStreamOptions(opts);
  await fileSize(path);
  if (encodingOfPath(path) !== 'csv') {
    yield* wholeFileMinutes(path, opts);
    return;
  }
  // Bytes are read into a buffer and each run of whole lines is decoded into one flat string (not
  // carry + chunk, a cons string, on which character reads take a slower path). The incomplete
  // last line stays as bytes for the next read; a newline byte never occurs inside a multi-byte
  // UTF-8 character.
  const fh = await open(path, 'r');
  let buf = Buffer.allocUnsafe(Math.max(16, opts.chunkBytes ?? 1 << 20));
  let have = 0;
  let bytesRead = 0;
  let first = true;
  let parser: RowParser | null = null;
  let lineNo = 0;
  // Lines are handed over as (text, start, end) offsets: no substring per line.
  const handle = (text: string, start: number, end: number): void => {
    lineNo++;
    if (end > start && text.charCodeAt(end - 1) === 13) end--;
    if (end === start) return;
    if (text.charCodeAt(start) <= 32 && text.slice(start, end).trim() === '') return;
    if (parser === null) parser = new RowParser(path, text.slice(start, end), lineNo, opts);
    else parser.row(text, start, end, lineNo);
  };
  /** The text of bytes [0, end), without a UTF-8 byte order mark at the start of the file. */
  const decode = (end: number): string => {
    const bom = first && end >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
    first = false;
    return buf.toString('utf8', bom, end);
  };
  try {
    for (;;) {
      // A line longer than the buffer: grow it.
      if (have === buf.length) buf = Buffer.concat([buf], buf.length * 2);
      const { bytesRead: n } = await fh.read(buf, have, buf.length - have, null);
      if (n === 0) break;
      have += n;
      bytesRead += n;
      const lastNewline = buf.lastIndexOf(10, have - 1);
      if (lastNewline === -1) continue;
      const text = decode(lastNewline + 1);
      let start = 0;
      for (;;) {
        const nl = text.indexOf('\n', start);
        if (nl === -1) break;
        handle(text, start, nl);
        start = nl + 1;
      }
      buf.copyWithin(0, lastNewline + 1, have);
      have -= lastNewline + 1;
      opts.onProgress?.(bytesRead);
      const p = parser as RowParser | null;
      if (p !== null && p.ready.length > 0) {
        const out = p.ready;
        p.ready = [];
        yield* out;
      }
    }
    if (have > 0) {
      const text = decode(have);
      handle(text, 0, text.length);
    }
  } catch (err) {
    if (err instanceof TxmonError && !(err instanceof NotInTimeOrderError) && !err.message.startsWith(path)) {
      throw err.prefixed(`${path}: `);
    }
    throw err;
  } finally {
    await fh.close();
  }
  const p = parser as RowParser | null;
  if (p === null) throw new TxmonError('TXMON_ERR_EMPTY_BODY', `${path}: CSV is empty: expected a header line and at least one row`);
  if (p.rows === 0) throw new TxmonError('TXMON_ERR_EMPTY_BODY', `${path}: CSV has a header but no data rows`);
  yield* p.finish();
}

/** Merges two time-ordered minute streams (counts and auth codes) by minute. */
export async function* mergeMinutes(a: AsyncIterable<MinuteRows>, b: AsyncIterable<MinuteRows>): AsyncGenerator<MinuteRows> {
  const ia = a[Symbol.asyncIterator]();
  const ib = b[Symbol.asyncIterator]();
  try {
    yield* mergeSteps(ia, ib);
  } finally {
    // Close both readers (their files) however the merge ends: done, error, or the consumer stopping.
    await Promise.allSettled([ia.return?.(), ib.return?.()]);
  }
}

async function* mergeSteps(ia: AsyncIterator<MinuteRows>, ib: AsyncIterator<MinuteRows>): AsyncGenerator<MinuteRows> {
  let na = await ia.next();
  let nb = await ib.next();
  while (!na.done || !nb.done) {
    if (nb.done || (!na.done && na.value.minute < nb.value.minute)) {
      yield na.value as MinuteRows;
      na = await ia.next();
    } else if (na.done || nb.value.minute < na.value.minute) {
      yield nb.value;
      nb = await ib.next();
    } else {
      const x = na.value;
      const y = nb.value;
      const counts = x.counts.length === 0 ? y.counts : y.counts.length === 0 ? x.counts : x.counts.concat(y.counts);
      const authCodes = x.authCodes.length === 0 ? y.authCodes : y.authCodes.length === 0 ? x.authCodes : x.authCodes.concat(y.authCodes);
      yield { minute: x.minute, counts, authCodes, fileRows: rowsOf(x) + rowsOf(y) };
      na = await ia.next();
      nb = await ib.next();
    }
  }
}

// ---------------------------------------------------------------------------------------------

/** Per-scope state kept across minutes. Keys (statuses, auth codes) are interned as small ids. */
interface ScopeState {
  name: string;
  /** Status ids in order of first appearance (zero-fill), and a mark per id. */
  statuses: number[];
  known: number[];
  firstMinute: EpochMinute;
  lastMinute: EpochMinute;
  /** Stream order: per key id, the serial of the group it was last seen in and on which line. */
  seenStamp: number[];
  seenRow: number[];
  /** Serial of the last group this scope was present in. */
  presentIn: number;
}

/** Rows of one minute being assembled. */
interface Group {
  minute: EpochMinute;
  serial: number;
  counts: MinuteCount[];
  authCodes: AuthCodeCount[];
  /** Scopes present in this minute. */
  present: ScopeState[];
  /** Buffer order: per scope, key ids seen in this minute → line. */
  seen: Map<ScopeState, Map<number, number>> | null;
  /** Raw transactions: id → [status, at, scope], and per-scope tallies. */
  rawIds: Map<string, [string, number, string]> | null;
  rawTally: Map<ScopeState, { counts: Map<string, number>; codes: Map<string, number> }> | null;
}

const CACHE_LIMIT = 10_000;

/** Parses the data lines of one CSV file into minute groups. */
class RowParser {
  ready: MinuteRows[] = [];
  rows = 0;
  private readonly path: string;
  private readonly kind: FileKind;
  private readonly width: number;
  private readonly iTs: number;
  private readonly iKey: number;
  private readonly iCount: number;
  private readonly iScope: number;
  private readonly iId: number;
  private readonly iAuth: number;
  private readonly iAmount: number;
  private readonly headerText: string;
  private readonly exportFill: boolean;
  private readonly buffer: boolean;
  private readonly ctx: TimeContext;
  private readonly defaultScope: string;
  private readonly scopes = new Map<string, ScopeState>();
  private readonly scopeOrder: ScopeState[] = [];
  /** Validated keys by id, and id by validated key. */
  private readonly keyNames: string[] = [];
  private readonly keyIds = new Map<string, number>();
  /** Raw key texts → id: a short table compared in place, then a map. */
  private readonly rawKeys: FieldChars[] = [];
  private readonly rawKeyIds: number[] = [];
  private readonly keyCache = new Map<string, number>();
  private serial = 0;
  private readonly scopeCache = new Map<string, ScopeState>();
  private readonly lastTs = new FieldChars();
  private lastTsMinute = 0;
  private quoteText = '';
  private quotePos = -1;
  private readonly lastScopeRaw = new FieldChars();
  private lastScope: ScopeState | null = null;
  /** Field boundaries of the current line: field i is text(cuts[i] + 1, cuts[i + 1]). */
  private readonly cuts: Int32Array;
  private current: Group | null = null;
  private readonly groups = new Map<EpochMinute, Group>();

  constructor(path: string, headerLine: string, lineNo: number, opts: StreamOptions) {
    this.path = path;
    const raw = splitCsvLine(headerLine, lineNo).map((h) => h.trim().toLowerCase());
    const { header, csvExport } = csvHeaderOf(raw);
    this.kind = opts.kind ?? (header.includes('auth_code') && !header.includes('status') ? 'auth-codes' : header.includes('id') ? 'raw' : 'counts');
    const cols = this.kind === 'counts' ? STATUS_COUNT_COLUMNS : this.kind === 'auth-codes' ? AUTH_CODE_COLUMNS : RAW_COLUMNS;
    requireColumns({ encoding: 'csv', records: [], csvHeader: header }, cols.required, cols.optional, cols.shape);
    this.width = header.length;
    this.cuts = new Int32Array(header.length + 1);
    this.headerText = header.join(',');
    this.iTs = header.indexOf('timestamp');
    this.iKey = header.indexOf(this.kind === 'auth-codes' ? 'auth_code' : 'status');
    this.iCount = header.indexOf('count');
    this.iScope = header.indexOf('scope');
    this.iId = header.indexOf('id');
    this.iAuth = this.kind === 'raw' ? header.indexOf('auth_code') : -1;
    this.iAmount = header.indexOf('amount');
    this.exportFill = this.kind === 'counts' && csvExport;
    this.buffer = opts.order === 'buffer';
    this.ctx = { timeZone: opts.timeZone ?? 'UTC', date: opts.date, now: 0, maxFutureMs: Number.MAX_SAFE_INTEGER, defaultScope: opts.scope };
    this.defaultScope = opts.scope ?? DEFAULT_SCOPE;
  }

  /** Parses the line text[start, end). */
  row(text: string, start: number, end: number, lineNo: number): void {
    const cuts = this.cuts;
    const width = this.width;
    // Fast path (no quotes): field boundaries by comma positions, no array or substring per field.
    // The next quote of this text, searched once per quote (not once per line: that would rescan the chunk).
    if (text !== this.quoteText || (this.quotePos !== -1 && this.quotePos < start)) {
      this.quoteText = text;
      this.quotePos = text.indexOf('"', start);
    }
    const q = this.quotePos;
    let fields: string[] | null = null;
    if (q !== -1 && q < end) {
      fields = splitCsvLine(text.slice(start, end), lineNo);
      if (fields.length !== width) this.widthError(lineNo, fields.length);
    } else {
      cuts[0] = start - 1;
      let n = 1;
      let c = text.indexOf(',', start);
      while (c !== -1 && c < end) {
        if (n < width) cuts[n] = c;
        n++;
        c = text.indexOf(',', c + 1);
      }
      if (n !== width) this.widthError(lineNo, n);
      cuts[width] = end;
    }
    this.rows++;

    let minute: EpochMinute;
    let at = 0;
    if (this.kind === 'raw') {
      at = timestampField(this.field(fields, text, this.iTs), lineNo, 'timestamp', this.ctx);
      minute = toMinute(at);
    } else if (fields === null && this.lastTs.same(text, cuts[this.iTs] + 1, cuts[this.iTs + 1])) {
      // lastTs only ever holds a timestamp that parsed, so an empty field never matches it.
      minute = this.lastTsMinute;
    } else {
      minute = minuteField(this.field(fields, text, this.iTs), lineNo, 'timestamp', this.ctx);
      if (fields === null) this.lastTs.set(text, cuts[this.iTs] + 1, cuts[this.iTs + 1]);
      else this.lastTs.clear();
      this.lastTsMinute = minute;
    }
    let scope: ScopeState;
    if (this.iScope < 0) scope = this.scope(undefined, lineNo);
    else if (fields === null && this.lastScope !== null && this.lastScopeRaw.same(text, cuts[this.iScope] + 1, cuts[this.iScope + 1])) scope = this.lastScope;
    else {
      scope = this.scope(this.field(fields, text, this.iScope), lineNo);
      if (fields === null) this.lastScopeRaw.set(text, cuts[this.iScope] + 1, cuts[this.iScope + 1]);
      else this.lastScopeRaw.clear();
      this.lastScope = scope;
    }
    const group = this.group(minute, lineNo);
    if (this.kind === 'raw') {
      this.rawRow(fields, text, group, scope, at, lineNo);
      return;
    }
    const id = fields !== null ? this.keyOf(fields[this.iKey], lineNo) : this.keyAt(text, cuts[this.iKey] + 1, cuts[this.iKey + 1], lineNo);
    const count = fields !== null ? fastCount(fields[this.iCount], lineNo) : countAt(text, cuts[this.iCount] + 1, cuts[this.iCount + 1], lineNo);
    const earlier = this.see(group, scope, id, lineNo);
    const key = this.keyNames[id];
    if (earlier !== 0) {
      const what = this.kind === 'counts'
        ? `(scope, minute, status) = (${scope.name}, ${minuteToIso(minute)}, ${key}); first given on row ${earlier}`
        : `(scope, minute, auth_code); first given on row ${earlier}`;
      throw new TxmonError('TXMON_ERR_VALIDATION', `row ${lineNo}: duplicate ${what}`, { row: lineNo, field: this.kind === 'counts' ? 'timestamp' : 'auth_code' });
    }
    if (this.kind === 'counts') {
      if (scope.known[id] !== 1) { scope.known[id] = 1; scope.statuses.push(id); }
      group.counts.push({ scope: scope.name, minute, status: key, count });
    } else {
      group.authCodes.push({ scope: scope.name, minute, authCode: key, count });
    }
  }

  private widthError(lineNo: number, got: number): never {
    throw new TxmonError('TXMON_ERR_BAD_CSV', `line ${lineNo}: expected ${this.width} fields (${this.headerText}), got ${got}`, { row: lineNo });
  }

  /** Hands out what is left at the end of the file. */
  finish(): MinuteRows[] {
    const out: MinuteRows[] = [];
    if (this.buffer) {
      const minutes = [...this.groups.keys()].sort((a, b) => a - b);
      let prev: EpochMinute | null = null;
      for (const m of minutes) {
        if (this.exportFill && prev !== null) for (let g = prev + 1; g < m; g++) out.push(this.close(this.newGroup(g)));
        out.push(this.close(this.groups.get(m)!));
        prev = m;
      }
      this.groups.clear();
    } else if (this.current) {
      out.push(this.close(this.current));
      this.current = null;
    }
    return out;
  }

  /**
   * Field i of the line being parsed: from the split fields of a quoted line, else cut out of the
   * text at the comma positions `row` found. A method, not a closure made in `row`: that closure
   * and its context were allocated for every row (≈ 60 bytes a row).
   */
  private field(fields: string[] | null, text: string, i: number): string {
    return fields !== null ? fields[i] : text.slice(this.cuts[i] + 1, this.cuts[i + 1]);
  }

  private rawRow(fields: string[] | null, text: string, group: Group, scope: ScopeState, at: number, lineNo: number): void {
    const field = (i: number): string => this.field(fields, text, i);
    const id = labelField(field(this.iId), lineNo, 'id');
    const statusId = this.keyOf(field(this.iKey), lineNo);
    const status = this.keyNames[statusId];
    let authCode: string | undefined;
    const code = this.iAuth >= 0 ? field(this.iAuth) : '';
    if (code !== '') authCode = labelField(code, lineNo, 'auth_code');
    if (this.iAmount >= 0) amountField(field(this.iAmount), lineNo, true);
    const ids = (group.rawIds ??= new Map());
    const earlier = ids.get(id);
    if (earlier) {
      if (earlier[0] !== status || earlier[1] !== at || earlier[2] !== scope.name) {
        throw new TxmonError('TXMON_ERR_CONFLICT', `row ${lineNo}: transaction id "${id}" appears twice in this request with different content`, { row: lineNo, field: 'id' });
      }
      return;
    }
    ids.set(id, [status, at, scope.name]);
    if (scope.known[statusId] !== 1) { scope.known[statusId] = 1; scope.statuses.push(statusId); }
    const tallies = (group.rawTally ??= new Map());
    let t = tallies.get(scope);
    if (!t) tallies.set(scope, (t = { counts: new Map(), codes: new Map() }));
    t.counts.set(status, (t.counts.get(status) ?? 0) + 1);
    if (authCode !== undefined) t.codes.set(authCode, (t.codes.get(authCode) ?? 0) + 1);
  }

  private scope(value: string | undefined, lineNo: number): ScopeState {
    const text = value === undefined || value === '' ? '' : value;
    let s = this.scopeCache.get(text);
    if (s) return s;
    const name = text === '' ? this.defaultScope : optionalLabel(text, lineNo, 'scope', this.defaultScope);
    s = this.scopes.get(name);
    if (!s) {
      s = { name, statuses: [], known: [], firstMinute: Infinity, lastMinute: -Infinity, seenStamp: [], seenRow: [], presentIn: -1 };
      this.scopes.set(name, s);
      this.scopeOrder.push(s);
    }
    if (this.scopeCache.size < CACHE_LIMIT) this.scopeCache.set(text, s);
    return s;
  }

  /** Id of the key field text[s, e): compared in place against the few raw spellings met so far. */
  private keyAt(text: string, s: number, e: number, lineNo: number): number {
    const raw = this.rawKeys;
    for (let i = 0; i < raw.length; i++) {
      if (raw[i].same(text, s, e)) return this.rawKeyIds[i];
    }
    const id = this.keyOf(text.slice(s, e), lineNo);
    if (raw.length < 32) {
      const spelling = new FieldChars();
      spelling.set(text, s, e);
      raw.push(spelling);
      this.rawKeyIds.push(id);
    }
    return id;
  }

  /** Id of a key text, validated once per distinct text. */
  private keyOf(value: string, lineNo: number): number {
    let id = this.keyCache.get(value);
    if (id !== undefined) return id;
    const k = this.kind === 'auth-codes' ? labelField(value, lineNo, 'auth_code') : labelField(value, lineNo, 'status', { lower: true });
    id = this.keyIds.get(k);
    if (id === undefined) {
      id = this.keyNames.length;
      this.keyNames.push(k);
      this.keyIds.set(k, id);
    }
    if (this.keyCache.size < CACHE_LIMIT) this.keyCache.set(value, id);
    return id;
  }

  private newGroup(minute: EpochMinute): Group {
    return { minute, serial: this.serial++, counts: [], authCodes: [], present: [], seen: this.buffer ? new Map() : null, rawIds: null, rawTally: null };
  }

  /** The group a row of `minute` belongs to; in stream order a later minute closes the open one. */
  private group(minute: EpochMinute, lineNo: number): Group {
    const cur = this.current;
    if (cur !== null && cur.minute === minute) return cur;
    if (this.buffer) {
      let g = this.groups.get(minute);
      if (!g) this.groups.set(minute, (g = this.newGroup(minute)));
      this.current = g;
      return g;
    }
    if (cur !== null) {
      if (minute < cur.minute) throw new NotInTimeOrderError(this.path, lineNo, minute, cur.minute);
      this.ready.push(this.close(cur));
      if (this.exportFill) for (let g = cur.minute + 1; g < minute; g++) this.ready.push(this.close(this.newGroup(g)));
    }
    return (this.current = this.newGroup(minute));
  }

  /** Records key `id` of `scope` in `group`; returns the line it was already given on, or 0. */
  private see(group: Group, scope: ScopeState, id: number, lineNo: number): number {
    if (group.seen !== null) {
      let s = group.seen.get(scope);
      if (!s) {
        group.seen.set(scope, (s = new Map()));
        this.markPresent(group, scope);
      }
      const earlier = s.get(id);
      if (earlier !== undefined) return earlier;
      s.set(id, lineNo);
      return 0;
    }
    if (scope.presentIn !== group.serial) {
      scope.presentIn = group.serial;
      this.markPresent(group, scope);
    }
    if (scope.seenStamp[id] === group.serial) return scope.seenRow[id];
    scope.seenStamp[id] = group.serial;
    scope.seenRow[id] = lineNo;
    return 0;
  }

  private markPresent(group: Group, scope: ScopeState): void {
    group.present.push(scope);
    if (group.minute < scope.firstMinute) scope.firstMinute = group.minute;
    if (group.minute > scope.lastMinute) scope.lastMinute = group.minute;
  }

  /** Zero-fills a finished group and turns it into output. */
  private close(g: Group): MinuteRows {
    let fileRows = g.counts.length + g.authCodes.length;
    if (g.rawTally) {
      fileRows = 0;
      for (const t of g.rawTally.values()) for (const n of t.counts.values()) fileRows += n;
      for (const [scope, t] of g.rawTally) {
        for (const [status, count] of t.counts) g.counts.push({ scope: scope.name, minute: g.minute, status, count });
        for (const [authCode, count] of t.codes) g.authCodes.push({ scope: scope.name, minute: g.minute, authCode, count });
      }
    } else if (this.kind === 'counts') {
      const scopes = this.exportFill
        ? this.scopeOrder.filter((s) => s.firstMinute <= g.minute && (!this.buffer || s.lastMinute >= g.minute))
        : g.present;
      for (const s of scopes) {
        const seen = g.seen !== null ? g.seen.get(s) : undefined;
        for (const id of s.statuses) {
          const given = g.seen !== null ? seen !== undefined && seen.has(id) : s.seenStamp[id] === g.serial;
          if (!given) g.counts.push({ scope: s.name, minute: g.minute, status: this.keyNames[id], count: 0 });
        }
      }
    }
    return { minute: g.minute, counts: g.counts, authCodes: g.authCodes, fileRows };
  }
}

/**
 * The characters of a field met before (the last timestamp, the last scope, a status spelling),
 * kept as char codes to compare the next line's field with in place. Not as a string: a field cut
 * out of the chunk is a sliced string, and `startsWith` against those was the costliest step of a
 * row (≈ 14 % of a parse profile); a loop over char codes was the cheapest of the ways measured.
 */
class FieldChars {
  private codes = new Uint16Array(32);
  private length = -1;

  set(text: string, s: number, e: number): void {
    const n = e - s;
    if (n > this.codes.length) this.codes = new Uint16Array(n * 2);
    for (let i = 0; i < n; i++) this.codes[i] = text.charCodeAt(s + i);
    this.length = n;
  }

  /** Forgets the value (the last one came from a quoted line). */
  clear(): void {
    this.length = -1;
  }

  /** Does text[s, e) hold the same characters? Compared from the end, where timestamps differ. */
  same(text: string, s: number, e: number): boolean {
    const n = e - s;
    if (n !== this.length) return false;
    const codes = this.codes;
    for (let i = n - 1; i >= 0; i--) if (text.charCodeAt(s + i) !== codes[i]) return false;
    return true;
  }
}

/** The count field text[s, e): digits read in place, else the shared validator on the text. */
function countAt(text: string, s: number, e: number, row: number): number {
  if (e > s && e - s <= 8) {
    let x = 0;
    for (let i = s; i < e; i++) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return countField(text.slice(s, e), row);
      x = x * 10 + c;
    }
    if (x <= MAX_COUNT) return x;
  }
  return countField(text.slice(s, e), row);
}

/** A count field: the digit fast path, else the shared validator (which accepts or names the error). */
function fastCount(v: string, row: number): number {
  const n = v.length;
  if (n > 0 && n <= 8) {
    let x = 0;
    for (let i = 0; i < n; i++) {
      const c = v.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return countField(v, row);
      x = x * 10 + c;
    }
    if (x <= MAX_COUNT) return x;
  }
  return countField(v, row);
}

/** JSON / NDJSON: the whole-file parsers, grouped by minute (raw transactions folded into counts). */
async function* wholeFileMinutes(path: string, opts: StreamOptions): AsyncGenerator<MinuteRows> {
  const { batch } = readBatchFile(path, { date: opts.date, timeZone: opts.timeZone, kind: opts.kind, scope: opts.scope });
  yield* groupBatch(batch);
}

/** Groups a parsed batch by minute, folding raw transactions into counts and auth-code counts. */
export function groupBatch(batch: MinuteBatch): MinuteRows[] {
  const map = new Map<EpochMinute, MinuteRows>();
  const get = (m: EpochMinute): MinuteRows => {
    let g = map.get(m);
    if (!g) map.set(m, (g = { minute: m, counts: [], authCodes: [] }));
    return g;
  };
  for (const c of batch.counts) get(c.minute).counts.push(c);
  for (const a of batch.authCodes) get(a.minute).authCodes.push(a);
  if (batch.raw.length > 0) {
    // Key: minute, scope and what is tallied (s = status, a = auth code), in order of appearance.
    const tallies = new Map<string, Map<string, number>>();
    const add = (k: string, key: string): void => {
      let m = tallies.get(k);
      if (!m) tallies.set(k, (m = new Map()));
      m.set(key, (m.get(key) ?? 0) + 1);
    };
    for (const t of batch.raw) {
      add(`${t.minute}\u0000${t.scope}\u0000s`, t.status);
      if (t.authCode !== undefined) add(`${t.minute}\u0000${t.scope}\u0000a`, t.authCode);
    }
    for (const [k, m] of tallies) {
      const [minute, scope, kind] = k.split('\u0000');
      const g = get(Number(minute));
      for (const [key, count] of m) {
        if (kind === 's') g.counts.push({ scope, minute: g.minute, status: key, count });
        else g.authCodes.push({ scope, minute: g.minute, authCode: key, count });
      }
    }
  }
  return [...map.values()].sort((a, b) => a.minute - b.minute);
}
