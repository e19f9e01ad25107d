/**
 * Time helpers. Inside txmon every instant is UTC; naive timestamps in input ("2025-07-12 13:45:00")
 * are read in a configured IANA time zone (default UTC) and converted once, at the edge.
 */
import type { EpochMinute } from './types.ts';

export const MINUTE_MS = 60_000;

export function toMinute(epochMs: number): EpochMinute {
  return Math.floor(epochMs / MINUTE_MS);
}

export function minuteToIso(minute: EpochMinute): string {
  return new Date(minute * MINUTE_MS).toISOString();
}

/** Minute of the UTC day, 0..1439. */
export function minuteOfDay(minute: EpochMinute): number {
  return ((minute % 1440) + 1440) % 1440;
}

/** Minute of the UTC week, 0..10079, Monday 00:00 = 0. (Epoch minute 0 was a Thursday.) */
export function minuteOfWeek(minute: EpochMinute): number {
  return (((minute + 3 * 1440) % 10080) + 10080) % 10080;
}

const NAIVE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
/** ISO-8601 / RFC 3339 with an explicit zone; "T" or a space between date and time; offsets ±HH, ±HHMM, ±HH:MM. */
const ZONED = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)$/i;

const offsetCache = new Map<string, Intl.DateTimeFormat>();

/** Offset (ms) of `timeZone` at the given UTC instant: local = utc + offset. */
function zoneOffsetMs(timeZone: string, utcMs: number): number {
  let fmt = offsetCache.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    offsetCache.set(timeZone, fmt);
  }
  const parts: Record<string, number> = {};
  for (const p of fmt.formatToParts(new Date(utcMs))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/** Checks that a time zone name is valid for Intl. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Converts wall-clock fields in `timeZone` to epoch ms. */
export function zonedToEpochMs(
  y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, timeZone: string,
): number {
  const naiveUtc = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return naiveUtc;
  // Two passes settle DST transitions.
  let guess = naiveUtc - zoneOffsetMs(timeZone, naiveUtc);
  guess = naiveUtc - zoneOffsetMs(timeZone, guess);
  return guess;
}

/**
 * Parses a timestamp into epoch ms, or returns null when it cannot be read.
 * Accepts ISO-8601 with or without zone ("2025-07-12T13:45:00Z", "2025-07-12 13:45:00"),
 * date only, and epoch numbers (seconds when < 1e11, else milliseconds).
 */
export function parseTimestamp(value: unknown, timeZone = 'UTC'): number | null {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) return null;
    const ms = value < 1e11 ? value * 1000 : value;
    return ms > 8.64e15 ? null : Math.floor(ms);
  }
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (text === '') return null;
  if (/^\d+(\.\d+)?$/.test(text)) return parseTimestamp(Number(text), timeZone);
  // The three forms exclude each other; a text ending in Z can only be zoned: read it first.
  const last = text.charCodeAt(text.length - 1);
  if (last === 90 || last === 122) return parseZoned(text);
  const naive = NAIVE.exec(text);
  if (naive) {
    const [, y, mo, d, h, mi, s, frac] = naive;
    const fields = [Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s ?? 0)];
    if (!validFields(fields[0], fields[1], fields[2], fields[3], fields[4], fields[5])) return null;
    const ms = frac ? Math.floor(Number('0.' + frac) * 1000) : 0;
    return zonedToEpochMs(fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], ms, timeZone);
  }
  const dateOnly = DATE_ONLY.exec(text);
  if (dateOnly) {
    const [y, mo, d] = [Number(dateOnly[1]), Number(dateOnly[2]), Number(dateOnly[3])];
    if (!validFields(y, mo, d, 0, 0, 0)) return null;
    return zonedToEpochMs(y, mo, d, 0, 0, 0, 0, timeZone);
  }
  return parseZoned(text);
}

/** An ISO-8601 timestamp with a zone (Z or an offset) as epoch ms, or null. */
function parseZoned(text: string): number | null {
  const zoned = ZONED.exec(text);
  if (zoned) {
    // Parsed by hand rather than Date.parse, which rolls impossible dates over
    // ("2025-02-30T10:00Z" would become March 2) instead of rejecting them.
    const [, y, mo, d, h, mi, s, frac, zone] = zoned;
    const fields = [Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s ?? 0)];
    if (!validFields(fields[0], fields[1], fields[2], fields[3], fields[4], fields[5])) return null;
    let offsetMinutes = 0;
    if (zone.toUpperCase() !== 'Z') {
      const digits = zone.slice(1).replace(':', '');
      const oh = Number(digits.slice(0, 2));
      const om = digits.length > 2 ? Number(digits.slice(2)) : 0;
      if (oh > 23 || om > 59) return null;
      offsetMinutes = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
    }
    const ms = frac ? Math.floor(Number('0.' + frac) * 1000) : 0;
    return Date.UTC(fields[0], fields[1] - 1, fields[2], fields[3], fields[4], fields[5], ms) - offsetMinutes * 60_000;
  }
  return null;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validFields(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60) return false;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= (mo === 2 && leap ? 29 : DAYS_IN_MONTH[mo - 1]);
}

/** Parses the "HHh MM" time of CSV exports (e.g. "14h 05") into minutes after midnight, or null. */
export function parseHourMinute(text: string): number | null {
  const m = /^\s*(\d{1,2})h\s*(\d{1,2})?\s*$/.exec(text);
  if (!m) return null;
  const h = Number(m[1]);
  const mi = m[2] === undefined ? 0 : Number(m[2]);
  if (h > 23 || mi > 59) return null;
  return h * 60 + mi;
}

/**
 * Local wall-clock minutes of a time zone, for seasonal baselines: "8 p.m." must stay 8 p.m.
 * across a daylight-saving change, or a daily rhythm shifts by an hour twice a year and its rise
 * or fall is judged against the wrong bucket. `local(m)` is m plus the zone's offset at m, as an
 * epoch-minute number whose UTC fields are the local ones (so minuteOfDay/minuteOfWeek of it give
 * the local time of day and week). Offsets are looked up once per 15-minute block (every real
 * zone's transitions fall on one) and cached: UTC costs nothing.
 */
export class ZoneCalendar {
  readonly timeZone: string;
  private readonly utc: boolean;
  private block = NaN;
  private offset = 0;

  constructor(timeZone = 'UTC') {
    this.utc = timeZone === 'UTC' || timeZone === 'Etc/UTC';
    // UTC needs no check: asking Intl (a DateTimeFormat made per calendar, one calendar per scope's
    // model) cost a backtest of 20 scopes ≈ 0.1 s, most of it loading time-zone data it never used.
    if (!this.utc && !isValidTimeZone(timeZone)) throw new RangeError(`not an IANA time zone: ${timeZone}`);
    this.timeZone = timeZone;
  }

  /** The local wall-clock minute of UTC epoch minute `minute`. */
  local(minute: EpochMinute): EpochMinute {
    if (this.utc) return minute;
    const block = Math.floor(minute / 15);
    if (block !== this.block) {
      this.block = block;
      this.offset = Math.round(zoneOffsetMs(this.timeZone, block * 15 * MINUTE_MS) / MINUTE_MS);
    }
    return minute + this.offset;
  }
}
