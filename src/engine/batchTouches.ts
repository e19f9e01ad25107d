/**
 * The scope-minutes one ingested batch touched: their pending entries, and (when completeness is
 * judged by statuses) which statuses each received. Rows of one scope-minute arrive together, so
 * the lookups are done once per run of rows, not once per row — this is the ingest hot path of a
 * backtest (millions of rows). A batch usually touches few scopes and one minute of each: they are
 * kept in arrays (searched in place, indexed by a Map only when they grow), not a Map per scope.
 */
import type { EpochMinute } from '../domain/types.ts';
import type { PendingMinute, ScopeTracker } from './scopeTracker.ts';

/** Arrays longer than this get a Map index. */
const SCAN_LIMIT = 16;

/** One scope's touched minutes, in first-touch order, and the statuses each received (null: not tracked). */
export class TouchedScope {
  readonly tracker: ScopeTracker;
  // Made with their first element: a batch mostly touches one minute per scope, and an array
  // literal of one element is a fraction of the size of an empty array grown by push.
  readonly minutes: EpochMinute[];
  readonly statuses: Array<Set<string> | null>;
  private index: Map<EpochMinute, number> | null = null;

  constructor(tracker: ScopeTracker, minute: EpochMinute, statuses: Set<string> | null) {
    this.tracker = tracker;
    this.minutes = [minute];
    this.statuses = [statuses];
  }

  /** The statuses slot of `minute`, added on first touch. */
  touch(minute: EpochMinute, trackStatuses: boolean): Set<string> | null {
    const i = this.index !== null ? this.index.get(minute) ?? -1 : this.minutes.indexOf(minute);
    if (i !== -1) return this.statuses[i];
    const statuses = trackStatuses ? new Set<string>() : null;
    this.minutes.push(minute);
    this.statuses.push(statuses);
    if (this.index !== null) this.index.set(minute, this.minutes.length - 1);
    else if (this.minutes.length > SCAN_LIMIT) this.index = new Map(this.minutes.map((m, k) => [m, k]));
    return statuses;
  }
}

export class BatchTouches {
  /** Scopes touched, in first-touch order. */
  readonly scopes: TouchedScope[] = [];
  /** (scope, minute) pairs that arrived after their minute was evaluated. */
  readonly late: Array<{ scope: string; minute: EpochMinute }> = [];
  private readonly trackerOf: (scope: string) => ScopeTracker;
  private readonly now: number;
  private readonly trackStatuses: boolean;
  private index: Map<ScopeTracker, TouchedScope> | null = null;
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
    this.runStatuses = this.touch(tracker, minute);
    this.runEntry = tracker.entry(minute, this.now);
    return this.runEntry;
  }

  /** Records that the scope-minute of the last `entry` call received `status`. */
  status(status: string): void {
    this.runStatuses?.add(status);
  }

  /** The minutes this batch touched in `tracker`, if any. */
  of(tracker: ScopeTracker): TouchedScope | undefined {
    return this.index !== null ? this.index.get(tracker) : this.scopes.find((s) => s.tracker === tracker);
  }

  private touch(tracker: ScopeTracker, minute: EpochMinute): Set<string> | null {
    const t = this.of(tracker);
    if (t !== undefined) return t.touch(minute, this.trackStatuses);
    const statuses = this.trackStatuses ? new Set<string>() : null;
    const added = new TouchedScope(tracker, minute, statuses);
    this.scopes.push(added);
    if (this.index !== null) this.index.set(tracker, added);
    else if (this.scopes.length > SCAN_LIMIT) this.index = new Map(this.scopes.map((s) => [s.tracker, s]));
    return statuses;
  }
}
