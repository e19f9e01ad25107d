/**
 * The notification side of a running txmon, assembled: the parsed `alerting:` config, one channel
 * per integration, the planner (rebuilt from the store on start), the silences it honours and the
 * delivery worker. src/service.ts wires it to the engine: `plan` runs inside each evaluation (its
 * outbox rows commit with the alert changes), `committed` after it, `flush` on the service tick.
 */
import { defaultAlertingInput, parseAlertingConfig, type AlertingConfig as AnyAlertingConfig } from '../alerting/config.ts';
import { notificationLogWindowMs } from '../alerting/routing.ts';
import type { Alert, AlertChange, OutboxEntry } from '../domain/types.ts';
import type { Silence } from '../alerting/silences.ts';
import type { TxmonMetrics } from '../metrics/promMetrics.ts';
import type { Clock } from '../domain/clock.ts';
import type { NotifyStore } from '../store/notifyStore.ts';
import type { AlertStore, EvaluationStore } from '../store/store.ts';
import { AlertmanagerChannel, createAllChannels, INTEGRATION_KINDS, type ChannelDeps, type Env, type IntegrationConfig, type ReceiverIntegration } from './channels/index.ts';
import { NotificationPlanner, type SentRecord } from './pipeline/planner.ts';
import { DeliveryWorker, type WorkerOptions } from './worker.ts';
import type { Channel, Notification } from './types.ts';
import { watchdogAlert } from './watchdog.ts';

/** The store roles notifications use: the outbox and silences, open and resolved alerts, and the outbox rows it writes. */
export type NotificationServiceStore = NotifyStore & Pick<AlertStore, 'openAlerts' | 'listAlerts'> & Pick<EvaluationStore, 'saveEvaluation'>;

export interface NotificationServiceOptions {
  store: NotificationServiceStore;
  /** The YAML `alerting:` section minus the lifecycle keys (TxmonConfig.alerting); empty = defaults. */
  alerting: Record<string, unknown>;
  /** Planning clock (the engine's): group_wait, group_interval, repeat_interval, silences. */
  clock: Clock;
  /** Environment for `${VAR}` references and the default receivers. Default process.env. */
  env?: Env;
  /** Base URL of links (the server's public URL, which folds in the deprecated `alerting.external_url`); Service.listen() sets it when none is configured. */
  externalUrl?: string;
  metrics?: TxmonMetrics;
  channelDeps?: ChannelDeps;
  /** Worker tuning (tests); the retry policy comes from `alerting.delivery`, retention from `alerting.outbox_retention`. */
  worker?: Partial<Pick<WorkerOptions, 'now' | 'batch' | 'leaseMs' | 'pollMs' | 'drainMs' | 'pruneEveryMs'>>;
  /** Runs `fn` exclusively with the engine's evaluations (the engine's mutex). */
  exclusive: <T>(fn: () => Promise<T>) => Promise<T>;
}

/** The `alerting:` section with txmon's integration kinds. */
export type AlertingConfig = AnyAlertingConfig<IntegrationConfig>;

/**
 * Reads the alerting section, its receivers holding any integration kind of src/notify/channels:
 * the configured one, or the documented defaults when it configures no receivers, routes or
 * inhibit rules — then its other keys (delivery, outbox_retention, external_url) still apply on
 * top of the defaults. `externalUrl` (the server's public_url) is the dashboard URL when neither
 * the section nor TXMON_EXTERNAL_URL (defaults only) sets one.
 */
export function alertingConfigOf(section: Record<string, unknown>, env: Env, externalUrl?: string): AlertingConfig {
  const routing = ['receivers', 'route', 'inhibit_rules'].some((k) => k in section);
  return parseAlertingConfig(routing ? section : { ...defaultAlertingInput(env), ...section }, { externalUrl, integrationKinds: INTEGRATION_KINDS });
}

/**
 * An alert's notification status in the shape of Alertmanager's API (`GettableAlert.status`):
 * `suppressed` while an active silence matches it or a firing alert inhibits it.
 */
export interface AlertNotifyStatus {
  state: 'active' | 'suppressed';
  /** Ids of the active silences that match the alert. */
  silencedBy: string[];
  /** Fingerprint of the firing alert that inhibits it (the first the planner finds, as it mutes by it); empty when not inhibited. */
  inhibitedBy: string[];
  /** Id of that alert, for links. */
  inhibitedByIds: number[];
}

export class NotificationService {
  readonly config: AlertingConfig;
  readonly planner: NotificationPlanner;
  readonly worker: DeliveryWorker;
  readonly store: NotifyStore;
  readonly clock: Clock;
  /** Integrations by name ("<receiver>/<type>[<n>]"). */
  readonly integrations: Map<string, ReceiverIntegration>;
  private readonly opts: NotificationServiceOptions;
  /** The current evaluation planned outbox rows (committed() wakes the worker only then). */
  private planned = false;
  /** The alertmanager_configs integrations: their firing alerts are re-posted on the tick. */
  private readonly alertmanagers: Array<{ name: string; channel: AlertmanagerChannel }>;
  private refreshing = false;
  /** Where delivery failures are logged (the service sets Fastify's logger). */
  log: { error(obj: object, msg: string): void; info(obj: object, msg: string): void } | undefined;

  private constructor(opts: NotificationServiceOptions, config: AlertingConfig, byReceiver: Map<string, ReceiverIntegration[]>, store: NotifyStore) {
    this.opts = opts;
    this.config = config;
    this.store = store;
    this.clock = opts.clock;
    const m = opts.metrics;
    // The worker's view of each integration times every delivery attempt (txmon_notification_duration_seconds).
    this.integrations = new Map([...byReceiver.values()].flat().map((i) => [i.name, m ? { ...i, channel: timedChannel(i.channel, m) } : i]));
    this.planner = new NotificationPlanner({ config, integrations: byReceiver });
    this.alertmanagers = [...byReceiver.values()].flat()
      .flatMap((i) => (i.channel instanceof AlertmanagerChannel ? [{ name: i.name, channel: i.channel }] : []));
    for (const am of this.alertmanagers) {
      am.channel.alertIds = async (fps) => {
        const wanted = new Set(fps);
        return new Map((await opts.store.openAlerts()).filter((a) => wanted.has(a.fingerprint)).map((a) => [a.fingerprint, a.id]));
      };
    }
    for (const type of new Set([...this.integrations.values()].map((i) => i.type))) m?.notificationDuration.zero({ integration: type, result: 'ok' });
    this.worker = new DeliveryWorker({
      store,
      integrations: this.integrations,
      policy: {
        initialMs: config.delivery.initialBackoffMs,
        maxMs: config.delivery.maxBackoffMs,
        maxAttempts: config.delivery.maxAttempts,
        giveUpAfterMs: config.delivery.giveUpAfterMs,
        random: Math.random, // the edge: jitter must differ between processes
      },
      retentionMs: config.outboxRetentionMs,
      ...opts.worker,
      onAttempt: (row, result, outcome) => {
        m?.notifications.inc({ receiver: row.receiver, result: outcome });
        if (outcome === 'failed') this.log?.error({ id: row.id, receiver: row.receiver, detail: result.detail }, 'notification failed permanently');
      },
      onPending: (n) => m?.outboxPending.set(n),
      onPruned: (n) => {
        if (n > 0) this.log?.info({ rows: n, retention: config.outboxRetentionMs }, 'pruned finished outbox rows');
      },
      onError: (err) => this.log?.error({ err }, 'delivery round failed'),
    });
  }

  /** Parses the config, creates the channels (env references checked now), rebuilds the planner. */
  static async create(opts: NotificationServiceOptions): Promise<NotificationService> {
    const env = opts.env ?? process.env;
    const config = alertingConfigOf(opts.alerting, env, opts.externalUrl);
    const channels = createAllChannels(config.receivers, env, opts.channelDeps);
    const svc = new NotificationService(opts, config, channels, opts.store);
    await svc.restore();
    return svc;
  }

  /** Rebuilds the planner's groups from open alerts and the outbox (what each integration was last told). */
  private async restore(): Promise<void> {
    const now = this.clock.now();
    const since = now - notificationLogWindowMs(this.planner.root);
    const rows = await this.store.listOutbox({ since, limit: 100_000 });
    const sent: SentRecord[] = rows.map((r) => ({ integration: r.receiver, createdAt: r.createdAt, notification: r.payload as Notification }));
    const open = await this.opts.store.openAlerts();
    const resolved = await this.opts.store.listAlerts({ state: 'resolved', from: since, limit: 10_000 });
    this.planner.restore(open, sent, resolved, now);
    // What each Alertmanager was last told is firing: kept alive by the next refresh (if still open).
    for (const am of this.alertmanagers) {
      for (const r of rows.filter((x) => x.receiver === am.name).sort((a, b) => a.createdAt - b.createdAt)) am.channel.remember(r.payload as Notification);
    }
    await this.reloadSilences();
  }

  /** Re-reads the silences (after the API changed one; on each tick for other replicas' changes). */
  async reloadSilences(): Promise<Silence[]> {
    const silences = await this.store.listSilences(this.clock.now());
    this.planner.setSilences(silences);
    return silences;
  }

  /**
   * The notification status of `alerts` now, by alert id: for open (pending or firing) alerts,
   * whether the planner would mute them — its own inhibit and silence stages, over the open
   * alerts and the silences as the store has them. Resolved alerts are left out.
   */
  async alertStatuses(alerts: readonly Alert[]): Promise<Map<number, AlertNotifyStatus>> {
    const out = new Map<number, AlertNotifyStatus>();
    const asked = alerts.filter((a) => a.state !== 'resolved');
    if (asked.length === 0) return out;
    const now = this.clock.now();
    const [open, silences] = await Promise.all([this.opts.store.openAlerts(), this.store.listSilences(now)]);
    const idOf = new Map(open.map((a) => [a.fingerprint, a.id]));
    const mutes = this.planner.muteStates(asked, open, silences, now);
    for (const a of asked) {
      const m = mutes.get(a.fingerprint) ?? null;
      const inhibitedBy = m?.inhibitedBy === undefined ? [] : [m.inhibitedBy];
      out.set(a.id, {
        state: m ? 'suppressed' : 'active',
        silencedBy: m?.silencedBy ?? [],
        inhibitedBy,
        inhibitedByIds: inhibitedBy.map((fp) => idOf.get(fp)).filter((id): id is number => id !== undefined),
      });
    }
    return out;
  }

  /** The engine's planNotifications hook. */
  plan(changes: AlertChange[], now: number): OutboxEntry[] {
    const entries = this.planner.plan(changes, now);
    if (entries.length > 0) this.planned = true;
    return entries;
  }

  /**
   * After an evaluation was stored: keep the plan, and send at once when it wrote outbox rows.
   * An evaluation that planned nothing does not wake the worker: no outbox query per request
   * while nothing is pending (retries come due on the worker's own timer, nextDueAt).
   */
  committed(): void {
    this.planner.commit();
    if (this.planned) {
      this.planned = false;
      this.worker.wake();
    }
  }

  /** Writes notifications of groups that came due (group_wait / group_interval / repeat). */
  flush(): Promise<number> {
    return this.opts.exclusive(async () => {
      const entries = this.planner.flush(this.clock.now());
      if (entries.length > 0) await this.opts.store.saveEvaluation([], [], entries);
      this.planner.commit();
      if (entries.length > 0) this.worker.wake();
      return entries.length;
    });
  }

  /**
   * Plans the always-firing Watchdog alert (alerting.watchdog.enabled) through the routes: at
   * start and after a reload; its route's repeat_interval repeats it while txmon runs.
   */
  async startWatchdog(startedAt: number): Promise<void> {
    if (!this.config.watchdog.enabled) return;
    await this.opts.exclusive(async () => {
      const entries = this.planner.plan([{ alert: watchdogAlert(startedAt) }], this.clock.now());
      if (entries.length > 0) await this.opts.store.saveEvaluation([], [], entries);
      this.planner.commit();
      if (entries.length > 0) this.worker.wake();
    });
  }

  /** Service tick: pick up silence changes, flush due groups, keep alerts alive in Alertmanagers. */
  async tick(): Promise<void> {
    await this.reloadSilences();
    await this.flush();
    if (this.alertmanagers.length > 0 && !this.refreshing) {
      this.refreshing = true;
      // Not awaited: a slow Alertmanager must not hold up the engine's tick.
      this.refreshAlertmanagers().catch((err) => this.log?.error({ err }, 'alertmanager refresh failed')).finally(() => { this.refreshing = false; });
    }
  }

  /** Re-posts the alerts each Alertmanager integration keeps alive that txmon still holds firing. */
  async refreshAlertmanagers(): Promise<void> {
    const firing = new Set((await this.opts.store.openAlerts()).filter((a) => a.state === 'firing').map((a) => a.fingerprint));
    for (const am of this.alertmanagers) {
      const r = await am.channel.refresh(firing);
      if (r === null) continue;
      this.opts.metrics?.notifications.inc({ receiver: am.name, result: r.ok ? 'refreshed' : 'refresh_failed' });
      if (!r.ok) this.log?.error({ receiver: am.name, detail: r.detail }, 'alertmanager refresh failed (retried at the next resend_interval)');
    }
  }

  /** Sets the base URL of links in notifications planned from now on (no trailing slash). */
  setExternalUrl(url: string): void {
    this.config.externalUrl = url.replace(/\/+$/, '');
  }

  start(): void {
    this.worker.start();
  }

  stop(): Promise<void> {
    return this.worker.stop();
  }
}

/** A channel whose sends are observed in txmon_notification_duration_seconds{integration,result}. */
function timedChannel(channel: Channel, metrics: TxmonMetrics): Channel {
  return {
    type: channel.type,
    async send(n, signal) {
      const t0 = performance.now();
      let result = 'error';
      try {
        const r = await channel.send(n, signal);
        result = r.ok ? 'ok' : r.retryable ? 'retryable' : 'permanent';
        return r;
      } finally {
        metrics.notificationDuration.observe({ integration: channel.type, result }, (performance.now() - t0) / 1000);
      }
    },
  };
}
