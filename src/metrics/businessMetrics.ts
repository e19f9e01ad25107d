/**
 * The business series on /metrics: what txmon counts and expects, per scope and status, in the
 * shape Prometheus and Grafana expect.
 *
 * - `txmon_transactions_total{scope,status}` — a counter of transactions. txmon's inputs are
 *   per-minute counts that may be re-posted (a corrected minute replaces the earlier count), so
 *   the counter remembers, per scope-minute-status, the largest count it has counted and moves by
 *   the positive difference only: posting 100 then re-posting 100 counts 100; re-posting 120
 *   adds 20; a correction down to 90 adds nothing (a counter never goes down). Raw transactions
 *   count once per transaction id (the store deduplicates them). The memory covers the last
 *   `window` minutes behind each scope's newest minute (seeded from the store at start, so a
 *   restart does not count a re-post again); rows for older minutes — history backfills — are
 *   stored and evaluated but do not move the counter, which would otherwise show a day of
 *   history as a burst at the scrape that saw it.
 * - `txmon_observed_transactions`, `txmon_expected_transactions`, `…_lower`, `…_upper`
 *   `{scope,status}` — the last evaluated minute: its count, and what the model expected for it
 *   with the band of normal values (mean ± 3 sd of the count model), read before the minute was
 *   evaluated.
 * - `txmon_status_share{scope,status}` — status / total in the last evaluated minute (0..1).
 * - `txmon_anomaly_score{scope}` (0..100) and `txmon_last_evaluated_timestamp_seconds{scope}`.
 *
 * Cardinality: at most `maxSeries` scope × status pairs are exported (first come, first kept);
 * observations of further pairs are counted in `txmon_business_series_dropped_total` and the
 * pairs kept in `txmon_business_series`. Scope-level series follow their scope's first pair.
 *
 * Cost: ingest calls `written` and `evaluated` for every request, so they only update plain
 * fields; the prom-client series are filled from those fields when /metrics is scraped (each
 * metric's `collect`). Setting a labelled prom-client series hashes its labels on every call:
 * ≈ 10 % of an ingest request's CPU when done per minute and status (issue #15 profile).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Assessment, EpochMinute } from '../domain/types.ts';

/** Defaults, documented in docs/integrations.md (config keys metrics.max_series, metrics.transactions_window_minutes). */
export const BUSINESS_METRICS_DEFAULTS = { maxSeries: 2000, windowMinutes: 180 } as const;

export interface BusinessMetricsOptions {
  /** Most scope × status pairs exported. */
  maxSeries?: number;
  /** Minutes behind a scope's newest minute whose re-posts are recognised; older rows do not count. */
  windowMinutes?: number;
}

/** An expectation for one status of the minute about to be evaluated (the model's count baseline). */
export interface StatusExpectation {
  status: string;
  expected: number;
  low: number;
  high: number;
}

/** One exported scope × status pair: its series' values (undefined: that series was never set). */
interface Pair {
  readonly labels: { scope: string; status: string };
  /** txmon_transactions_total. */
  counted: number;
  observed: number | undefined;
  share: number | undefined;
  expected: number | undefined;
  lower: number | undefined;
  upper: number | undefined;
}

interface ScopeMemory {
  readonly labels: { scope: string };
  newest: EpochMinute;
  /** minute -> status -> largest count counted. */
  minutes: Map<EpochMinute, Map<string, number>>;
  /** Statuses of this scope exported so far, in the order they came (their gauges read 0 when a minute lacks them). */
  pairs: Map<string, Pair>;
  score: number | undefined;
  lastEvaluated: number | undefined;
}

type PairSeries = 'observed' | 'share' | 'expected' | 'lower' | 'upper';

export class BusinessMetrics {
  readonly maxSeries: number;
  readonly windowMinutes: number;
  private readonly seriesKept: Gauge;
  private readonly dropped: Counter;
  private readonly scopes = new Map<string, ScopeMemory>();
  private pairs = 0;

  constructor(registry: Registry, opts: BusinessMetricsOptions = {}) {
    this.maxSeries = opts.maxSeries ?? BUSINESS_METRICS_DEFAULTS.maxSeries;
    this.windowMinutes = opts.windowMinutes ?? BUSINESS_METRICS_DEFAULTS.windowMinutes;
    const registers = [registry];
    const labelNames = ['scope', 'status'] as const;
    const scopes = this.scopes;
    new Counter({
      name: 'txmon_transactions_total', help: 'Transactions counted, by scope and status; a re-posted minute adds only its increase over the count already counted', labelNames, registers,
      collect() {
        this.reset();
        for (const mem of scopes.values()) for (const p of mem.pairs.values()) this.inc(p.labels, p.counted);
      },
    });
    const pairGauge = (name: string, help: string, field: PairSeries) => new Gauge({
      name, help, labelNames, registers,
      collect() {
        this.reset();
        for (const mem of scopes.values()) {
          for (const p of mem.pairs.values()) {
            const v = p[field];
            if (v !== undefined) this.set(p.labels, v);
          }
        }
      },
    });
    pairGauge('txmon_observed_transactions', 'Transactions in the last evaluated minute, by scope and status', 'observed');
    pairGauge('txmon_expected_transactions', 'Transactions the model expected in the last evaluated minute, by scope and status', 'expected');
    pairGauge('txmon_expected_transactions_lower', 'Lower bound of the normal band (expected - 3 sd, at least 0) for the last evaluated minute', 'lower');
    pairGauge('txmon_expected_transactions_upper', 'Upper bound of the normal band (expected + 3 sd) for the last evaluated minute', 'upper');
    pairGauge('txmon_status_share', 'Share of the status in the last evaluated minute (status / total, 0..1)', 'share');
    const scopeGauge = (name: string, help: string, field: 'score' | 'lastEvaluated') => new Gauge({
      name, help, labelNames: ['scope'] as const, registers,
      collect() {
        this.reset();
        for (const mem of scopes.values()) {
          const v = mem[field];
          if (v !== undefined) this.set(mem.labels, v);
        }
      },
    });
    scopeGauge('txmon_anomaly_score', 'Anomaly score (0..100) of the last evaluated minute, by scope', 'score');
    scopeGauge('txmon_last_evaluated_timestamp_seconds', 'Start of the last evaluated minute (Unix seconds), by scope', 'lastEvaluated');
    this.seriesKept = new Gauge({ name: 'txmon_business_series', help: 'Scope × status pairs exported (at most metrics.max_series)', registers });
    this.dropped = new Counter({ name: 'txmon_business_series_dropped_total', help: 'Observations of scope × status pairs not exported because metrics.max_series was reached', registers });
    this.seriesKept.set(0);
  }

  /** The exported (scope, status) pair; admitted while there is room, else null (counted as dropped). */
  private admit(scope: string, status: string): Pair | null {
    let mem = this.scopes.get(scope);
    const known = mem?.pairs.get(status);
    if (known !== undefined) return known;
    if (this.pairs >= this.maxSeries) {
      this.dropped.inc();
      return null;
    }
    if (!mem) {
      mem = { labels: { scope }, newest: Number.NEGATIVE_INFINITY, minutes: new Map(), pairs: new Map(), score: undefined, lastEvaluated: undefined };
      this.scopes.set(scope, mem);
    }
    const pair: Pair = { labels: { scope, status }, counted: 0, observed: undefined, share: undefined, expected: undefined, lower: undefined, upper: undefined };
    mem.pairs.set(status, pair);
    this.pairs++;
    this.seriesKept.set(this.pairs);
    return pair;
  }

  /**
   * Moves the scope's window to include `minute`; false when the minute is older than the window.
   * Minutes that left the window are never read again (the window only moves forward), so they are
   * swept once the memory holds twice the window, not on every new minute (a walk of 180 entries
   * per request).
   */
  private inWindow(mem: ScopeMemory, minute: EpochMinute): boolean {
    if (minute > mem.newest) {
      mem.newest = minute;
      if (mem.minutes.size >= 2 * this.windowMinutes) {
        const cutoff = minute - this.windowMinutes;
        for (const m of mem.minutes.keys()) if (m <= cutoff) mem.minutes.delete(m);
      }
    }
    return minute > mem.newest - this.windowMinutes;
  }

  /** The largest counts counted for a minute of the scope (created empty). */
  private minuteOf(mem: ScopeMemory, minute: EpochMinute): Map<string, number> {
    let m = mem.minutes.get(minute);
    if (!m) mem.minutes.set(minute, (m = new Map()));
    return m;
  }

  /** Remembers stored counts without counting them (start-up: minutes counted before a restart). */
  seed(scope: string, minute: EpochMinute, status: string, count: number): void {
    if (!this.admit(scope, status)) return;
    const mem = this.scopes.get(scope)!;
    if (!this.inWindow(mem, minute)) return;
    const m = this.minuteOf(mem, minute);
    m.set(status, Math.max(m.get(status) ?? 0, count));
  }

  /** A stored minute's counts (the full value per status after the write): counts the increase. */
  written(scope: string, minute: EpochMinute, counts: Iterable<[string, number]>): void {
    for (const [status, count] of counts) {
      const pair = this.admit(scope, status);
      if (!pair) continue;
      const mem = this.scopes.get(scope)!;
      if (!this.inWindow(mem, minute)) continue;
      const m = this.minuteOf(mem, minute);
      const before = m.get(status) ?? 0;
      if (count > before) {
        pair.counted += count - before;
        m.set(status, count);
      }
    }
  }

  /** An evaluated minute and what the model expected for it (null: no expectation recorded). */
  evaluated(a: Assessment, expectations: readonly StatusExpectation[] | null): void {
    const counts = a.metrics.counts;
    const total = a.metrics.total;
    // Every status of the minute, then the expected ones, then those exported before (read 0).
    const observe = (status: string) => {
      const pair = this.admit(a.scope, status);
      if (!pair) return;
      const n = Object.hasOwn(counts, status) ? counts[status] : 0;
      pair.observed = n;
      pair.share = total > 0 ? n / total : 0;
      const e = expectations?.find((x) => x.status === status);
      if (e) {
        pair.expected = e.expected;
        pair.lower = e.low;
        pair.upper = e.high;
      }
    };
    for (const status in counts) observe(status);
    if (expectations) for (const e of expectations) if (!Object.hasOwn(counts, e.status)) observe(e.status);
    const mem = this.scopes.get(a.scope);
    if (mem) {
      for (const status of mem.pairs.keys()) {
        if (!Object.hasOwn(counts, status) && !expectations?.some((x) => x.status === status)) observe(status);
      }
    }
    // A scope with at least one exported pair exports its score.
    if (mem) {
      mem.score = a.anomalyScore;
      mem.lastEvaluated = a.minute * 60;
    }
  }

  /** Forgets a scope and removes its series (the engine stopped tracking it). */
  removeScope(scope: string): void {
    const mem = this.scopes.get(scope);
    if (!mem) return;
    this.pairs -= mem.pairs.size;
    this.seriesKept.set(this.pairs);
    this.scopes.delete(scope);
  }
}
