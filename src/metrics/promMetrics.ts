/**
 * Prometheus metrics (GET /metrics), on a registry of our own so tests can build many apps.
 *
 * Names follow Prometheus conventions: `txmon_` for txmon's own series, base units (seconds),
 * `_total` on counters; Node's default metrics keep their standard names (`process_*`,
 * `nodejs_*`) so stock Node.js dashboards work. The business series (transactions, expectations,
 * shares, anomaly score) are kept by BusinessMetrics (src/metrics/businessMetrics.ts); the list of
 * every series and its labels is in docs/integrations.md.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Severity } from '../domain/types.ts';
import { BusinessMetrics, type BusinessMetricsOptions } from './businessMetrics.ts';

/** Label values txmon_alerts_active always exports (at zero when no alert is in that cell). */
export const ALERT_STATES = ['pending', 'firing'] as const;
export const ALERT_SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];

const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class TxmonMetrics {
  readonly registry = new Registry();
  readonly rowsIngested = new Counter({ name: 'txmon_rows_ingested_total', help: 'Rows accepted by ingest, by kind', labelNames: ['kind'] as const, registers: [this.registry] });
  readonly requestsRejected = new Counter({ name: 'txmon_ingest_rejected_total', help: 'Ingest requests rejected, by error code', labelNames: ['code'] as const, registers: [this.registry] });
  readonly minutesEvaluated = new Counter({ name: 'txmon_minutes_evaluated_total', help: 'Scope-minutes evaluated by the engine', registers: [this.registry] });
  readonly alertsRaised = new Counter({ name: 'txmon_alerts_total', help: 'Alerts raised, by severity', labelNames: ['severity'] as const, registers: [this.registry] });
  /** Open alerts by state and severity; every (state, severity) pair is present, at 0 when empty. */
  readonly alertsActive = new Gauge({ name: 'txmon_alerts_active', help: 'Open alerts now, by state (pending, firing) and severity (info, warning, critical); 0 when none', labelNames: ['state', 'severity'] as const, registers: [this.registry] });
  readonly notifications = new Counter({ name: 'txmon_notifications_total', help: 'Notification delivery attempts, by integration and result (delivered, retry, failed, released; refreshed, refresh_failed for Alertmanager re-posts)', labelNames: ['receiver', 'result'] as const, registers: [this.registry] });
  readonly outboxPending = new Gauge({ name: 'txmon_outbox_pending', help: 'Notifications in the outbox not yet delivered or given up', registers: [this.registry] });
  readonly requestDuration = new Histogram({
    name: 'txmon_http_request_duration_seconds', help: 'HTTP request latency', labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [this.registry],
  });
  /** One ingest request: parse, store, evaluate, answer (the HTTP histogram also counts rejected ones). */
  readonly ingestDuration = new Histogram({
    name: 'txmon_ingest_duration_seconds', help: 'Accepted ingest requests from parse to answer, by kind (counts, auth_codes, raw)', labelNames: ['kind'] as const,
    buckets: SECONDS_BUCKETS, registers: [this.registry],
  });
  /** One engine step that evaluated minutes (an ingest or a tick), including the save. */
  readonly evaluationDuration = new Histogram({
    name: 'txmon_evaluation_duration_seconds', help: 'Engine evaluations that closed at least one minute: detect, alert lifecycle, plan and save',
    buckets: SECONDS_BUCKETS, registers: [this.registry],
  });
  /** One delivery attempt to one integration. */
  readonly notificationDuration = new Histogram({
    name: 'txmon_notification_duration_seconds', help: 'Notification delivery attempts, by integration type and result', labelNames: ['integration', 'result'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [this.registry],
  });
  readonly business: BusinessMetrics;

  constructor(opts: BusinessMetricsOptions = {}) {
    // No prefix: process_cpu_seconds_total, nodejs_heap_size_total_bytes… as every Node.js dashboard expects.
    collectDefaultMetrics({ register: this.registry });
    this.business = new BusinessMetrics(this.registry, opts);
    this.setAlertsActive([]);
    // Present from the start, at zero: dashboards and rate() see the series before the first event.
    for (const severity of ALERT_SEVERITIES) this.alertsRaised.inc({ severity }, 0);
    for (const kind of ['counts', 'auth_codes', 'raw']) this.ingestDuration.zero({ kind });
  }

  /**
   * Clustered mode's series (registered only there): lease changes by kind, partitions owned, and
   * each partition's consumer lag read from JetStream at scrape time.
   */
  enableCluster(source: { lag(): Promise<Array<{ partition: number; pending: number }>>; owned(): number }): { leaseChange(kind: string): void } {
    const changes = new Counter({ name: 'txmon_cluster_lease_changes_total', help: 'Partition leases this instance acquired, released (rebalance, shutdown) or lost (not renewed in time)', labelNames: ['kind'] as const, registers: [this.registry] });
    for (const kind of ['acquired', 'released', 'lost']) changes.inc({ kind }, 0);
    new Gauge({
      name: 'txmon_cluster_partition_lag', help: 'Ingest messages of the partition not yet processed and acknowledged by its owner (any instance), read from JetStream', labelNames: ['partition'] as const, registers: [this.registry],
      async collect() {
        this.reset();
        for (const { partition, pending } of await source.lag().catch(() => [])) this.set({ partition: String(partition) }, pending);
      },
    });
    new Gauge({
      name: 'txmon_cluster_partitions_owned', help: 'Partitions this instance owns now', registers: [this.registry],
      collect() { this.set(source.owned()); },
    });
    return { leaseChange: (kind) => changes.inc({ kind }) };
  }

  /** Sets txmon_alerts_active from the open alerts: every (state, severity) cell, 0 when empty. */
  setAlertsActive(open: ReadonlyArray<{ state: string; severity: Severity }>): void {
    const counts = new Map<string, number>();
    for (const a of open) counts.set(`${a.state}\u0000${a.severity}`, (counts.get(`${a.state}\u0000${a.severity}`) ?? 0) + 1);
    const severities = new Set<string>(ALERT_SEVERITIES);
    for (const a of open) severities.add(a.severity);
    this.alertsActive.reset();
    for (const state of ALERT_STATES) {
      for (const severity of severities) this.alertsActive.set({ state, severity }, counts.get(`${state}\u0000${severity}`) ?? 0);
    }
  }
}
