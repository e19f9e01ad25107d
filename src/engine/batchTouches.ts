/**
 * The scope-minutes one ingested batch touched: their pending entries, and (when completeness is
 * judged by statuses) which statuses each received. Rows of one scope-minute arrive together, so
 * the lookups are done once per run of rows, not once per row — this is the ingest hot path of a
 * backtest (millions of rows).
 */
import type { EpochMinute } from '../domain/types.ts';
import type { PendingMinute, ScopeTracker } from './scopeTracker.ts';

export class BatchTouches {
  /** Per tracker, the minutes touched in first-touch order → statuses received (null: not tracked). */
  readonly minutes = new Map<ScopeTracker, Map<EpochMinute, Set<string> | null>>();
  /** (scope, minute) pairs that arrived after their minute was evaluated. */
  readonly late: Array<{ scope: string; minute: EpochMinute }> = [];
  private readonly trackerOf: (scope: string) => ScopeTracker;
  private readonly now: number;
  private readonly trackStatuses: boolean;
  private runScope: string | null = null;
  private runMinute = 0;
  private runEntry: PendingMinute | null = null;
  private runStatuses: Set<string> | null = null;

  constructor(trackerOf: (scope: string) => ScopeTracker, now: number, trackStatuses: boolean) {
    this.trackerOf = trackerOf;
    this.now = now;
    this.trackStatuses = trackStatuses;
  }

  /** The pending entry of (scope, minute), or null when that minute was already evaluated (late). */
  entry(scope: string, minute: EpochMinute): PendingMinute | null {
    if (scope === this.runScope && minute === this.runMinute) return this.runEntry;
    this.runScope = scope;
    this.runMinute = minute;
    this.runEntry = null;
    this.runStatuses = null;
    const tracker = this.trackerOf(scope);
    if (tracker.isLate(minute)) {
      if (!this.late.some((l) => l.scope === scope && l.minute === minute)) this.late.push({ scope, minute });
      return null;
    }
    let minutes = this.minutes.get(tracker);
    if (!minutes) this.minutes.set(tracker, (minutes = new Map()));
    let statuses = minutes.get(minute);
    if (statuses === undefined) minutes.set(minute, (statuses = this.trackStatuses ? new Set() : null));
    this.runStatuses = statuses;
    this.runEntry = tracker.entry(minute, this.now);
    return this.runEntry;
  }

  /** Records that the scope-minute of the last `entry` call received `status`. */
  status(status: string): void {
    this.runStatuses?.add(status);
  }
}
