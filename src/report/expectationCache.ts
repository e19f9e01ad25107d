/**
 * Incremental replay for the live dashboard. loadPanelData needs, for every minute of the range,
 * the stored counts and what the detection model expected before evaluating that minute; a
 * one-off replay gets them by running a fresh model over up to MAX_WARMUP_MINUTES of history on
 * every request. The dashboard polls, so this cache keeps, per scope, one model that has already
 * replayed the stored minutes, the next minute it has to replay (its cursor) and the panel minutes
 * of a recent window. A request reads only the minutes after the cursor, advances the model over
 * them and serves the range from the window — the same numbers a one-off replay started at the
 * cache's first minute gives (the model is deterministic).
 *
 * Which minutes the model may learn from: only those the engine has closed (≤ the scope's last
 * evaluated minute). A minute still filling would otherwise be learned half-full. The one minute
 * after the cursor, if the range ends there, is read fresh and given the model's current
 * expectations without being evaluated; a range with more unclosed minutes falls back to the
 * one-off replay. Rows that arrive for a minute after it was replayed (late rows, which the engine
 * stores without judging again) are not seen until the scope's replay is rebuilt.
 *
 * Rebuilt when the scope's first stored minute moves, the detector configuration changes, or the
 * cursor is so far behind that replaying from scratch reads less.
 */
import type { EpochMinute } from '../domain/types.ts';
import type { ScopeInfo } from '../store/store.ts';
import { Mutex } from '../domain/mutex.ts';
import {
  expectationsOf, MAX_WARMUP_MINUTES, RANGES, readSnapshots, silentMinute, warmStart,
  type MinuteCache, type PanelMinute, type PanelSource, type ReplayModel,
} from './panels.ts';

/** Scopes kept by default; the least recently used is dropped first. */
export const DEFAULT_CACHE_SCOPES = 16;
/** Minutes of panel minutes kept by default: the longest named range plus two hours. */
export const DEFAULT_CACHE_WINDOW = Math.max(...Object.values(RANGES).filter((r): r is number => r !== null)) + 120;

export interface ExpectationCacheOptions {
  maxScopes?: number;
  windowMinutes?: number;
}

/** Counters for tests and diagnostics. */
export interface ExpectationCacheStats {
  /** Replays started from scratch (first request, eviction, rebuild). */
  builds: number;
  /** Minutes the cached models evaluated. */
  replayed: number;
  /** Requests served from the cache. */
  served: number;
  /** Requests the cache could not serve exactly (the caller replays once). */
  fallbacks: number;
}

/** One scope's running replay. */
interface Replay {
  configKey: string;
  firstMinute: EpochMinute;
  model: ReplayModel;
  /** First minute the model evaluated. */
  start: EpochMinute;
  /** Next minute to evaluate: every minute before it is in the model. */
  cursor: EpochMinute;
  /** Panel minutes [windowStart, cursor). */
  window: Map<EpochMinute, PanelMinute>;
  windowStart: EpochMinute;
}

/** A scope's entry: the lock outlives rebuilds, so one scope never replays twice at once. */
interface Slot {
  lock: Mutex;
  replay: Replay | null;
}

/** End of the minutes the model may learn from: those the engine has closed, at most the last stored. */
function settledEnd(info: ScopeInfo): EpochMinute {
  if (info.lastEvaluated === null) return info.firstMinute;
  return Math.max(info.firstMinute, Math.min(info.lastEvaluated, info.lastMinute) + 1);
}

export class ExpectationCache implements MinuteCache {
  readonly maxScopes: number;
  readonly windowMinutes: number;
  readonly stats: ExpectationCacheStats = { builds: 0, replayed: 0, served: 0, fallbacks: 0 };
  /** Insertion order = recency: a used slot is moved to the end, the first one is evicted. */
  private readonly slots = new Map<string, Slot>();
  private readonly configKeys = new WeakMap<object, string>();

  constructor(opts: ExpectationCacheOptions = {}) {
    this.maxScopes = opts.maxScopes ?? DEFAULT_CACHE_SCOPES;
    this.windowMinutes = opts.windowMinutes ?? DEFAULT_CACHE_WINDOW;
    if (!Number.isInteger(this.maxScopes) || this.maxScopes < 1) throw new RangeError(`maxScopes must be a positive integer, got ${this.maxScopes}`);
    if (!Number.isInteger(this.windowMinutes) || this.windowMinutes < 1) throw new RangeError(`windowMinutes must be a positive integer, got ${this.windowMinutes}`);
  }

  /** Scopes held, least recently used first. */
  scopes(): string[] {
    return [...this.slots.keys()];
  }

  /** First minute the scope's cached model evaluated (a one-off replay from it gives the same numbers); null when not cached. */
  replayStart(scope: string): EpochMinute | null {
    return this.slots.get(scope)?.replay?.start ?? null;
  }

  /** Next minute the scope's cached model will evaluate; null when not cached. */
  cursor(scope: string): EpochMinute | null {
    return this.slots.get(scope)?.replay?.cursor ?? null;
  }

  minutes(src: PanelSource, info: ScopeInfo, from: EpochMinute, to: EpochMinute): Promise<PanelMinute[] | null> {
    const slot = this.use(info.scope);
    return slot.lock.run(async () => {
      try {
        return await this.serve(slot, src, info, from, to);
      } catch (e) {
        // A failed read leaves no half-advanced model behind: the next request starts over.
        slot.replay = null;
        throw e;
      }
    });
  }

  private use(scope: string): Slot {
    let slot = this.slots.get(scope);
    if (slot) this.slots.delete(scope);
    else slot = { lock: new Mutex(), replay: null };
    this.slots.set(scope, slot);
    if (this.slots.size > this.maxScopes) this.slots.delete(this.slots.keys().next().value!);
    return slot;
  }

  private configKey(detect: object): string {
    let key = this.configKeys.get(detect);
    if (key === undefined) this.configKeys.set(detect, (key = JSON.stringify(detect)));
    return key;
  }

  private async serve(slot: Slot, src: PanelSource, info: ScopeInfo, from: EpochMinute, to: EpochMinute): Promise<PanelMinute[] | null> {
    const scope = info.scope;
    const configKey = this.configKey(src.detect);
    const settled = settledEnd(info);
    let r = slot.replay;
    if (r && (r.configKey !== configKey || r.firstMinute !== info.firstMinute || settled - r.cursor > MAX_WARMUP_MINUTES + this.windowMinutes)) {
      r = slot.replay = null;
    }
    if (!r) {
      const windowStart = Math.max(info.firstMinute, settled - this.windowMinutes);
      // A range older than the window would be a one-off replay anyway: do not build for it.
      if (from < windowStart) return this.fallback();
      const model = src.newModel();
      const start = warmStart(model, info.firstMinute, windowStart);
      r = slot.replay = { configKey, firstMinute: info.firstMinute, model, start, cursor: start, window: new Map(), windowStart };
      this.stats.builds++;
    }

    // Evaluate the closed minutes after the cursor; read the one open minute ending the range with them.
    const target = Math.max(r.cursor, settled);
    const servable = to <= target + 1;
    const readEnd = servable ? Math.max(target, to) : target;
    const snaps = readEnd > r.cursor ? await readSnapshots(src.store, scope, r.cursor, readEnd) : new Map();
    for (let m = r.cursor; m < target; m++) {
      const s = snaps.get(m) ?? silentMinute(scope, m);
      if (m >= r.windowStart) r.window.set(m, { counts: s.counts, hasData: s.hasData, expectations: expectationsOf(r.model, scope) });
      r.model.evaluate(s);
    }
    this.stats.replayed += target - r.cursor;
    r.cursor = target;
    for (const keepFrom = r.cursor - this.windowMinutes; r.windowStart < keepFrom; r.windowStart++) r.window.delete(r.windowStart);

    if (!servable || from < r.windowStart) return this.fallback();
    const out: PanelMinute[] = [];
    for (let m = from; m < Math.min(to, r.cursor); m++) out.push(r.window.get(m)!);
    if (to > r.cursor) {
      const s = snaps.get(r.cursor) ?? silentMinute(scope, r.cursor);
      out.push({ counts: s.counts, hasData: s.hasData, expectations: expectationsOf(r.model, scope) });
    }
    this.stats.served++;
    return out;
  }

  private fallback(): null {
    this.stats.fallbacks++;
    return null;
  }
}
