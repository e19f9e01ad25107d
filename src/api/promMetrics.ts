/** Prometheus metrics (GET /metrics), on a registry of our own so tests can build many apps. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class TxmonMetrics {
  readonly registry = new Registry();
  readonly rowsIngested = new Counter({ name: 'txmon_rows_ingested_total', help: 'Rows accepted by ingest, by kind', labelNames: ['kind'] as const, registers: [this.registry] });
  readonly requestsRejected = new Counter({ name: 'txmon_ingest_rejected_total', help: 'Ingest requests rejected, by error code', labelNames: ['code'] as const, registers: [this.registry] });
  readonly minutesEvaluated = new Counter({ name: 'txmon_minutes_evaluated_total', help: 'Scope-minutes evaluated by the engine', registers: [this.registry] });
  readonly alertsRaised = new Counter({ name: 'txmon_alerts_total', help: 'Alerts raised, by severity', labelNames: ['severity'] as const, registers: [this.registry] });
  readonly alertsOpen = new Gauge({ name: 'txmon_alerts_open', help: 'Open (pending or firing) alerts, by severity', labelNames: ['severity'] as const, registers: [this.registry] });
  readonly anomalyScore = new Gauge({ name: 'txmon_anomaly_score', help: 'Anomaly score of the latest evaluated minute, by scope', labelNames: ['scope'] as const, registers: [this.registry] });
  readonly notifications = new Counter({ name: 'txmon_notifications_total', help: 'Notification delivery attempts, by integration and result (delivered, retry, failed, released)', labelNames: ['receiver', 'result'] as const, registers: [this.registry] });
  readonly outboxPending = new Gauge({ name: 'txmon_outbox_pending', help: 'Notifications in the outbox not yet delivered or given up', registers: [this.registry] });
  readonly requestDuration = new Histogram({
    name: 'txmon_http_request_duration_seconds', help: 'HTTP request latency', labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'txmon_process_' });
  }
}
