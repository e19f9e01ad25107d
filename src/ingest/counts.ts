/**
 * Per-minute status counts: `{timestamp, status, count, scope?}` in any encoding, and the CSV
 * exports `time,status,count` / `time,status,f0_` (time may be "HHh MM" with a date given apart).
 */
import { TxmonError } from '../domain/errors.ts';
import type { EpochMinute, MinuteBatch, MinuteCount } from '../domain/types.ts';
import { DEFAULT_SCOPE } from '../domain/types.ts';
import { type DecodedBody, requireColumns } from './decode.ts';
import { checkBatchShape, checkZeroFill, type IngestLimits } from './limits.ts';
import { countField, jsonCountField, knownKeys, labelField, minuteField, optionalLabel, type TimeContext } from './fields.ts';

const SHAPE = 'timestamp,status,count[,scope] (or time,status,count|f0_)';

/** Columns of a status-counts body (shared with the streaming file reader, src/sources/stream.ts). */
export const STATUS_COUNT_COLUMNS = { required: ['timestamp', 'status', 'count'], optional: ['scope'], shape: SHAPE };

/** Keys a JSON/NDJSON status-count record may have; anything else is a 400. */
const JSON_KEYS = ['timestamp', 'status', 'count', 'scope'] as const;

export function parseStatusCounts(body: DecodedBody, ctx: TimeContext): MinuteBatch {
  requireColumns(body, STATUS_COUNT_COLUMNS.required, STATUS_COUNT_COLUMNS.optional, SHAPE);
  const counts: MinuteCount[] = [];
  const seen = new Map<string, number>();
  const isCsv = body.encoding === 'csv';
  // The rows of one minute repeat its timestamp: parse each distinct text once in a row.
  let lastTimestamp: unknown;
  let lastMinute = 0;
  for (const { row, fields } of body.records) {
    if (!isCsv) knownKeys(fields, row, JSON_KEYS);
    for (const f of ['timestamp', 'status', 'count']) {
      if (fields[f] === undefined || fields[f] === null) {
        throw new TxmonError('TXMON_ERR_VALIDATION', `row ${row}: missing field "${f}"; expected ${SHAPE}`, { row, field: f });
      }
    }
    const minute = typeof fields.timestamp === 'string' && fields.timestamp === lastTimestamp
      ? lastMinute : minuteField(fields.timestamp, row, 'timestamp', ctx);
    lastTimestamp = fields.timestamp;
    lastMinute = minute;
    const status = labelField(fields.status, row, 'status', { lower: true });
    const count = isCsv ? countField(fields.count, row) : jsonCountField(fields.count, row);
    const scope = optionalLabel(fields.scope, row, 'scope', ctx.defaultScope ?? DEFAULT_SCOPE);
    const key = `${scope}\u0000${minute}\u0000${status}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw new TxmonError('TXMON_ERR_VALIDATION',
        `row ${row}: duplicate (scope, minute, status) = (${scope}, ${new Date(minute * 60_000).toISOString()}, ${status}); first given on row ${earlier}`,
        { row, field: 'timestamp' });
    }
    seen.set(key, row);
    counts.push({ scope, minute, status, count });
  }
  if (ctx.limits) checkBatchShape({ counts, authCodes: [], raw: [] }, ctx.limits);
  if (!isCsv) return { counts, authCodes: [], raw: [] };
  return zeroFill(counts, body.csvExport === true, ctx.limits);
}

/**
 * A CSV file is a complete record of the minutes it covers: a (minute, status) pair absent from it
 * means zero. Exports (`time` column, one scope) also list no row for a minute without any
 * transaction, so there every minute between the first and last is filled.
 */
function zeroFill(counts: MinuteCount[], fillWholeRange: boolean, limits?: IngestLimits): MinuteBatch {
  const byScope = new Map<string, { statuses: Set<string>; minutes: Set<EpochMinute>; have: Set<string> }>();
  for (const c of counts) {
    let s = byScope.get(c.scope);
    if (!s) byScope.set(c.scope, (s = { statuses: new Set(), minutes: new Set(), have: new Set() }));
    s.statuses.add(c.status);
    s.minutes.add(c.minute);
    s.have.add(`${c.minute}\u0000${c.status}`);
  }
  const completeMinutes = new Map<string, Set<EpochMinute>>();
  // How many rows filling creates, known before creating any: minutes × statuses per scope.
  let planned = 0;
  for (const s of byScope.values()) {
    let lo = Infinity, hi = -Infinity;
    for (const m of s.minutes) { if (m < lo) lo = m; if (m > hi) hi = m; }
    planned += (fillWholeRange ? hi - lo + 1 : s.minutes.size) * s.statuses.size;
  }
  if (limits) checkZeroFill(counts.length, planned, limits);
  const filled = counts.slice();
  for (const [scope, s] of byScope) {
    if (fillWholeRange) {
      let lo = Infinity, hi = -Infinity;
      for (const m of s.minutes) { if (m < lo) lo = m; if (m > hi) hi = m; }
      for (let m = lo; m <= hi; m++) s.minutes.add(m);
    }
    for (const m of s.minutes) {
      for (const status of s.statuses) {
        if (!s.have.has(`${m}\u0000${status}`)) filled.push({ scope, minute: m, status, count: 0 });
      }
    }
    completeMinutes.set(scope, s.minutes);
  }
  return { counts: filled, authCodes: [], raw: [], completeMinutes };
}
