/**
 * Per-scope bookkeeping of the minute loop: which minutes hold data not yet evaluated, the last
 * evaluated minute, and when each pending minute last received rows. It decides which minutes are
 * complete: a later minute arrived (watermark), the sender declared the minute complete (or sent
 * every status the scope reported in its previous minute in one batch), or the grace period
 * passed on the engine's clock.
 */
import { dataMap, type EpochMinute, type MinuteSnapshot } from '../domain/types.ts';

export interface PendingMinute {
  counts: Record<string, number>;
  authCodes: Record<string, number>;
  /** Clock time of the last rows received for this minute. */
  lastArrival: number;
}

/**
 * The pending minutes of one scope. Live and in a backtest a scope usually has one pending minute
 * at a time, taken as soon as it closes: that one sits in a slot, any others in a Map. (A Map alone
 * reallocates its table on nearly every delete that empties it: once per scope-minute.)
 */
export class PendingMinutes {
  private slotMinute: EpochMinute = 0;
  private slotEntry: PendingMinute | null = null;
  private more: Map<EpochMinute, PendingMinute> | null = null;

  get(minute: EpochMinute): PendingMinute | undefined {
    if (this.slotEntry !== null && this.slotMinute === minute) return this.slotEntry;
    return this.more !== null ? this.more.get(minute) : undefined;
  }

  has(minute: EpochMinute): boolean {
    return this.get(minute) !== undefined;
  }

  /** Adds the entry of a minute not pending yet. */
  add(minute: EpochMinute, entry: PendingMinute): void {
    if (this.slotEntry === null) {
      this.slotMinute = minute;
      this.slotEntry = entry;
    } else (this.more ??= new Map()).set(minute, entry);
  }

  delete(minute: EpochMinute): void {
    if (this.slotEntry !== null && this.slotMinute === minute) this.slotEntry = null;
    else if (this.more !== null) this.more.delete(minute);
  }

  /** The pending minutes, in no particular order. */
  minutes(): EpochMinute[] {
    const out: EpochMinute[] = this.more !== null ? [...this.more.keys()] : [];
    if (this.slotEntry !== null) out.push(this.slotMinute);
    return out;
  }

  /** The latest pending minute, or null. */
  max(): EpochMinute | null {
    let max: EpochMinute | null = this.slotEntry !== null ? this.slotMinute : null;
    if (this.more !== null) for (const m of this.more.keys()) if (max === null || m > max) max = m;
    return max;
  }

  /** The earliest pending minute, or null. */
  min(): EpochMinute | null {
    let min: EpochMinute | null = this.slotEntry !== null ? this.slotMinute : null;
    if (this.more !== null) for (const m of this.more.keys()) if (min === null || m < min) min = m;
    return min;
  }

  /** The latest minute whose grace period has passed at clock time `now` (after its end or its last rows). */
  latestGraceClosed(now: number, graceMs: number): EpochMinute | null {
    let through: EpochMinute | null = this.slotEntry !== null && graceClosed(this.slotMinute, this.slotEntry, now, graceMs) ? this.slotMinute : null;
    if (this.more !== null) for (const [m, p] of this.more) if (graceClosed(m, p, now, graceMs) && (through === null || m > through)) through = m;
    return through;
  }
}

/**
 * Has minute m's grace period passed at clock time `now` (after its end or its last rows)? A
 * function, not a closure made per call: asked for every scope on every tick and ingest.
 */
function graceClosed(m: EpochMinute, p: PendingMinute, now: number, graceMs: number): boolean {
  return now >= Math.max((m + 1) * 60_000, p.lastArrival) + graceMs;
}

export class ScopeTracker {
  readonly scope: string;
  lastEvaluated: EpochMinute | null;
  /**
   * Counts of the last evaluated minute with data: their statuses are the "all statuses" of a
   * complete minute. Kept as the counts object itself (not a set) because every minute replaces it.
   */
  private lastCounts: Record<string, number> = {};
  readonly pending = new PendingMinutes();

  constructor(scope: string, lastEvaluated: EpochMinute | null) {
    this.scope = scope;
    this.lastEvaluated = lastEvaluated;
  }

  /** Latest minute holding data, evaluated or not. */
  maxSeen(): EpochMinute | null {
    const max = this.pending.max();
    return max === null || (this.lastEvaluated !== null && this.lastEvaluated > max) ? this.lastEvaluated : max;
  }

  minPending(): EpochMinute | null {
    return this.pending.min();
  }

  isLate(minute: EpochMinute): boolean {
    return this.lastEvaluated !== null && minute <= this.lastEvaluated;
  }

  entry(minute: EpochMinute, now: number): PendingMinute {
    let p = this.pending.get(minute);
    // Data maps (no inherited keys): a status or auth code named `__proto__` or `constructor` is a key like any other.
    if (!p) this.pending.add(minute, (p = { counts: dataMap<number>(), authCodes: dataMap<number>(), lastArrival: now }));
    p.lastArrival = now;
    return p;
  }

  /** Statuses of the last evaluated minute with data. */
  get lastStatuses(): Set<string> {
    return new Set(Object.keys(this.lastCounts));
  }

  /** Remembers the statuses of a minute evaluated before a restart. */
  rememberStatuses(counts: Record<string, number>): void {
    this.lastCounts = counts;
  }

  /** Does this batch's status set for `minute` cover every status of the previous minute? */
  coversKnownStatuses(statuses: Set<string>): boolean {
    let any = false;
    for (const s in this.lastCounts) {
      if (!statuses.has(s)) return false;
      any = true;
    }
    return any;
  }

  /** Latest minute that the grace rule closes at clock time `now`. */
  graceClosedThrough(now: number, graceMs: number, liveWindowMs: number): EpochMinute | null {
    let through = this.pending.latestGraceClosed(now, graceMs);
    // A live scope that stops sending: close its empty minutes too, so silence becomes visible.
    const seen = this.maxSeen();
    if (seen !== null && now - (seen + 1) * 60_000 < liveWindowMs) {
      const clockClosed = Math.floor((now - graceMs) / 60_000) - 1;
      if (clockClosed > seen && (through === null || clockClosed > through)) through = clockClosed;
    }
    return through;
  }

  /** Takes the snapshot of `minute` out of the pending set (an empty one for a gap). */
  take(minute: EpochMinute): MinuteSnapshot {
    const p = this.pending.get(minute);
    this.pending.delete(minute);
    this.lastEvaluated = minute;
    if (!p) return { scope: this.scope, minute, counts: {}, authCodes: {}, hasData: false };
    this.lastCounts = p.counts;
    return { scope: this.scope, minute, counts: p.counts, authCodes: p.authCodes, hasData: true };
  }

  peek(minute: EpochMinute): MinuteSnapshot | null {
    const p = this.pending.get(minute);
    if (!p) return null;
    return { scope: this.scope, minute, counts: { ...p.counts }, authCodes: { ...p.authCodes }, hasData: true };
  }
}
