/**
 * Assembles a running txmon: store, engine (rebuilt from the store), HTTP app, the live tick that
 * closes minutes by grace period, and optional demo traffic. `txmon serve` and the integration
 * tests both start the service through here.
 */
import type { FastifyInstance } from 'fastify';
import type { TxmonConfig } from './config/config.ts';
import { openStore } from './store/open.ts';
import type { Store } from './store/store.ts';
import { Engine } from './engine/engine.ts';
import { wallClock, type Clock } from './engine/clock.ts';
import { buildApp } from './api/app.ts';
import { AccessControl } from './api/auth.ts';
import { TxmonMetrics } from './api/promMetrics.ts';
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

export interface ServiceOptions {
  config: TxmonConfig;
  clock?: Clock;
  logger?: boolean | object;
  /** Store to use instead of opening config.storeUrl (tests). */
  store?: Store;
  /** Notification pipeline overrides (tests, bench): environment, channel deps, worker tuning. */
  notify?: Pick<NotificationServiceOptions, 'env' | 'channelDeps' | 'worker'>;
}

export interface Service {
  app: FastifyInstance;
  ctx: AppContext;
  /** Listens on config.port/host; returns the base URL. */
  listen(): Promise<string>;
  /** Runs retention once now (the service also runs it every retention.interval_minutes). */
  prune(): Promise<PruneReport[]>;
  close(): Promise<void>;
}

export async function createService(opts: ServiceOptions): Promise<Service> {
  const { config } = opts;
  const store = opts.store ?? (await openStore(config.storeUrl, { sqliteSynchronous: config.sqliteSynchronous }));
  const metrics = new TxmonMetrics();
  const events = new EventHub();
  const clock = opts.clock ?? wallClock;
  // The engine is created after the pipeline (it plans inside evaluations), and the pipeline's
  // flush runs under the engine's mutex: the late binding closes that loop.
  let engineRef: Engine | undefined;
  const notifications = await NotificationService.create({
    store, alerting: config.alerting, externalUrl: config.publicUrl, clock, metrics, ...opts.notify,
    exclusive: (fn) => (engineRef ? engineRef.exclusive(fn) : fn()),
  });
  const engine = new Engine({
    store, clock, detect: config.detect, lifecycle: config.lifecycle,
    graceMs: config.graceMs, maxGapMinutes: config.maxGapMinutes,
    planNotifications: (changes, now) => notifications.plan(changes, now),
    idleScopeMs: config.idleScopeMs,
  });
  engineRef = engine;
  // Counts must reach back as far as the engine replays on start, or a restart forgets baselines.
  const historyDays = Math.ceil(engine.model.historyMinutes / 1440) + 1;
  for (const kind of ['minute_counts', 'auth_code_counts'] as const) {
    const days = config.retention.days[kind];
    if (days > 0 && days < historyDays) {
      throw new TxmonError('TXMON_ERR_CONFIG', 500, `retention.${kind}_days must be 0 (forever) or at least ${historyDays}: the detection replays ${historyDays - 1} days of history on start`);
    }
  }
  await engine.start();
  // Runs right after each evaluation committed, before anyone else sees it.
  engine.onEvaluated(() => notifications.committed());
  // Scopes that left memory leave /metrics too (no series per scope forever).
  engine.onEvicted((scopes) => { for (const scope of scopes) metrics.anomalyScore.remove({ scope }); });
  engine.onEvaluated(({ assessments, alerts, transitions }) => {
    metrics.minutesEvaluated.inc(assessments.length);
    for (const a of assessments) metrics.anomalyScore.set({ scope: a.scope }, a.anomalyScore);
    for (const t of transitions) if (t.from === null) metrics.alertsRaised.inc({ severity: t.alert.severity });
    if (assessments.length > 0) {
      events.publish('minutes', assessments.map((a) => ({ ...a, minute: minuteToIso(a.minute) })));
    }
    if (alerts.length > 0) events.publish('alerts', alerts.map((a) => a.id));
  });
  const ctx: AppContext = { config, store, engine, access: new AccessControl(config.tokens), metrics, events, startedAt: Date.now(), notifications };
  const app = await buildApp(ctx, { logger: opts.logger });
  notifications.log = app.log;

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
    async listen() {
      const host = config.host ?? (ctx.access.open ? '127.0.0.1' : '0.0.0.0');
      if (ctx.access.open) {
        if (!isLoopback(host) && !config.allowOpen) {
          throw new TxmonError('TXMON_ERR_CONFIG', 500,
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
      const linkBase = config.publicUrl ?? listenLinkBase(host, port);
      notifications.setExternalUrl(linkBase);
      for (const d of config.deprecations) app.log.warn(d);
      app.log.info({ linkBase, source: config.publicUrlSource }, config.publicUrl
        ? `notification links point at ${linkBase} (${config.publicUrlSource})`
        : `notification links point at ${linkBase}, the address txmon listens on; set server.public_url when users reach it by another address`);
      timer = setInterval(tick, config.tickMs);
      timer.unref();
      notifications.start();
      return url;
    },
    prune,
    async close() {
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

/** A clear error for a port that cannot be taken (exit code 1 from the CLI, never a half-running service). */
export function listenError(err: unknown, host: string, port: number): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new TxmonError('TXMON_ERR_ADDRESS_IN_USE', 503,
      `port ${port} on ${host} is already in use (another txmon or another program listens there): stop it, or start txmon on another port with --port N (or server.port / TXMON_PORT)`);
  }
  if (code === 'EACCES') {
    return new TxmonError('TXMON_ERR_ADDRESS_IN_USE', 503, `no permission to listen on ${host}:${port} (ports below 1024 need privileges): use --port 8080 or another port above 1023`);
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new TxmonError('TXMON_ERR_ADDRESS_IN_USE', 503, `cannot listen on ${host}:${port}: ${host} is not an address of this machine (--host / server.host)`);
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
