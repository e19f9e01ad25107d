/**
 * Generic webhook: POSTs Alertmanager's webhook payload, version "4", exactly — the fields and
 * their order as Alertmanager's Go encoder writes them (template.Data embedded first, then
 * version, groupKey, truncatedAlerts) — so any receiver written for Alertmanager works with txmon.
 *
 * Adds `Idempotency-Key: <notification id>` so a receiver can drop a retried delivery, plus
 * optional bearer or basic auth and custom headers. 2xx ok; 429/5xx retried; other 4xx permanent.
 */
import type { WebhookIntegration } from './webhookConfig.ts';
import type { Channel, DeliveryResult, Notification } from '../types.ts';
import { postJson, type HttpDeps } from './http.ts';

/** One alert in the v4 payload. */
export interface AlertmanagerWebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

/** Alertmanager webhook payload, version 4. */
export interface AlertmanagerWebhookPayload {
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: AlertmanagerWebhookAlert[];
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
}

/**
 * Builds the v4 body. `maxAlerts` > 0 keeps the first maxAlerts alerts and adds the rest to
 * truncatedAlerts (on top of what the notification already left out).
 */
export function webhookPayload(n: Notification, maxAlerts = 0): AlertmanagerWebhookPayload {
  const kept = maxAlerts > 0 && n.alerts.length > maxAlerts ? n.alerts.slice(0, maxAlerts) : n.alerts;
  return {
    receiver: n.receiver,
    status: n.status,
    alerts: kept.map((a) => ({
      status: a.status,
      labels: a.labels,
      annotations: a.annotations,
      startsAt: a.startsAt,
      endsAt: a.endsAt,
      generatorURL: a.generatorURL,
      fingerprint: a.fingerprint,
    })),
    groupLabels: n.groupLabels,
    commonLabels: n.commonLabels,
    commonAnnotations: n.commonAnnotations,
    externalURL: n.externalUrl,
    version: '4',
    groupKey: n.groupKey,
    truncatedAlerts: (n.truncatedAlerts ?? 0) + (n.alerts.length - kept.length),
  };
}

/** Headers of a webhook request: custom headers, then Idempotency-Key and auth (which win). */
export function webhookHeaders(n: Notification, cfg: Pick<WebhookIntegration, 'headers' | 'bearerToken' | 'basicAuth'>): Record<string, string> {
  const h: Record<string, string> = {};
  for (const [k, v] of Object.entries(cfg.headers)) h[k.toLowerCase()] = v;
  h['idempotency-key'] = n.id;
  if (cfg.bearerToken !== undefined) h.authorization = `Bearer ${cfg.bearerToken}`;
  else if (cfg.basicAuth !== undefined) {
    h.authorization = `Basic ${Buffer.from(`${cfg.basicAuth.username}:${cfg.basicAuth.password}`, 'utf8').toString('base64')}`;
  }
  return h;
}

/** A webhook channel (URL and secrets already env-resolved). */
export class WebhookChannel implements Channel {
  readonly type = 'webhook';
  readonly #cfg: WebhookIntegration;
  readonly #deps: HttpDeps;

  constructor(cfg: WebhookIntegration, deps: HttpDeps = {}) {
    this.#cfg = cfg;
    this.#deps = deps;
  }

  send(n: Notification, signal?: AbortSignal): Promise<DeliveryResult> {
    return postJson('webhook', this.#cfg.url, webhookPayload(n, this.#cfg.maxAlerts), webhookHeaders(n, this.#cfg), this.#cfg.timeoutMs, this.#deps, signal);
  }
}
