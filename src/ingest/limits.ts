/**
 * What one ingest request may span and create (issue #13 item 2). A small body must not make the
 * server store, evaluate or answer about millions of minutes: the span of minutes per scope, the
 * scope-minutes of the whole request (which bounds zero-fill and evaluation work), the rows it
 * stores after zero-fill, its scopes, and the statuses per scope are capped. Every check runs
 * before anything is stored and names the limit (config key) that was exceeded.
 *
 * Defaults accept the whole cloudwalk challenge file in one request (4,320 minutes, 25,920 rows,
 * 38,880 after zero-fill) with room to spare; the CLI's file import and backtest stream files and
 * do not go through here.
 */
import { TxmonError } from '../domain/errors.ts';
import type { EpochMinute, MinuteBatch } from '../domain/types.ts';

export interface IngestLimits {
  /** Latest minute minus earliest minute + 1, per scope. */
  maxSpanMinutes: number;
  /** Sum over the request's scopes of their spans: bounds zero-fill and the minutes evaluated. */
  maxScopeMinutes: number;
  /** Rows stored by one request (counts + auth codes + raw transactions, after zero-fill). */
  maxRows: number;
  /** Distinct scopes in one request. */
  maxScopesPerRequest: number;
  /** Distinct statuses of one scope in one request. */
  maxStatusesPerScope: number;
}

const iso = (m: EpochMinute) => new Date(m * 60_000).toISOString().replace(':00.000Z', 'Z');

function limitError(message: string, field: string, expected: string, got: unknown): TxmonError {
  return new TxmonError('TXMON_ERR_LIMIT', message, { field, expected, got });
}

/** Too many rows for one request: 413, the LIMIT variant clients already handle as "too large". */
function tooManyRows(message: string, expected: string, got: number): TxmonError {
  return TxmonError.variant('TXMON_ERR_LIMIT', 'too_large', message, { field: 'rows', expected, got });
}

interface ScopeShape { lo: EpochMinute; hi: EpochMinute; statuses: Set<string> }

/** The span and statuses per scope of a batch's minutes. */
function shapeOf(batch: MinuteBatch): Map<string, ScopeShape> {
  const scopes = new Map<string, ScopeShape>();
  const see = (scope: string, minute: EpochMinute, status?: string) => {
    let s = scopes.get(scope);
    if (!s) scopes.set(scope, (s = { lo: minute, hi: minute, statuses: new Set() }));
    else if (minute < s.lo) s.lo = minute;
    else if (minute > s.hi) s.hi = minute;
    if (status !== undefined) s.statuses.add(status);
  };
  for (const c of batch.counts) see(c.scope, c.minute, c.status);
  for (const a of batch.authCodes) see(a.scope, a.minute);
  for (const t of batch.raw) see(t.scope, t.minute, t.status);
  return scopes;
}

/**
 * Checks the shape of a parsed batch (before zero-fill, which `maxZeroFill` checks itself): 422
 * TXMON_ERR_LIMIT for too wide a span, too many scopes, statuses or scope-minutes; 413 for too
 * many rows.
 */
export function checkBatchShape(batch: MinuteBatch, limits: IngestLimits): void {
  const scopes = shapeOf(batch);
  if (scopes.size > limits.maxScopesPerRequest) {
    throw limitError(`the request names ${scopes.size} scopes; at most ${limits.maxScopesPerRequest} per request (limits.max_scopes_per_request): split it`,
      'scope', `at most ${limits.maxScopesPerRequest} scopes`, scopes.size);
  }
  let scopeMinutes = 0;
  for (const [scope, s] of scopes) {
    const span = s.hi - s.lo + 1;
    if (span > limits.maxSpanMinutes) {
      throw limitError(
        `scope "${scope}": the request spans ${span} minutes (${iso(s.lo)} to ${iso(s.hi)}); at most ${limits.maxSpanMinutes} per request (limits.max_span_minutes): send it in parts`,
        'timestamp', `a span of at most ${limits.maxSpanMinutes} minutes`, span);
    }
    if (s.statuses.size > limits.maxStatusesPerScope) {
      throw limitError(`scope "${scope}": the request holds ${s.statuses.size} distinct statuses; at most ${limits.maxStatusesPerScope} per scope (limits.max_statuses_per_scope)`,
        'status', `at most ${limits.maxStatusesPerScope} statuses`, s.statuses.size);
    }
    scopeMinutes += span;
  }
  if (scopeMinutes > limits.maxScopeMinutes) {
    throw limitError(`the request covers ${scopeMinutes} scope-minutes (the spans of its ${scopes.size} scopes added up); at most ${limits.maxScopeMinutes} (limits.max_scope_minutes): send it in parts`,
      'timestamp', `at most ${limits.maxScopeMinutes} scope-minutes`, scopeMinutes);
  }
  const rows = batch.counts.length + batch.authCodes.length + batch.raw.length;
  if (rows > limits.maxRows) {
    throw tooManyRows(`the request would store ${rows} rows; at most ${limits.maxRows} per request (limits.max_rows): send it in parts`,
      `at most ${limits.maxRows} rows`, rows);
  }
}

/** Checks, before filling, that zero-fill would not create more than `maxRows` rows in all. */
export function checkZeroFill(rowsGiven: number, planned: number, limits: IngestLimits): void {
  if (planned > limits.maxRows) {
    throw tooManyRows(
      `the CSV body has ${rowsGiven} rows, which zero-fill (absent minute/status pairs mean 0) turns into ${planned}; at most ${limits.maxRows} per request (limits.max_rows): send fewer minutes or statuses per request`,
      `at most ${limits.maxRows} rows after zero-fill`, planned);
  }
}
