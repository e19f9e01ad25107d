/**
 * What notify delivers and what a channel answers. A `Notification` is one message about one
 * alert group to one receiver, shaped like Alertmanager's template data so the webhook channel
 * can send the Alertmanager v4 payload as is.
 *
 * Also the small pure helpers that build one from domain alerts (`toNotifiedAlert`,
 * `buildNotification`), so every caller computes status, common labels and the idempotency id
 * the same way.
 */
import { createHash } from 'node:crypto';
import type { Alert, Severity } from '../domain/types.ts';
import { SEVERITY_RANK, maxSeverity } from '../domain/types.ts';

/** The "no end" time Alertmanager writes in endsAt of open alerts (Go's zero time). */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

export interface Notification {
  /** Stable idempotency key: the same notification has the same id across retries and restarts. */
  id: string;
  receiver: string;
  /** "firing" when any alert in it fires, else "resolved". */
  status: 'firing' | 'resolved';
  groupKey: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  alerts: NotifiedAlert[];
  /** Dashboard base URL, no trailing slash. */
  externalUrl: string;
  /** Alerts left out of `alerts` by the sender (counted, not shown). */
  truncatedAlerts?: number;
  /** A test notification (e.g. `txmon notify test`): channels mark it visibly. */
  test?: boolean;
}

export interface NotifiedAlert {
  status: 'firing' | 'resolved';
  fingerprint: string;
  labels: Record<string, string>;
  /** summary, description, observed, expected, score, explanation… */
  annotations: Record<string, string>;
  /** ISO 8601. */
  startsAt: string;
  /** ISO 8601, or ZERO_TIME ('0001-01-01T00:00:00Z') while open, as Alertmanager does. */
  endsAt: string;
  generatorURL: string;
  severity: Severity;
}

export interface DeliveryResult {
  ok: boolean;
  /** Worth trying again later (429, 5xx, network error, timeout, SMTP 4xx). */
  retryable: boolean;
  /** HTTP status or SMTP reply code, when there was one. */
  status?: number;
  /** Server-requested wait (Retry-After), ms. */
  retryAfterMs?: number;
  /** What the receiver answered, short. */
  detail: string;
}

export interface Channel {
  readonly type: string;
  send(n: Notification, signal?: AbortSignal): Promise<DeliveryResult>;
}

// ---------------------------------------------------------------------------------------------

export interface NotifiedAlertOptions {
  /** Dashboard base URL (no trailing slash); generatorURL defaults to `${externalUrl}/alerts/${id}`. */
  externalUrl: string;
  /** Extra annotations (e.g. runbook_url). */
  annotations?: Record<string, string>;
}

/** Formats a number for people: integers as is, else up to 4 significant digits. */
export function formatNumber(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return 'n/a';
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(4)));
}

/**
 * An alert's labels as routing, grouping, inhibition, silences and receivers see them: its own
 * labels plus `alertname` (the rule) and `severity`, as Alertmanager expects.
 */
export function alertLabels(a: Pick<Alert, 'labels' | 'rule' | 'severity'>): Record<string, string> {
  return { ...a.labels, alertname: a.rule, severity: a.severity };
}

/**
 * Turns a domain alert into the notified form: labels as alertLabels gives them (the same the
 * planner routed by), the numbers in annotations.
 * A pending alert is reported as firing (it is only notified once it fires).
 */
export function toNotifiedAlert(a: Alert, opts: NotifiedAlertOptions): NotifiedAlert {
  const resolved = a.state === 'resolved';
  const annotations: Record<string, string> = {
    summary: a.summary,
    description: a.explanation,
    observed: formatNumber(a.observed),
    expected: formatNumber(a.expected),
    score: formatNumber(a.score),
    ...(opts.annotations ?? {}),
  };
  return {
    status: resolved ? 'resolved' : 'firing',
    fingerprint: a.fingerprint,
    labels: alertLabels(a),
    annotations,
    startsAt: new Date(a.startsAt).toISOString(),
    endsAt: resolved && a.endsAt !== null ? new Date(a.endsAt).toISOString() : ZERO_TIME,
    generatorURL: `${opts.externalUrl}/alerts/${a.id}`,
    severity: a.severity,
  };
}

function common(maps: readonly Record<string, string>[]): Record<string, string> {
  if (maps.length === 0) return {};
  const out: Record<string, string> = { ...maps[0] };
  for (const m of maps.slice(1)) for (const k of Object.keys(out)) if (m[k] !== out[k]) delete out[k];
  return sortKeys(out);
}

function sortKeys(m: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(m).sort()) out[k] = m[k];
  return out;
}

/**
 * The idempotency id of a notification: a hash of receiver, group key, the firing and resolved
 * fingerprints (sorted) and `seq`. The same group state sent to the same receiver gives the
 * same id, so a retry or a re-send after a restart is recognisable; pass a `seq` (e.g. the
 * repeat number or the flush time) to make a deliberate repeat a new notification.
 */
export function notificationId(receiver: string, groupKey: string, alerts: readonly Pick<NotifiedAlert, 'status' | 'fingerprint'>[], seq: string | number = ''): string {
  const firing = alerts.filter((a) => a.status === 'firing').map((a) => a.fingerprint).sort();
  const resolved = alerts.filter((a) => a.status === 'resolved').map((a) => a.fingerprint).sort();
  const h = createHash('sha256').update(JSON.stringify([receiver, groupKey, firing, resolved, String(seq)])).digest('hex');
  return h.slice(0, 32);
}

export interface BuildNotificationInput {
  receiver: string;
  groupKey: string;
  groupLabels: Record<string, string>;
  alerts: readonly NotifiedAlert[];
  externalUrl: string;
  /** See notificationId. */
  seq?: string | number;
  /** Show at most this many alerts (most severe, then oldest, first); the rest are counted. */
  maxAlerts?: number;
  test?: boolean;
}

/**
 * Assembles a Notification: status (firing if any alert fires), common labels/annotations (the
 * pairs all alerts share, as Alertmanager computes them), a stable id, alerts ordered firing
 * first, most severe first, then by start time and fingerprint, so the payload is deterministic.
 */
export function buildNotification(input: BuildNotificationInput): Notification {
  const ordered = [...input.alerts].sort(
    (a, b) =>
      (a.status === b.status ? 0 : a.status === 'firing' ? -1 : 1) ||
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      (a.startsAt < b.startsAt ? -1 : a.startsAt > b.startsAt ? 1 : 0) ||
      (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0),
  );
  const shown = input.maxAlerts !== undefined && input.maxAlerts > 0 ? ordered.slice(0, input.maxAlerts) : ordered;
  const n: Notification = {
    id: notificationId(input.receiver, input.groupKey, input.alerts, input.seq),
    receiver: input.receiver,
    status: ordered.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    groupKey: input.groupKey,
    groupLabels: sortKeys(input.groupLabels),
    commonLabels: common(ordered.map((a) => a.labels)),
    commonAnnotations: common(ordered.map((a) => a.annotations)),
    alerts: shown,
    externalUrl: input.externalUrl.replace(/\/+$/, ''),
  };
  if (ordered.length > shown.length) n.truncatedAlerts = ordered.length - shown.length;
  if (input.test) n.test = true;
  return n;
}

/** The highest severity among the firing alerts (or among all, when none fires). */
export function notificationSeverity(n: Pick<Notification, 'alerts'>): Severity {
  const firing = n.alerts.filter((a) => a.status === 'firing');
  const pool = firing.length > 0 ? firing : n.alerts;
  let best: Severity = 'none';
  for (const a of pool) best = maxSeverity(best, a.severity);
  return best;
}
