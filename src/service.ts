/**
 * Assembles a running txmon: store, engine (rebuilt from the store), HTTP app, the live tick that
 * closes minutes by grace period, and optional demo traffic. `txmon serve` and the integration
 * tests both start the service through here.
 */
import type { FastifyInstance } from 'fastify';
import type { TxmonConfig } from './config/config.ts';
import { openStore } from './store/open.ts';
import type { SeriesStore, Store } from './store/store.ts';
import type { Engine } from './engine/engine.ts';
import { engineFromConfig } from './engine/fromConfig.ts';
import { wallClock, type Clock } from './domain/clock.ts';
import { buildApp } from './api/app.ts';
import { AccessControl } from './api/auth.ts';
import { TxmonMetrics } from './metrics/promMetrics.ts';
import { EventHub } from './api/events.ts';
import type { AppContext } from './api/context.ts';
import { minuteToIso } from './domain/time.ts';
import { hostname } from 'node:os';
import { isStoreUnavailable } from './store/unavailable.ts';
import { TxmonError } from './domain/errors.ts';
import { pruneAll, type PruneReport } from './store/retention.ts';

/** Loopback addresses: only this machine can connect. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
import { NotificationService, type NotificationServiceOptions } from './notify/service.ts';
import { Heartbeat } from './notify/watchdog.ts';
import { ClusterNode } from './cluster/node.ts';
import { ownedEngineStore, ownedNotifyStore } from './cluster/ownedStore.ts';
import { clusterSettingsChecked } from './cluster/settings.ts';

export interface ServiceOptions {
  config: TxmonConfig;
  clock?: Clock;
  logger?: boolean | object;
  /** Store to use instead of opening config.storeUrl (tests). */
  store?: Store;
  /** Notification pipeline overrides (tests, bench): environment, channel deps, worker tuning. */
  notify?: Pick<NotificationServiceOptions, 'env' | 'channelDeps' | 'worker'>;
  /**
   * Where a reload (SIGHUP, POST /-/reload) reads the configuration again: `txmon serve` passes
   * a function that re-reads the config file. Without it, reload answers that there is nothing
   * to reload from.
   */
  configSource?: () => TxmonConfig;
}

/** What a reload did. */
export interface ReloadResult {
  /** The alerting section (routes, receivers, inhibit rules, delivery, watchdog) now in force. */
  reloaded: 'alerting';
  receivers: string[];
  /** Top-level keys that changed but need a restart to apply (server, store, engine…). */
  restartNeeded: string[];
}

export interface Service {
  app: FastifyInstance;
  ctx: AppContext;
  /** Listens on config.port/host; returns the base URL. */
  listen(): Promise<string>;
  /** Runs retention once now (the service also runs it every retention.interval_minutes). */
  prune(): Promise<PruneReport[]>;
  /**
   * Reloads the alerting configuration (as Alertmanager does on SIGHUP): reads it again,
   * validates it whole (schema, receivers, environment references) and only then swaps the
   * notification pipeline, rebuilt from the store like a restart; a bad config leaves the
   * running one in place and throws TXMON_ERR_CONFIG.
   */
  reload(): Promise<ReloadResult>;
  close(): Promise<void>;
}

export async function createService(opts: ServiceOptions): Promise<Service> {
  const { config } = opts;
  // Clustered mode: checked before anything opens (a node id, a PostgreSQL store).
  const clusterSettings = config.cluster ? clusterSettingsChecked(config.cluster, opts.store?.dialect ?? config.storeUrl) : undefined;
  const store = opts.store ?? (await openStore(config.storeUrl, { sqliteSynchronous: config.sqliteSynchronous }));
  // In a cluster this instance evaluates only the scopes of the partitions it owns (src/cluster).
  let clusterNode: ClusterNode | undefined;
  const owns = (scope: string) => clusterNode?.owns(scope) ?? false;
  const notifyStore = clusterSettings ? ownedNotifyStore(store, owns) : store;
  const metrics = new TxmonMetrics({ maxSeries: config.metrics.maxSeries, windowMinutes: config.metrics.windowMinutes });
  const events = new EventHub();
  const clock = opts.clock ?? wallClock;
  // The engine is created after the pipeline (it plans inside evaluations), and the pipeline's
  // flush runs under the engine's mutex: the late binding closes that loop.
  let engineRef: Engine | undefined;
  const notifyOptions = (alerting: Record<string, unknown>, publicUrl: string | undefined): NotificationServiceOptions => ({
    store: notifyStore, alerting, externalUrl: publicUrl, clock, metrics, ...opts.notify,
    exclusive: (fn) => (engineRef ? engineRef.exclusive(fn) : fn()),
  });
  // Replaced by a reload: every user reads the variable (or ctx.notifications) at call time.
  let notifications = await NotificationService.create(notifyOptions(config.alerting, config.publicUrl));
  const engine = engineFromConfig(config, {
    // In a cluster the engine reads and writes the scopes of the partitions this instance owns.
    store: clusterSettings ? ownedEngineStore(store, owns) : store, clock,
    planNotifications: (changes, now) => notifications.plan(changes, now),
    // SQLite: the requests of one event-loop turn share one commit (answered after it).
    groupCommit: true,
  });
  engineRef = engine;
  // Counts must reach back as far as the engine replays on start, or a restart forgets baselines.
  const historyDays = Math.ceil(engine.model.historyMinutes / 1440) + 1;
  for (const kind of ['minute_counts', 'auth_code_counts'] as const) {
    const days = config.retention.days[kind];
    if (days > 0 && days < historyDays) {
      // Refused after the store and the delivery worker were opened: close them, or their handles
      // keep the process (a test runner, an embedding program) alive.
      await notifications.stop();
      if (!opts.store) await store.close();
      throw new TxmonError('TXMON_ERR_CONFIG', `retention.${kind}_days must be 0 (forever) or at least ${historyDays}: the detection replays ${historyDays - 1} days of history on start`);
    }
  }
  engine.recordExpectations = true;
  await engine.start();
  await seedTransactionCounter(store, metrics);
  engine.onWritten((rows) => {
    for (const r of rows) metrics.business.written(r.scope, r.minute, r.counts);
  });
  // Wakes the delivery worker once the outbox rows an evaluation planned are committed (with group
  // commit: at the group's commit; before it, PostgreSQL's other connections cannot see them).
  engine.onCommitted(() => notifications.committed());
  // Scopes that left memory leave /metrics too (no series per scope forever).
  engine.onEvicted((scopes) => { for (const scope of scopes) metrics.business.removeScope(scope); });
  let lastEvaluationAt: number | null = null;
  // Live events: in a cluster every instance's evaluations reach every instance's SSE clients.
  const publishEvent = (type: string, make: () => unknown) => {
    if (clusterNode) clusterNode.publishEvent(type, make());
    else if (!clusterSettings) events.publishWith(type, make);
  };
  engine.onEvaluated(({ assessments, alerts, transitions, durationSeconds }) => {
    metrics.minutesEvaluated.inc(assessments.length);
    if (assessments.length > 0) lastEvaluationAt = Date.now();
    if (assessments.length > 0) metrics.evaluationDuration.observe(durationSeconds);
    for (const a of assessments) {
      const e = engine.lastExpectations.get(a.scope);
      const expectations = e && e.minute === a.minute
        ? e.baselines.filter((b) => b.metric === 'count').map((b) => ({ status: b.status, expected: b.expected, low: b.band[0], high: b.band[1] }))
        : null;
      metrics.business.evaluated(a, expectations);
    }
    for (const t of transitions) if (t.from === null) metrics.alertsRaised.inc({ severity: t.alert.severity });
    if (assessments.length > 0) {
      publishEvent('minutes', () => assessments.map((a) => ({ ...a, minute: minuteToIso(a.minute) })));
    }
    if (alerts.length > 0) publishEvent('alerts', () => alerts.map((a) => a.id));
  });
  const ctx: AppContext = { config, store, engine, access: new AccessControl(config.tokens), metrics, events, startedAt: Date.now(), notifications };
  if (clusterSettings) ctx.cluster = null;
  const app = await buildApp(ctx, { logger: opts.logger });
  notifications.log = app.log;
  const startedAt = Date.now();
  /** Where links point (set when the service listens): a reloaded pipeline keeps it. */
  let linkBase: string | undefined;
  let listening = false;
  const heartbeat = new Heartbeat({ log: app.log, env: opts.notify?.env });

  let reloading: Promise<ReloadResult> | null = null;
  /** The alerting configuration in force (a reload replaces it; a cluster rebuilds the pipeline from it). */
  let alertingNow = { alerting: config.alerting, publicUrl: config.publicUrl };
  const replacePipeline = async (fresh: NotificationService, publicUrl: string | undefined) => {
    // Swap between evaluations: no plan runs half on the old pipeline, half on the new.
    await engine.exclusive(async () => {
      await notifications.stop();
      notifications = fresh;
      ctx.notifications = fresh;
    });
    fresh.log = app.log;
    if (linkBase !== undefined && publicUrl === undefined) fresh.setExternalUrl(linkBase);
    if (listening) {
      fresh.start();
      await fresh.startWatchdog(startedAt);
    }
  };
  /**
   * Cluster: the partitions this instance owns changed. The engine and the notification planner
   * are rebuilt from the store for the new set, exactly as on a restart (a gained partition's
   * scopes come back with their history, pending minutes and open alerts).
   */
  const ownershipChanged = async () => {
    await engine.start();
    await replacePipeline(await NotificationService.create(notifyOptions(alertingNow.alerting, alertingNow.publicUrl)), alertingNow.publicUrl);
  };
  const reload = async (): Promise<ReloadResult> => {
    if (!opts.configSource) throw new TxmonError('TXMON_ERR_CONFLICT', 'this txmon was started without a config file: there is nothing to reload from');
    let next: TxmonConfig;
    try {
      next = opts.configSource();
    } catch (err) {
      throw err instanceof TxmonError ? new TxmonError('TXMON_ERR_CONFIG', `reload refused, the running configuration stays: ${err.message}`, err.detail) : err;
    }
    let fresh: NotificationService;
    try {
      fresh = await NotificationService.create(notifyOptions(next.alerting, next.publicUrl));
    } catch (err) {
      throw err instanceof TxmonError ? new TxmonError('TXMON_ERR_CONFIG', `reload refused, the running configuration stays: ${err.message}`, err.detail) : err;
    }
    await replacePipeline(fresh, next.publicUrl);
    alertingNow = { alerting: next.alerting, publicUrl: next.publicUrl };
    const restartNeeded = (['server', 'store', 'auth', 'engine', 'limits', 'metrics', 'detect', 'retention'] as const)
      .filter((k) => JSON.stringify((next.raw as Record<string, unknown>)[k]) !== JSON.stringify((config.raw as Record<string, unknown>)[k]));
    const { for_minutes: a, keep_firing_for_minutes: b, min_severity: c } = next.raw.alerting as Record<string, unknown>;
    const old = config.raw.alerting as Record<string, unknown>;
    if (a !== old.for_minutes || b !== old.keep_firing_for_minutes || c !== old.min_severity) restartNeeded.push('alerting.for_minutes/keep_firing_for_minutes/min_severity' as never);
    app.log.info({ receivers: fresh.config.receivers.map((r) => r.name), restartNeeded }, 'alerting configuration reloaded');
    return { reloaded: 'alerting', receivers: fresh.config.receivers.map((r) => r.name), restartNeeded };
  };
  const serialReload = (): Promise<ReloadResult> => {
    // One reload at a time; a second request waits for the first.
    const run = (reloading ?? Promise.resolve()).catch(() => undefined).then(reload);
    reloading = run;
    return run;
  };
  ctx.reload = serialReload;

  // While the store is down every tick fails: say so once, and once more when it is back.
  let storeDown = false;
  // Retention: old rows deleted in batches, one run at a time.
  let pruning: Promise<PruneReport[]> | null = null;
  let closing = false;
  const prune = (): Promise<PruneReport[]> => {
    pruning ??= pruneAll(store, config.retention, clock.now(), () => closing)
      .then((reports) => {
        const deleted = reports.filter((r) => r.deleted > 0);
        if (deleted.length > 0) app.log.info({ pruned: Object.fromEntries(deleted.map((r) => [r.kind, r.deleted])) }, 'retention: old rows deleted');
        return reports;
      })
      .finally(() => { pruning = null; });
    return pruning;
  };
  const pruneTimer = setInterval(() => {
    prune().catch((err) => app.log.warn({ cause: String((err as Error)?.message ?? err) }, 'retention run failed; retried next interval'));
  }, config.retention.intervalMs);
  pruneTimer.unref();

  const tick = () => {
    engine.tick()
      .then(() => notifications.tick())
      .then(() => { heartbeat.maybeSend(notifications.config.watchdog, lastEvaluationAt).catch(() => undefined); })
      .then(() => {
        if (storeDown) app.log.info('store reachable again: engine state rebuilt, evaluation resumed');
        storeDown = false;
      })
      .catch((err) => {
        if (!isStoreUnavailable(err)) app.log.error({ err }, 'engine tick failed');
        else if (!storeDown) app.log.warn({ cause: String((err as { cause?: unknown }).cause ?? err) }, 'store unavailable: the engine retries every tick');
        storeDown = storeDown || isStoreUnavailable(err);
      });
  };
  // The live tick and the delivery worker start once the service listens: a service that cannot
  // take its port (another txmon on it, sharing the database file) must not deliver anything.
  let timer: NodeJS.Timeout | undefined;

  return {
    app,
    ctx,
    reload: serialReload,
    async listen() {
      const host = config.host ?? (ctx.access.open ? '127.0.0.1' : '0.0.0.0');
      if (ctx.access.open) {
        if (!isLoopback(host) && !config.allowOpen) {
          throw new TxmonError('TXMON_ERR_CONFIG',
            `refusing to listen on ${host} without API tokens: anyone who can reach this host could ingest, silence and read everything. ` +
            'Configure tokens (auth.tokens or TXMON_API_TOKENS), listen on 127.0.0.1, or pass --allow-open (server.allow_open: true) if the network itself is trusted');
        }
        app.log.warn(isLoopback(host)
          ? `no API token configured: the API is open, so txmon listens on ${host} (loopback) only`
          : `no API token configured and --allow-open given: the API is OPEN to every client that can reach ${host}`);
      }
      try {
        await app.listen({ port: config.port, host });
      } catch (err) {
        throw listenError(err, host, config.port);
      }
      const addr = app.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : config.port;
      const url = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host}:${port}`;
      linkBase = config.publicUrl ?? listenLinkBase(host, port);
      notifications.setExternalUrl(linkBase);
      for (const d of config.deprecations) app.log.warn(d);
      app.log.info({ linkBase, source: config.publicUrlSource }, config.publicUrl
        ? `notification links point at ${linkBase} (${config.publicUrlSource})`
        : `notification links point at ${linkBase}, the address txmon listens on; set server.public_url when users reach it by another address`);
      timer = setInterval(tick, config.tickMs);
      timer.unref();
      notifications.start();
      listening = true;
      await notifications.startWatchdog(startedAt);
      if (clusterSettings) {
        // Joined only once listening: an instance that cannot take its port owns no partition.
        const clusterMetrics = metrics.enableCluster({ lag: () => clusterNode?.lag() ?? Promise.resolve([]), owned: () => clusterNode?.status().partitions_owned.length ?? 0 });
        clusterNode = await ClusterNode.connect({
          settings: clusterSettings,
          process: (batch, complete) => engine.ingest(batch, { complete }),
          ownershipChanged,
          event: (type, data) => events.publish(type, data),
          log: app.log,
          onLeaseChange: (kind) => clusterMetrics.leaseChange(kind),
        });
        ctx.cluster = clusterNode;
        // Only now: the first partitions' state is loaded through clusterNode.owns.
        await clusterNode.join();
      }
      return url;
    },
    prune,
    async close() {
      // First leave the cluster: the partitions move to the others while this instance shuts down.
      if (clusterNode) await clusterNode.close();
      if (timer) clearInterval(timer);
      clearInterval(pruneTimer);
      closing = true;
      await pruning?.catch(() => undefined);
      await app.close();
      await engine.idle();
      await notifications.stop();
      if (!opts.store) await store.close();
    },
  };
}

/**
 * Remembers the counts of each scope's recent minutes (the counter's re-post window) without
 * counting them: after a restart, a re-posted minute moves txmon_transactions_total by its
 * increase only, as before.
 */
async function seedTransactionCounter(store: Pick<SeriesStore, 'listScopes' | 'readCounts'>, metrics: TxmonMetrics): Promise<void> {
  const window = metrics.business.windowMinutes;
  for (const info of await store.listScopes()) {
    for (const r of await store.readCounts(info.scope, info.lastMinute - window + 1, info.lastMinute + 1)) {
      metrics.business.seed(r.scope, r.minute, r.status, r.count);
    }
  }
}

/** A clear error for a port that cannot be taken (exit code 1 from the CLI, never a half-running service). */
export function listenError(err: unknown, host: string, port: number): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new TxmonError('TXMON_ERR_ADDRESS_IN_USE',
      `port ${port} on ${host} is already in use (another txmon or another program listens there): stop it, or start txmon on another port with --port N (or server.port / TXMON_PORT)`);
  }
  if (code === 'EACCES') {
    return new TxmonError('TXMON_ERR_ADDRESS_IN_USE', `no permission to listen on ${host}:${port} (ports below 1024 need privileges): use --port 8080 or another port above 1023`);
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new TxmonError('TXMON_ERR_ADDRESS_IN_USE', `cannot listen on ${host}:${port}: ${host} is not an address of this machine (--host / server.host)`);
  }
  return err as Error;
}

/**
 * The link base when no public URL is configured: the address the server really listens on. A
 * wildcard address (0.0.0.0, ::) is reachable by this machine's host name, so links use that.
 */
export function listenLinkBase(host: string, port: number): string {
  const name = host === '0.0.0.0' || host === '::' ? hostname() : host;
  return `http://${name.includes(':') ? `[${name}]` : name}:${port}`;
}
