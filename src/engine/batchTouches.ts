/**
 * The scope-minutes one ingested batch touched: their pending entries, and (when completeness is
 * judged by statuses) which statuses each received. Rows of one scope-minute arrive together, so
 * the lookups are done once per run of rows, not once per row — this is the ingest hot path of a
 * backtest (millions of rows). A batch usually touches few scopes and one minute of each: they are
 * kept in small arrays, not a Map per scope.
 */
import type { EpochMinute } from '../domain/types.ts';
import type { PendingMinute, ScopeTracker } from './scopeTracker.ts';

/** Lists longer than this get a Map index. */
const SCAN_LIMIT = 16;

/** Keys in first-added order and their positions: searched in place while few, through a Map index once many. */
class KeyList<K> {
  readonly keys: K[];
  private index: Map<K, number> | null = null;

  /** `keys` is taken over: made with its first element, an array is a fraction of the size of one grown by push. */
  constructor(keys: K[]) {
    this.keys = keys;
  }

  indexOf(key: K): number {
    return this.index !== null ? this.index.get(key) ?? -1 : this.keys.indexOf(key);
  }

  push(key: K): void {
    this.keys.push(key);
    if (this.index !== null) this.index.set(key, this.keys.length - 1);
    else if (this.keys.length > SCAN_LIMIT) this.index = new Map(this.keys.map((k, i) => [k, i]));
  }
}

/** One scope's touched minutes, in first-touch order, and the statuses each received (null: not tracked). */
export class TouchedScope {
  readonly tracker: ScopeTracker;
  readonly statuses: Array<Set<string> | null>;
  private readonly list: KeyList<EpochMinute>;

  constructor(tracker: ScopeTracker, minute: EpochMinute, statuses: Set<string> | null) {
    this.tracker = tracker;
    this.list = new KeyList([minute]);
    this.statuses = [statuses];
  }

  get minutes(): readonly EpochMinute[] {
    return this.list.keys;
  }

  /** The statuses slot of `minute`, added on first touch. */
  touch(minute: EpochMinute, trackStatuses: boolean): Set<string> | null {
    const i = this.list.indexOf(minute);
    if (i !== -1) return this.statuses[i];
    const statuses = trackStatuses ? new Set<string>() : null;
    this.list.push(minute);
    this.statuses.push(statuses);
    return statuses;
  }
}

export class BatchTouches {
  /** Scopes touched, in first-touch order. */
  readonly scopes: TouchedScope[] = [];
  /** (scope, minute) pairs that arrived after their minute was evaluated. */
  readonly late: Array<{ scope: string; minute: EpochMinute }> = [];
  private readonly trackers = new KeyList<ScopeTracker>([]);
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
    const i = this.trackers.indexOf(tracker);
    return i === -1 ? undefined : this.scopes[i];
  }

  private touch(tracker: ScopeTracker, minute: EpochMinute): Set<string> | null {
    const touched = this.of(tracker);
    if (touched !== undefined) return touched.touch(minute, this.trackStatuses);
    const statuses = this.trackStatuses ? new Set<string>() : null;
    this.trackers.push(tracker);
    this.scopes.push(new TouchedScope(tracker, minute, statuses));
    return statuses;
  }
}
