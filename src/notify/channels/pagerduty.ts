/**
 * PagerDuty Events API v2. A firing group triggers an incident, a resolved group resolves it.
 * The dedup_key is the SHA-256 of the group key (as Alertmanager does), so every notification of
 * one group — trigger, re-trigger, resolve — refers to the same incident.
 *
 * PagerDuty answers 202 {"status":"success","dedup_key":…}; 400 means the event is invalid
 * (permanent); 429 and 5xx are retried.
 */
import { createHash } from 'node:crypto';
import type { PagerDutyIntegration } from './pagerdutyConfig.ts';
import type { Severity } from '../../domain/types.ts';
import { notificationSeverity, type Channel, type DeliveryResult, type Notification } from '../types.ts';
import { alertFacts, alertTitle, groupTitle, subjectLine, truncate } from './format.ts';
import { isHttpUrl as isHttp, postJson, type HttpDeps } from './http.ts';

export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

/** txmon severity → PagerDuty severity (none has no PagerDuty counterpart and maps to info). */
export const PAGERDUTY_SEVERITY: Record<Severity, PagerDutySeverity> = { critical: 'critical', warning: 'warning', info: 'info', none: 'info' };

export interface PagerDutyEvent {
  routing_key: string;
  event_action: 'trigger' | 'resolve';
  dedup_key: string;
  client?: string;
  client_url?: string;
  payload?: {
    summary: string;
    source: string;
    severity: PagerDutySeverity;
    timestamp?: string;
    component?: string;
    group?: string;
    class?: string;
    custom_details: Record<string, unknown>;
  };
  links?: { href: string; text: string }[];
}

/** The dedup key of a notification: SHA-256 hex of its group key (test notifications get their own). */
export function pagerDutyDedupKey(n: Pick<Notification, 'groupKey' | 'id' | 'test'>): string {
  const key = n.test ? `test:${n.id}` : n.groupKey;
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Builds the Events API v2 body (pure; exported for tests and docs). */
export function pagerDutyEvent(n: Notification, cfg: Omit<PagerDutyIntegration, 'type' | 'sendResolved' | 'timeoutMs' | 'url'>): PagerDutyEvent {
  const ev: PagerDutyEvent = {
    routing_key: cfg.routingKey,
    event_action: n.status === 'firing' ? 'trigger' : 'resolve',
    dedup_key: pagerDutyDedupKey(n),
  };
  if (cfg.client) ev.client = cfg.client;
  const clientUrl = cfg.clientUrl ?? n.externalUrl;
  if (isHttp(clientUrl)) ev.client_url = clientUrl;
  // A resolve needs only the key; PagerDuty ignores a payload on resolve (Alertmanager omits it too).
  if (ev.event_action === 'resolve') return ev;

  const firing = n.alerts.filter((a) => a.status === 'firing');
  const lead = firing[0] ?? n.alerts[0];
  const summary = truncate(`${subjectLine(n)}${lead ? ` — ${alertTitle(lead)}` : ''}`, 1024);
  ev.payload = {
    summary,
    source: cfg.source || (n.commonLabels.scope ? `txmon scope=${n.commonLabels.scope}` : 'txmon'),
    severity: PAGERDUTY_SEVERITY[notificationSeverity(n)],
    timestamp: lead?.startsAt,
    custom_details: {
      group: groupTitle(n),
      firing: firing.length + (n.truncatedAlerts ?? 0),
      resolved: n.alerts.length - firing.length,
      group_labels: n.groupLabels,
      alerts: n.alerts.map((a) => ({ ...alertFacts(a), starts_at: a.startsAt, fingerprint: a.fingerprint, url: a.generatorURL })),
      ...(n.test ? { test: true } : {}),
    },
  };
  if (cfg.component) ev.payload.component = cfg.component;
  if (cfg.group) ev.payload.group = cfg.group;
  if (cfg.class) ev.payload.class = cfg.class;
  const links: { href: string; text: string }[] = [];
  if (lead && isHttp(lead.generatorURL)) links.push({ href: lead.generatorURL, text: 'Alert in txmon' });
  if (isHttp(n.externalUrl) && n.externalUrl !== lead?.generatorURL) links.push({ href: n.externalUrl, text: 'txmon dashboard' });
  if (links.length > 0) ev.links = links;
  return ev;
}

/** A PagerDuty channel (routing key and URL already env-resolved). */
export class PagerDutyChannel implements Channel {
  readonly type = 'pagerduty';
  readonly #cfg: PagerDutyIntegration;
  readonly #deps: HttpDeps;

  constructor(cfg: PagerDutyIntegration, deps: HttpDeps = {}) {
    this.#cfg = cfg;
    this.#deps = deps;
  }

  send(n: Notification, signal?: AbortSignal): Promise<DeliveryResult> {
    return postJson('pagerduty', this.#cfg.url, pagerDutyEvent(n, this.#cfg), {}, this.#cfg.timeoutMs, this.#deps, signal);
  }
}
