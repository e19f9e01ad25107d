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

interface ScopeMemory {
  newest: EpochMinute;
  /** minute -> status -> largest count counted. */
  minutes: Map<EpochMinute, Map<string, number>>;
  /** Statuses of this scope exported so far (their gauges are set to 0 when a minute lacks them). */
  statuses: Set<string>;
}

export class BusinessMetrics {
  readonly maxSeries: number;
  readonly windowMinutes: number;
  private readonly transactions: Counter<'scope' | 'status'>;
  private readonly observed: Gauge<'scope' | 'status'>;
  private readonly expected: Gauge<'scope' | 'status'>;
  private readonly lower: Gauge<'scope' | 'status'>;
  private readonly upper: Gauge<'scope' | 'status'>;
  private readonly share: Gauge<'scope' | 'status'>;
  private readonly score: Gauge<'scope'>;
  private readonly lastEvaluated: Gauge<'scope'>;
  private readonly seriesKept: Gauge;
  private readonly dropped: Counter;
  private readonly scopes = new Map<string, ScopeMemory>();
  private pairs = 0;

  constructor(registry: Registry, opts: BusinessMetricsOptions = {}) {
    this.maxSeries = opts.maxSeries ?? BUSINESS_METRICS_DEFAULTS.maxSeries;
    this.windowMinutes = opts.windowMinutes ?? BUSINESS_METRICS_DEFAULTS.windowMinutes;
    const registers = [registry];
    const labelNames = ['scope', 'status'] as const;
    this.transactions = new Counter({ name: 'txmon_transactions_total', help: 'Transactions counted, by scope and status; a re-posted minute adds only its increase over the count already counted', labelNames, registers });
    this.observed = new Gauge({ name: 'txmon_observed_transactions', help: 'Transactions in the last evaluated minute, by scope and status', labelNames, registers });
    this.expected = new Gauge({ name: 'txmon_expected_transactions', help: 'Transactions the model expected in the last evaluated minute, by scope and status', labelNames, registers });
    this.lower = new Gauge({ name: 'txmon_expected_transactions_lower', help: 'Lower bound of the normal band (expected - 3 sd, at least 0) for the last evaluated minute', labelNames, registers });
    this.upper = new Gauge({ name: 'txmon_expected_transactions_upper', help: 'Upper bound of the normal band (expected + 3 sd) for the last evaluated minute', labelNames, registers });
    this.share = new Gauge({ name: 'txmon_status_share', help: 'Share of the status in the last evaluated minute (status / total, 0..1)', labelNames, registers });
    this.score = new Gauge({ name: 'txmon_anomaly_score', help: 'Anomaly score (0..100) of the last evaluated minute, by scope', labelNames: ['scope'] as const, registers });
    this.lastEvaluated = new Gauge({ name: 'txmon_last_evaluated_timestamp_seconds', help: 'Start of the last evaluated minute (Unix seconds), by scope', labelNames: ['scope'] as const, registers });
    this.seriesKept = new Gauge({ name: 'txmon_business_series', help: 'Scope × status pairs exported (at most metrics.max_series)', registers });
    this.dropped = new Counter({ name: 'txmon_business_series_dropped_total', help: 'Observations of scope × status pairs not exported because metrics.max_series was reached', registers });
    this.seriesKept.set(0);
  }

  /** Is the (scope, status) pair exported? Admits it while there is room. */
  private admit(scope: string, status: string): ScopeMemory | null {
    let mem = this.scopes.get(scope);
    if (mem?.statuses.has(status)) return mem;
    if (this.pairs >= this.maxSeries) {
      this.dropped.inc();
      return null;
    }
    if (!mem) this.scopes.set(scope, (mem = { newest: Number.NEGATIVE_INFINITY, minutes: new Map(), statuses: new Set() }));
    mem.statuses.add(status);
    this.pairs++;
    this.seriesKept.set(this.pairs);
    this.transactions.inc({ scope, status }, 0);
    return mem;
  }

  private memoryOf(scope: string): ScopeMemory | undefined {
    return this.scopes.get(scope);
  }

  /** Moves the scope's window to include `minute`; false when the minute is older than the window. */
  private inWindow(mem: ScopeMemory, minute: EpochMinute): boolean {
    if (minute > mem.newest) {
      mem.newest = minute;
      const cutoff = minute - this.windowMinutes;
      for (const m of mem.minutes.keys()) if (m <= cutoff) mem.minutes.delete(m);
    }
    return minute > mem.newest - this.windowMinutes;
  }

  /** Remembers stored counts without counting them (start-up: minutes counted before a restart). */
  seed(scope: string, minute: EpochMinute, status: string, count: number): void {
    const mem = this.admit(scope, status);
    if (!mem || !this.inWindow(mem, minute)) return;
    let m = mem.minutes.get(minute);
    if (!m) mem.minutes.set(minute, (m = new Map()));
    m.set(status, Math.max(m.get(status) ?? 0, count));
  }

  /** A stored minute's counts (the full value per status after the write): counts the increase. */
  written(scope: string, minute: EpochMinute, counts: Iterable<[string, number]>): void {
    for (const [status, count] of counts) {
      const mem = this.admit(scope, status);
      if (!mem || !this.inWindow(mem, minute)) continue;
      let m = mem.minutes.get(minute);
      if (!m) mem.minutes.set(minute, (m = new Map()));
      const before = m.get(status) ?? 0;
      if (count > before) {
        this.transactions.inc({ scope, status }, count - before);
        m.set(status, count);
      }
    }
  }

  /** An evaluated minute and what the model expected for it (null: no expectation recorded). */
  evaluated(a: Assessment, expectations: readonly StatusExpectation[] | null): void {
    const counts = a.metrics.counts;
    const statuses = new Set(Object.keys(counts));
    for (const e of expectations ?? []) statuses.add(e.status);
    for (const s of this.memoryOf(a.scope)?.statuses ?? []) statuses.add(s);
    const total = a.metrics.total;
    const byStatus = new Map((expectations ?? []).map((e) => [e.status, e]));
    let any = false;
    for (const status of statuses) {
      const mem = this.admit(a.scope, status);
      if (!mem) continue;
      any = true;
      const n = Object.hasOwn(counts, status) ? counts[status] : 0;
      const labels = { scope: a.scope, status };
      this.observed.set(labels, n);
      this.share.set(labels, total > 0 ? n / total : 0);
      const e = byStatus.get(status);
      if (e) {
        this.expected.set(labels, e.expected);
        this.lower.set(labels, e.low);
        this.upper.set(labels, e.high);
      }
    }
    if (any || this.scopes.has(a.scope)) {
      this.score.set({ scope: a.scope }, a.anomalyScore);
      this.lastEvaluated.set({ scope: a.scope }, a.minute * 60);
    }
  }

  /** Forgets a scope and removes its series (the engine stopped tracking it). */
  removeScope(scope: string): void {
    const mem = this.scopes.get(scope);
    if (!mem) return;
    for (const status of mem.statuses) {
      const labels = { scope, status };
      for (const g of [this.transactions, this.observed, this.expected, this.lower, this.upper, this.share]) g.remove(labels);
    }
    this.score.remove({ scope });
    this.lastEvaluated.remove({ scope });
    this.pairs -= mem.statuses.size;
    this.seriesKept.set(this.pairs);
    this.scopes.delete(scope);
  }
}
