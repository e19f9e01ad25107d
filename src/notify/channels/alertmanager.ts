/**
 * Push to an Alertmanager a team already runs (`alertmanager_configs`): POSTs txmon's alerts to
 * `<url>/api/v2/alerts` of every configured Alertmanager as Prometheus does — labels
 * (alertname, scope, status, severity), annotations (summary, description/explanation, observed,
 * expected, observed_vs_expected, score), startsAt, endsAt and a generatorURL pointing at the
 * alert's page in txmon (`<public_url>/alerts/<id>`).
 *
 * Alertmanager resolves an alert on its own at its endsAt. Like Prometheus, firing alerts are sent
 * with endsAt = now + 4 × resend_interval and posted again every resend_interval while they fire
 * (`refresh`, driven by the notification service's tick), so they stay active exactly as long as
 * txmon keeps them firing; a resolved alert is sent once with its real end. Alertmanager
 * deduplicates by labels, so a re-post or a retried delivery is harmless.
 *
 * A delivery succeeds when every Alertmanager accepted it; if one fails the attempt is retried
 * (to all of them: idempotent). 2xx ok; 408/429/5xx and network errors retryable; other 4xx
 * permanent.
 */
import type { AlertmanagerIntegration } from './alertmanagerConfig.ts';
import type { Channel, DeliveryResult, NotifiedAlert, Notification } from '../types.ts';
import { postJson, type HttpDeps } from './http.ts';

const FINGERPRINT_LINK = /^(.*)\/alerts\?fingerprint=([0-9a-f]+)$/;

/** One alert as Alertmanager's POST /api/v2/alerts takes it (PostableAlert). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
}

/**
 * The PostableAlert of a notified alert at wall-clock `now`. A firing alert ends `horizonMs` after
 * now unless re-posted; a resolved one ends when txmon resolved it, but not after now (txmon's
 * minutes may run ahead of the wall clock, and Alertmanager keeps an alert whose end is still to
 * come active) and not before it started (Alertmanager refuses that).
 */
export function postableAlert(a: NotifiedAlert, now: number, horizonMs: number): PostableAlert {
  const starts = Date.parse(a.startsAt);
  const annotations: Record<string, string> = { ...a.annotations };
  if (annotations.description !== undefined && annotations.explanation === undefined) annotations.explanation = annotations.description;
  if (annotations.observed !== undefined && annotations.expected !== undefined) {
    annotations.observed_vs_expected = `observed ${annotations.observed} vs expected ${annotations.expected}`;
  }
  return {
    labels: a.labels,
    annotations,
    startsAt: a.startsAt,
    endsAt: new Date(a.status === 'resolved'
      ? Math.max(starts, Math.min(Date.parse(a.endsAt), now))
      : Math.max(starts, now) + horizonMs).toISOString(),
    generatorURL: a.generatorURL,
  };
}

export interface AlertmanagerDeps extends HttpDeps {
  /** Wall clock for endsAt (Alertmanager compares it with its own clock). Default Date.now. */
  now?: () => number;
}

export class AlertmanagerChannel implements Channel {
  readonly type = 'alertmanager';
  readonly #cfg: AlertmanagerIntegration;
  readonly #deps: AlertmanagerDeps;
  /** Alerts this integration last told Alertmanager are firing, by fingerprint: re-posted by refresh. */
  readonly #firing = new Map<string, NotifiedAlert>();
  #lastRefresh = 0;
  /**
   * Alert ids by fingerprint (the notification service sets it to read the store): a newly firing
   * alert is planned before the store gives it an id, so its notification links to
   * `/alerts?fingerprint=…`; Alertmanager gets the `/alerts/<id>` page link instead.
   */
  alertIds: ((fingerprints: string[]) => Promise<Map<string, number>>) | undefined;

  constructor(cfg: AlertmanagerIntegration, deps: AlertmanagerDeps = {}) {
    this.#cfg = cfg;
    this.#deps = deps;
  }

  get resendIntervalMs(): number {
    return this.#cfg.resendIntervalMs;
  }

  /** Fingerprints being kept alive in Alertmanager. */
  get firing(): string[] {
    return [...this.#firing.keys()];
  }

  #now(): number {
    return (this.#deps.now ?? Date.now)();
  }

  #headers(): Record<string, string> {
    const h: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.#cfg.headers)) h[k.toLowerCase()] = v;
    if (this.#cfg.bearerToken !== undefined) h.authorization = `Bearer ${this.#cfg.bearerToken}`;
    else if (this.#cfg.basicAuth !== undefined) {
      h.authorization = `Basic ${Buffer.from(`${this.#cfg.basicAuth.username}:${this.#cfg.basicAuth.password}`, 'utf8').toString('base64')}`;
    }
    return h;
  }

  /** Records what a notification told (firing alerts kept alive, resolved ones dropped) without sending: restart. */
  remember(n: Pick<Notification, 'alerts'>): void {
    for (const a of n.alerts) {
      if (a.status === 'firing') this.#firing.set(a.fingerprint, a);
      else this.#firing.delete(a.fingerprint);
    }
  }

  /** Replaces `/alerts?fingerprint=<fp>` links by `/alerts/<id>` where the id is known now. */
  async #linked(alerts: NotifiedAlert[]): Promise<NotifiedAlert[]> {
    const byFp = alerts.filter((a) => FINGERPRINT_LINK.test(a.generatorURL));
    if (byFp.length === 0 || !this.alertIds) return alerts;
    let ids: Map<string, number>;
    try {
      ids = await this.alertIds(byFp.map((a) => a.fingerprint));
    } catch {
      return alerts; // the fingerprint link still works
    }
    return alerts.map((a) => {
      const id = ids.get(a.fingerprint);
      const m = FINGERPRINT_LINK.exec(a.generatorURL);
      if (id === undefined || !m) return a;
      const linked = { ...a, generatorURL: `${m[1]}/alerts/${id}` };
      if (this.#firing.has(a.fingerprint)) this.#firing.set(a.fingerprint, linked);
      return linked;
    });
  }

  async #post(given: NotifiedAlert[], signal?: AbortSignal): Promise<DeliveryResult> {
    if (given.length === 0) return { ok: true, retryable: false, detail: 'nothing to send' };
    const alerts = await this.#linked(given);
    const now = this.#now();
    const body = alerts.map((a) => postableAlert(a, now, 4 * this.#cfg.resendIntervalMs));
    const results = await Promise.all(this.#cfg.urls.map((url) =>
      postJson('alertmanager', `${url}/api/v2/alerts`, body, this.#headers(), this.#cfg.timeoutMs, this.#deps, signal)));
    const failed = results.filter((r) => !r.ok);
    if (failed.length === 0) return { ...results[0], detail: `${alerts.length} alert(s) to ${results.length} Alertmanager(s)` };
    return {
      ok: false,
      retryable: failed.some((r) => r.retryable),
      status: failed[0].status,
      retryAfterMs: failed.map((r) => r.retryAfterMs).find((x) => x !== undefined),
      detail: failed.map((r) => r.detail).join('; '),
    };
  }

  async send(n: Notification, signal?: AbortSignal): Promise<DeliveryResult> {
    // Kept alive from now on even if this attempt fails: the retry and the refresh both re-post.
    this.remember(n);
    return this.#post(n.alerts, signal);
  }

  /**
   * Re-posts the alerts still firing (`open`: fingerprints txmon holds firing now) once
   * resend_interval has passed since the last refresh; forgets the others. Returns the result,
   * or null when it was not time yet or nothing fires.
   */
  async refresh(open: ReadonlySet<string>, signal?: AbortSignal): Promise<DeliveryResult | null> {
    for (const fp of [...this.#firing.keys()]) if (!open.has(fp)) this.#firing.delete(fp);
    const now = this.#now();
    if (this.#firing.size === 0 || now - this.#lastRefresh < this.#cfg.resendIntervalMs) return null;
    this.#lastRefresh = now;
    return this.#post([...this.#firing.values()], signal);
  }
}
