/**
 * The minute loop. It owns time: per scope it knows which minutes are complete, evaluates each
 * complete minute exactly once and in order (detect → alert lifecycle → persist in one
 * transaction), and rebuilds its state from the store on start, so a restart neither forgets
 * baselines nor repeats alerts. The same engine runs live (wall clock) and over files (virtual clock).
 */
import {
  type Alert, type AlertChange, type AlertState, type Assessment, dataMap, type EpochMinute, type MinuteBatch, type MinuteSnapshot, type OutboxEntry,
} from '../domain/types.ts';
import type { SeriesBaseline } from '../detect/model.ts';
import { ScopeModels } from './scopeModels.ts';
import type { ScopeInfo } from '../store/store.ts';
import type { DetectConfig } from '../detect/config.ts';
import { AlertLifecycle, type LifecycleConfig } from '../alerting/lifecycle.ts';
import type { AlertStore, EvaluationStore, SeriesStore, WriteResult } from '../store/store.ts';
import type { GroupCommit } from '../store/driver.ts';
import type { Clock } from '../domain/clock.ts';
import { Mutex } from '../domain/mutex.ts';
import { ScopeTracker } from './scopeTracker.ts';
import { BatchTouches } from './batchTouches.ts';

export interface EngineOptions {
  store: EngineStore;
  clock: Clock;
  detect?: Partial<DetectConfig>;
  lifecycle?: Partial<LifecycleConfig>;
  /** A pending minute closes this long after its end (or its last rows, whichever is later). */
  graceMs?: number;
  /** Gaps longer than this are skipped rather than evaluated minute by minute. */
  maxGapMinutes?: number;
  /** Turns alert changes into outbox entries, written in the same transaction (alerting pipeline). */
  planNotifications?: (changes: AlertChange[], now: number) => OutboxEntry[];
  /**
   * Drop the in-memory state (pending bookkeeping, baselines) of a scope that received nothing for
   * this long, by the engine's clock, and whose minutes are all closed; it is rebuilt from the
   * store when the scope sends again, exactly as on a restart. Undefined = keep every scope.
   */
  idleScopeMs?: number;
  /**
   * Group commit (stores with `groups`): the ingest requests that reach the engine in one
   * event-loop turn are stored and evaluated in one transaction, committed on the next turn
   * (setImmediate, under the engine's mutex, so never in the middle of a step); each ingest
   * resolves only after the commit that holds its rows. On PostgreSQL the commit is a round trip
   * during which the requests that arrive queue at the mutex: they make the next group. A deferred
   * group (PostgreSQL) is committed before the engine reads the store (rebuild, evicted scopes,
   * raw minutes). Ignored when the store has no groups.
   */
  groupCommit?: boolean;
}

/** The part of the store the engine needs; `groups` when the store can group commits (SQLite). */
export type EngineStore = SeriesStore & Pick<EvaluationStore, 'saveEvaluation'> & Pick<AlertStore, 'openAlerts'> & { readonly groups?: GroupCommit };

/** What one ingest did: the recommendation is built from this. */
export interface IngestOutcome {
  written: WriteResult;
  /** Minutes closed by this request, in order. */
  evaluated: Assessment[];
  /** Alerts that changed state or details, as stored. */
  alerts: Alert[];
  /** When no minute closed: the provisional view of the latest pending minute per scope touched. */
  provisional: Assessment[];
  /** (scope, minute) pairs that arrived after their minute was evaluated: stored, not re-judged. */
  late: Array<{ scope: string; minute: EpochMinute }>;
}

export interface EvaluationEvent {
  assessments: Assessment[];
  alerts: Alert[];
  /** State transitions among `alerts` (from null = a new alert). */
  transitions: Array<{ alert: Alert; from: AlertState | null; to: AlertState }>;
  /** Seconds the step took from its first evaluation to the save (0 when nothing was evaluated). */
  durationSeconds: number;
}

/**
 * A stored minute's counts after a write: the full value per status (what the store now holds for
 * the statuses written). A minute whose rows were not adjacent in the batch comes as several entries.
 */
export interface WrittenMinute {
  scope: string;
  minute: EpochMinute;
  counts: Array<[string, number]>;
}

/** What the model expected for a minute, read just before it was evaluated (see Engine.recordExpectations). */
export interface MinuteExpectations {
  minute: EpochMinute;
  baselines: SeriesBaseline[];
}

export class Engine {
  /** The detection models (one per scope); replaced when the state is rebuilt from the store after a failure. */
  model: ScopeModels;
  lifecycle: AlertLifecycle;
  private readonly store: EngineStore;
  private readonly clock: Clock;
  private readonly graceMs: number;
  private readonly maxGap: number;
  private readonly plan?: EngineOptions['planNotifications'];
  private readonly scopes = new Map<string, ScopeTracker>();
  private readonly mutex = new Mutex();
  private readonly listeners: Array<(e: EvaluationEvent) => void> = [];
  private readonly lifecycleConfig: Partial<LifecycleConfig> | undefined;
  private readonly detectConfig: Partial<DetectConfig> | undefined;
  /**
   * True while a step that changes memory before the store (evaluate, then save) is under way,
   * and after one failed half-way (e.g. the database went away between writing a batch and saving
   * its evaluation): memory may then be ahead of the store, so the next ingest, tick or flush
   * first rebuilds everything from the store, exactly as a restart does.
   */
  private stale = false;
  minutesEvaluated = 0;
  /**
   * When true, the model's baselines for the last minute each step evaluates per scope are kept in
   * `lastExpectations` (read before the minute is evaluated): the /metrics expected series.
   */
  recordExpectations = false;
  readonly lastExpectations = new Map<string, MinuteExpectations>();
  private readonly writeListeners: Array<(rows: WrittenMinute[]) => void> = [];
  /** performance.now() when the current step began evaluating. */
  private stepStart = 0;
  private readonly idleMs: number | undefined;
  /** Scopes whose state was dropped as idle: rebuilt from the store when they send again. */
  private readonly evicted = new Set<string>();
  /** Clock time each scope in memory last received rows (idle eviction). */
  private readonly touchedAt = new Map<string, number>();
  private readonly evictionListeners: Array<(scopes: string[]) => void> = [];
  /** When the current ingest last let the event loop run (see breathe). */
  private busySince = 0;
  /** Calls of mustBreathe (it reads the clock on every 8th). */
  private breathQuestions = 0;
  /** The store's group commit, when enabled (EngineOptions.groupCommit). */
  private readonly groups: GroupCommit | null;
  /**
   * The open group: settled when its commit succeeded or failed. `evaluated`: an evaluation was
   * saved in it (commit listeners are told at its commit).
   */
  private group: { done: Promise<void>; resolve: () => void; reject: (err: unknown) => void; evaluated: boolean } | null = null;
  private readonly commitListeners: Array<() => void> = [];

  constructor(opts: EngineOptions) {
    this.store = opts.store;
    this.clock = opts.clock;
    this.model = new ScopeModels(opts.detect);
    this.idleMs = opts.idleScopeMs;
    this.detectConfig = opts.detect;
    this.lifecycleConfig = opts.lifecycle;
    this.lifecycle = new AlertLifecycle(opts.lifecycle);
    this.graceMs = opts.graceMs ?? 90_000;
    this.maxGap = opts.maxGapMinutes ?? 1440;
    this.plan = opts.planNotifications;
    this.groups = opts.groupCommit ? opts.store.groups ?? null : null;
  }

  /** Listens to every stored ingest: the counts each written minute now holds (the /metrics counter). */
  onWritten(listener: (rows: WrittenMinute[]) => void): void {
    this.writeListeners.push(listener);
  }

  /**
   * Listens to the commits that hold evaluations: called once the store holds an evaluation (and
   * the outbox rows planned with it), at once or at the commit of the group it was saved in (the
   * notification worker looks for due rows then: before, on PostgreSQL, it could not see them).
   */
  onCommitted(listener: () => void): void {
    this.commitListeners.push(listener);
  }

  /** Listens to every evaluation (SSE, notifications). */
  onEvaluated(listener: (e: EvaluationEvent) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Rebuilds state from the store: replays recent history through the model (without alerting:
   * those minutes were judged before the restart), reloads open alerts and pending minutes.
   */
  async start(): Promise<void> {
    await this.mutex.run(() => this.rebuild());
  }

  /** Is the state waiting to be rebuilt from the store (a store failure interrupted a step)? */
  get needsRebuild(): boolean {
    return this.stale;
  }

  /** Forgets the state in memory and reloads it from the store: at start, and after a failed step. */
  private async rebuild(): Promise<void> {
    await this.commitBeforeReading();
    this.stale = true;
    {
      const openAlerts = await this.store.openAlerts();
      const scopes = await this.store.listScopes();
      this.scopes.clear();
      this.evicted.clear();
      this.touchedAt.clear();
      this.model = new ScopeModels(this.detectConfig);
      this.lifecycle = new AlertLifecycle(this.lifecycleConfig, openAlerts);
      for (const info of scopes) await this.loadScope(info);
    }
    this.stale = false;
  }

  /** Rebuilds one scope from the store: replays its recent history into its model, reloads its pending minutes. */
  private async loadScope(info: ScopeInfo): Promise<void> {
    const tracker = new ScopeTracker(info.scope, info.lastEvaluated);
    this.scopes.set(info.scope, tracker);
    const now = this.clock.now();
    this.touchedAt.set(info.scope, now);
    if (info.lastEvaluated !== null) {
      const from = info.lastEvaluated - this.model.historyMinutes + 1;
      const history = await this.snapshots(info.scope, from, info.lastEvaluated + 1);
      for (let m = Math.max(from, info.firstMinute); m <= info.lastEvaluated; m++) {
        const snap = history.get(m) ?? { scope: info.scope, minute: m, counts: {}, authCodes: {}, hasData: false };
        this.model.evaluate(snap);
        if (snap.hasData) tracker.rememberStatuses(snap.counts);
      }
    }
    const pendingFrom = info.lastEvaluated === null ? info.firstMinute : info.lastEvaluated + 1;
    for (const snap of (await this.snapshots(info.scope, pendingFrom, info.lastMinute + 1)).values()) {
      const p = tracker.entry(snap.minute, now);
      Object.assign(p.counts, snap.counts);
      Object.assign(p.authCodes, snap.authCodes);
    }
  }

  /** Brings back the evicted scopes a batch touches (before it is written, so it lands on rebuilt state). */
  private async restoreEvicted(batch: MinuteBatch): Promise<void> {
    if (this.evicted.size === 0) return;
    const wanted = new Set<string>();
    for (const c of batch.counts) if (this.evicted.has(c.scope)) wanted.add(c.scope);
    for (const a of batch.authCodes) if (this.evicted.has(a.scope)) wanted.add(a.scope);
    for (const t of batch.raw) if (this.evicted.has(t.scope)) wanted.add(t.scope);
    if (wanted.size === 0) return;
    await this.commitBeforeReading();
    for (const info of await this.store.listScopes()) {
      if (!wanted.has(info.scope)) continue;
      await this.loadScope(info);
      this.evicted.delete(info.scope);
    }
  }

  /**
   * Drops idle scopes: nothing received for idleMs, every minute closed, and the data itself older
   * than the live window in which silence is still judged (so nothing is left to evaluate).
   */
  private evictIdle(now: number): void {
    if (this.idleMs === undefined) return;
    const gone: string[] = [];
    for (const [scope, tracker] of this.scopes) {
      const seen = tracker.maxSeen();
      if (tracker.minPending() !== null || now - (this.touchedAt.get(scope) ?? 0) < this.idleMs) continue;
      if (seen !== null && now - (seen + 1) * 60_000 < 3_600_000 + this.graceMs) continue;
      this.scopes.delete(scope);
      this.touchedAt.delete(scope);
      this.model.forget(scope);
      this.evicted.add(scope);
      gone.push(scope);
    }
    if (gone.length > 0) for (const l of this.evictionListeners) l(gone);
  }

  /** Listens to idle evictions (the service drops the scopes' Prometheus series). */
  onEvicted(listener: (scopes: string[]) => void): void {
    this.evictionListeners.push(listener);
  }

  /** Scopes whose state is in memory, and scopes evicted as idle (rebuilt when they return). */
  scopeCounts(): { active: number; evicted: number } {
    return { active: this.scopes.size, evicted: this.evicted.size };
  }

  /** Stores a batch (acknowledged only after commit), then evaluates every minute it completed. */
  async ingest(batch: MinuteBatch, opts: { complete?: boolean } = {}): Promise<IngestOutcome> {
    if (!this.groups) return this.ingestStep(batch, opts);
    let group: Engine['group'] = null;
    const outcome = await this.mutex.run(async () => {
      group = await this.joinGroup();
      return this.ingestStep(batch, opts, true);
    });
    // The answer waits for the commit that holds this request's rows (and its evaluation).
    await group!.done;
    return outcome;
  }

  /** The open group, opened (BEGIN) now if none is; its commit is scheduled for the next turn. */
  private async joinGroup(): Promise<NonNullable<Engine['group']>> {
    if (this.group) return this.group;
    await this.groups!.beginGroup();
    let resolve!: () => void;
    let reject!: (err: unknown) => void;
    const done = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
    done.catch(() => undefined); // a group whose every request failed has no one waiting
    const group = { done, resolve, reject, evaluated: false };
    this.group = group;
    setImmediate(() => {
      void this.mutex.run(async () => this.commitGroup());
    });
    return group;
  }

  /** Commits the open group (under the mutex). A failed commit lost rows memory already holds: rebuild. */
  private async commitGroup(): Promise<void> {
    const group = this.group;
    if (!group) return;
    this.group = null;
    try {
      await this.groups!.commitGroup();
      group.resolve();
      if (group.evaluated) for (const l of this.commitListeners) l();
    } catch (err) {
      this.stale = true;
      group.reject(err);
    }
  }

  private ingestStep(batch: MinuteBatch, opts: { complete?: boolean }, locked = false): Promise<IngestOutcome> {
    const step = async (): Promise<IngestOutcome> => {
      if (this.stale) await this.rebuild();
      if (this.evicted.size > 0) await this.restoreEvicted(batch);
      this.busySince = performance.now();
      const written = await this.store.writeBatch(batch);
      if (this.mustBreathe()) await this.breathe();
      this.stepStart = performance.now();
      this.stale = true; // until the evaluation below is saved
      const now = this.clock.now();
      const touches = this.touchRows(batch, opts, now);
      const rawMinutes = batch.raw.length > 0 ? await this.reloadRawMinutes(batch, touches) : [];
      if (this.writeListeners.length > 0) this.announceWritten(batch, rawMinutes);

      const evaluated: Assessment[] = [];
      const changes: AlertChange[] = [];
      const provisional: Assessment[] = [];
      for (let i = 0; i < touches.scopes.length;) {
        if (this.mustBreathe()) await this.breathe();
        i = this.closeTouched(touches, i, batch, opts, now, evaluated, changes, provisional);
      }
      if (this.mustBreathe()) await this.breathe();
      const alerts = await this.persist(evaluated, changes, now);
      this.stale = false;
      return { written, evaluated, alerts, provisional, late: touches.late };
    };
    return locked ? step() : this.mutex.run(step);
  }

  // The two loops of an ingest step run in plain methods rather than in the step's async closure:
  // the optimised code of an async function resumed after awaits walked arrays through iterator
  // objects (≈ 60 MB of garbage per 3 M rows of a backtest).

  /** Puts a batch's rows into their scopes' pending minutes. */
  private touchRows(batch: MinuteBatch, opts: { complete?: boolean }, now: number): BatchTouches {
    // With the whole batch declared complete, which statuses arrived does not matter.
    const touches = new BatchTouches((scope) => this.tracker(scope), now, opts.complete !== true);
    const counts = batch.counts;
    for (let i = 0; i < counts.length; i++) {
      const c = counts[i];
      const p = touches.entry(c.scope, c.minute);
      if (p === null) continue;
      p.counts[c.status] = c.count;
      touches.status(c.status);
    }
    const codes = batch.authCodes;
    for (let i = 0; i < codes.length; i++) {
      const a = codes[i];
      const p = touches.entry(a.scope, a.minute);
      if (p !== null) p.authCodes[a.authCode] = a.count;
    }
    return touches;
  }

  /**
   * Evaluates the minutes the batch completed in the touched scopes from index `from` on, until the
   * ingest must let the event loop run (see breathe); returns the index of the next scope.
   */
  private closeTouched(
    touches: BatchTouches, from: number, batch: MinuteBatch, opts: { complete?: boolean }, now: number,
    evaluated: Assessment[], changes: AlertChange[], provisional: Assessment[],
  ): number {
    let k = from;
    for (; k < touches.scopes.length; k++) {
      if (k > from && this.mustBreathe()) return k;
      const { tracker, minutes, statuses } = touches.scopes[k];
      const scope = tracker.scope;
      let through: EpochMinute = tracker.maxSeen()! - 1;
      for (let i = 0; i < minutes.length; i++) {
        const m = minutes[i];
        if (m <= through) continue;
        const declared = opts.complete === true || batch.completeMinutes?.get(scope)?.has(m) === true;
        const got = statuses[i];
        if (declared || (got !== null && tracker.coversKnownStatuses(got))) through = m;
      }
      const grace = tracker.graceClosedThrough(now, this.graceMs, 3_600_000);
      if (grace !== null && grace > through) through = grace;
      const before = evaluated.length;
      this.closeThrough(tracker, through, evaluated, changes);
      if (evaluated.length === before) {
        const latest = minutes.filter((m) => tracker.pending.has(m)).sort((a, b) => b - a)[0];
        const snap = latest === undefined ? null : tracker.peek(latest);
        if (snap) provisional.push(this.model.preview(snap));
      }
    }
    return k;
  }

  /** Closes minutes whose grace period has passed on the engine's clock (live timer, virtual clock). */
  tick(): Promise<EvaluationEvent> {
    return this.mutex.run(async () => {
      if (this.stale) await this.rebuild();
      this.stale = true; // until the evaluation below is saved
      this.stepStart = performance.now();
      const now = this.clock.now();
      const evaluated: Assessment[] = [];
      const changes: AlertChange[] = [];
      this.evictIdle(now);
      this.closeGraceExpired(now, evaluated, changes);
      const event = await this.persistEvent(evaluated, changes, now);
      this.stale = false;
      return event;
    });
  }

  /** Evaluates, in every scope, the minutes whose grace period has passed (a plain method: see touchRows). */
  private closeGraceExpired(now: number, evaluated: Assessment[], changes: AlertChange[]): void {
    for (const tracker of this.scopes.values()) {
      const through = tracker.graceClosedThrough(now, this.graceMs, 3_600_000);
      if (through !== null) this.closeThrough(tracker, through, evaluated, changes);
    }
  }

  /** Closes every pending minute (end of a file). */
  flush(): Promise<EvaluationEvent> {
    return this.mutex.run(async () => {
      if (this.stale) await this.rebuild();
      this.stale = true; // until the evaluation below is saved
      this.stepStart = performance.now();
      const evaluated: Assessment[] = [];
      const changes: AlertChange[] = [];
      for (const tracker of this.scopes.values()) {
        const seen = tracker.maxSeen();
        if (seen !== null) this.closeThrough(tracker, seen, evaluated, changes);
      }
      const event = await this.persistEvent(evaluated, changes, this.clock.now());
      this.stale = false;
      return event;
    });
  }

  scopeNames(): string[] {
    return [...this.scopes.keys()].sort();
  }

  lastEvaluated(scope: string): EpochMinute | null {
    return this.scopes.get(scope)?.lastEvaluated ?? null;
  }

  /** Waits until queued work is done (tests, shutdown). */
  idle(): Promise<void> {
    return this.mutex.run(async () => undefined);
  }

  /** Runs `fn` while no evaluation runs (the notification flush shares the engine's ordering). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.mutex.run(fn);
  }

  /**
   * Lets the event loop run (health checks, reads, other clients) when the current ingest has held
   * it for 50 ms: a large request is written, evaluated and saved in slices of the loop's time,
   * still under the mutex, so its effect stays atomic for other engine steps. Small requests never
   * yield. Callers ask `mustBreathe()` first: an `await` on every call, even one that does not
   * yield, made a promise and a microtask per scope of every ingest (≈ 3 % of a backtest).
   */
  private async breathe(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    this.busySince = performance.now();
  }

  /**
   * Has the current ingest held the event loop for 50 ms (see breathe)? The clock is read on every
   * 8th question only (asked once per scope of a batch; a backtest asks it 400 000 times per
   * 3 M rows): a yield comes at most 7 scopes' evaluations later.
   */
  private mustBreathe(): boolean {
    if ((++this.breathQuestions & 7) !== 0) return false;
    return performance.now() - this.busySince >= 50;
  }

  private tracker(scope: string): ScopeTracker {
    let t = this.scopes.get(scope);
    if (!t) this.scopes.set(scope, (t = new ScopeTracker(scope, null)));
    if (this.idleMs !== undefined) this.touchedAt.set(scope, this.clock.now());
    return t;
  }

  /** Evaluates minutes (lastEvaluated, through] of one scope in order; gaps become no-data minutes. */
  private closeThrough(tracker: ScopeTracker, through: EpochMinute, evaluated: Assessment[], changes: AlertChange[]): void {
    let next = tracker.lastEvaluated === null ? tracker.minPending() : tracker.lastEvaluated + 1;
    while (next !== null && next <= through) {
      if (!tracker.pending.has(next)) {
        // Skip long silences in one step: judging a day of empty minutes one by one says nothing new.
        const nextData = tracker.pending.minutes().filter((m) => m > next!).sort((a, b) => a - b)[0];
        const gapEnd = Math.min(through, nextData === undefined ? through : nextData - 1);
        if (gapEnd - next + 1 > this.maxGap) next = gapEnd - this.maxGap + 1;
      }
      if (this.recordExpectations && next === through) {
        this.lastExpectations.set(tracker.scope, { minute: next, baselines: this.model.baselines(tracker.scope) });
      }
      const assessment = this.model.evaluate(tracker.take(next));
      evaluated.push(assessment);
      for (const change of this.lifecycle.apply(assessment)) changes.push(change);
      this.minutesEvaluated++;
      next++;
    }
  }

  private async persist(evaluated: Assessment[], changes: AlertChange[], now: number): Promise<Alert[]> {
    return (await this.persistEvent(evaluated, changes, now)).alerts;
  }

  private async persistEvent(evaluated: Assessment[], changes: AlertChange[], now: number): Promise<EvaluationEvent> {
    if (evaluated.length === 0 && changes.length === 0) return { assessments: [], alerts: [], transitions: [], durationSeconds: 0 };
    const outbox = this.plan && changes.length > 0 ? this.plan(changes, now) : [];
    const saved = await this.store.saveEvaluation(evaluated, changes, outbox);
    this.lifecycle.adopt(saved);
    const transitions = changes.flatMap((c, i) => (c.transition && c.transition.from !== c.transition.to ? [{ alert: saved[i], from: c.transition.from, to: c.transition.to }] : []));
    const event = { assessments: evaluated, alerts: saved, transitions, durationSeconds: (performance.now() - this.stepStart) / 1000 };
    for (const l of this.listeners) l(event);
    if (this.group) this.group.evaluated = true;
    else for (const l of this.commitListeners) l();
    return event;
  }

  /**
   * Before the engine reads the store: a deferred group (PostgreSQL) is committed first, as reads
   * outside its transaction do not see its rows until then.
   */
  private async commitBeforeReading(): Promise<void> {
    const group = this.group;
    if (!group || !this.groups?.deferred) return;
    await this.commitGroup();
    await group.done; // a failed commit ends this step too: what it read would miss those rows
  }

  /** Raw transactions are deduplicated by the store; reload the minutes they touched from it. */
  private async reloadRawMinutes(batch: MinuteBatch, touches: BatchTouches): Promise<MinuteSnapshot[]> {
    // With a deferred group this commits the request's own raw rows (the answer waits for it anyway).
    await this.commitBeforeReading();
    const reloaded: MinuteSnapshot[] = [];
    const ranges = new Map<string, [EpochMinute, EpochMinute]>();
    for (const t of batch.raw) {
      const r = ranges.get(t.scope);
      if (!r) ranges.set(t.scope, [t.minute, t.minute]);
      else { r[0] = Math.min(r[0], t.minute); r[1] = Math.max(r[1], t.minute); }
    }
    const wanted = new Set(batch.raw.map((t) => `${t.scope}\u0000${t.minute}`));
    for (const [scope, [from, to]] of ranges) {
      for (const snap of (await this.snapshots(scope, from, to + 1)).values()) {
        if (!wanted.has(`${scope}\u0000${snap.minute}`)) continue;
        reloaded.push(snap);
        const p = touches.entry(scope, snap.minute);
        if (p === null) continue;
        p.counts = snap.counts;
        p.authCodes = snap.authCodes;
      }
    }
    return reloaded;
  }

  /** Tells the write listeners what the written minutes now hold: count rows as sent (they replace), raw minutes as reloaded. */
  private announceWritten(batch: MinuteBatch, rawMinutes: MinuteSnapshot[]): void {
    // Rows of one minute come together (parsers emit them so): one entry per run of rows with the
    // same scope and minute. A minute whose rows are spread gets several entries, which listeners
    // take in order exactly as one.
    const rows: WrittenMinute[] = [];
    let w: WrittenMinute | null = null;
    for (const c of batch.counts) {
      if (w === null || w.minute !== c.minute || w.scope !== c.scope) rows.push((w = { scope: c.scope, minute: c.minute, counts: [] }));
      w.counts.push([c.status, c.count]);
    }
    for (const snap of rawMinutes) rows.push({ scope: snap.scope, minute: snap.minute, counts: Object.entries(snap.counts) });
    for (const l of this.writeListeners) l(rows);
  }

  private async snapshots(scope: string, from: EpochMinute, to: EpochMinute): Promise<Map<EpochMinute, MinuteSnapshot>> {
    const out = new Map<EpochMinute, MinuteSnapshot>();
    const get = (m: EpochMinute) => {
      let s = out.get(m);
      if (!s) out.set(m, (s = { scope, minute: m, counts: dataMap<number>(), authCodes: dataMap<number>(), hasData: true }));
      return s;
    };
    for (const r of await this.store.readCounts(scope, from, to)) get(r.minute).counts[r.status] = r.count;
    for (const r of await this.store.readAuthCodes(scope, from, to)) get(r.minute).authCodes[r.authCode] = r.count;
    return out;
  }
}
