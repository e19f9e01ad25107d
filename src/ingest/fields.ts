/** Field validators shared by every ingest parser; each names the row and field it rejects. */
import { TxmonError, fieldError } from '../domain/errors.ts';
import { parseHourMinute, parseTimestamp, toMinute } from '../domain/time.ts';
import type { IngestLimits } from './limits.ts';

/** Counts above this are rejected as absurd (≈ 16 M transactions per minute per status). */
export const MAX_COUNT = 2 ** 24;
const LABEL_MAX = 128;
// Statuses and scopes are an open set, but a label may not hold C0/C1 control characters or the
// bidirectional marks, embeddings, overrides and isolates that make a name display as another
// (U+061C, U+200E/F, U+202A–E, U+2066–9); lone surrogates are refused by isWellFormed().
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

export function countField(value: unknown, row: number, field = 'count'): number {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) n = Number(value);
  else throw fieldError(row, field, 'a non-negative integer', value);
  if (!Number.isInteger(n) || n < 0) throw fieldError(row, field, 'a non-negative integer', value);
  if (n > MAX_COUNT) throw fieldError(row, field, `at most ${MAX_COUNT}`, value);
  return n;
}

/** A JSON count must be a JSON number; a CSV count is digits. */
export function jsonCountField(value: unknown, row: number, field = 'count'): number {
  if (typeof value !== 'number') throw fieldError(row, field, 'a non-negative integer (JSON number)', value);
  return countField(value, row, field);
}

export function labelField(value: unknown, row: number, field: string, opts: { lower?: boolean } = {}): string {
  if (typeof value !== 'string') throw fieldError(row, field, 'a string', value);
  let text = value.trim();
  if (opts.lower) text = text.toLowerCase();
  if (text === '' || text.length > LABEL_MAX || CONTROL.test(text) || !(text as string & { isWellFormed(): boolean }).isWellFormed()) {
    throw fieldError(row, field, `a non-empty string of at most ${LABEL_MAX} printable characters (no control characters, bidi controls or lone surrogates)`, value);
  }
  return text;
}

export function optionalLabel(value: unknown, row: number, field: string, fallback: string): string {
  if (value === undefined || value === null || value === '') return fallback;
  return labelField(value, row, field);
}

export interface TimeContext {
  timeZone: string;
  /** YYYY-MM-DD for "HHh MM" times. */
  date?: string;
  /** Epoch ms; timestamps further than maxFutureMs ahead of it are rejected. */
  now: number;
  maxFutureMs: number;
  /** Scope of rows that name none (default "all"). */
  defaultScope?: string;
  /** Per-request limits (HTTP ingest); absent = unlimited (files streamed by the CLI). */
  limits?: IngestLimits;
  /** Epoch ms; earlier timestamps are rejected (server.min_timestamp). Absent = no lower bound. */
  minMs?: number;
}

/**
 * Rejects keys of a JSON record that the kind does not know: `"Scope"` silently landing in the
 * default scope would hide a mistake. CSV headers are checked by requireColumns.
 */
export function knownKeys(fields: Record<string, unknown>, row: number, accepted: readonly string[]): void {
  for (const k in fields) {
    if (!accepted.includes(k)) {
      throw new TxmonError('TXMON_ERR_VALIDATION',
        `row ${row}: unknown field ${JSON.stringify(k.length > 40 ? k.slice(0, 40) + '…' : k)}; accepted fields: ${accepted.join(', ')}`,
        { row, field: k.slice(0, 40), expected: accepted.join(', ') });
    }
  }
}

/** Parses a timestamp field to an epoch ms value (UTC). */
export function timestampField(value: unknown, row: number, field: string, ctx: TimeContext): number {
  let ms: number | null = null;
  if (typeof value === 'string' && ctx.date !== undefined) {
    const mod = parseHourMinute(value);
    if (mod !== null) {
      const day = parseTimestamp(ctx.date, ctx.timeZone);
      if (day !== null) ms = day + mod * 60_000;
    }
  }
  if (ms === null) ms = parseTimestamp(value, ctx.timeZone);
  if (ms === null) {
    const hint = typeof value === 'string' && /^\s*\d{1,2}h/.test(value) && ctx.date === undefined
      ? 'an ISO-8601 timestamp; "HHh MM" times need the date (query parameter date=YYYY-MM-DD, CLI --date)'
      : 'an ISO-8601 timestamp (e.g. "2025-07-12 13:45:00" or "2025-07-12T13:45:00Z") or epoch seconds';
    throw fieldError(row, field, hint, value);
  }
  if (ms > ctx.now + ctx.maxFutureMs) throw fieldError(row, field, `not more than ${Math.round(ctx.maxFutureMs / 3_600_000)} h in the future`, value);
  if (ctx.minMs !== undefined && ms < ctx.minMs) throw fieldError(row, field, `not before ${new Date(ctx.minMs).toISOString()} (server.min_timestamp)`, value);
  return ms;
}

export function minuteField(value: unknown, row: number, field: string, ctx: TimeContext): number {
  return toMinute(timestampField(value, row, field, ctx));
}
