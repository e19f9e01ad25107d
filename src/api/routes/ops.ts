/** Operational endpoints: /health (liveness + store reachability) and /metrics (Prometheus). */
import type { FastifyInstance } from 'fastify';
import type { ContextWith } from '../context.ts';
import type { MaintenanceStore, QueryStore, AlertStore } from '../../store/store.ts';
import { TxmonError } from '../../domain/errors.ts';

/** The store roles these routes use. */
type RouteStore = Pick<MaintenanceStore, 'ping'> & Pick<QueryStore, 'dialect'> & Pick<AlertStore, 'openAlerts'>;

export async function opsRoutes(app: FastifyInstance, ctx: ContextWith<RouteStore>): Promise<void> {
  app.get('/health', { schema: { tags: ['ops'], summary: 'Liveness and store reachability' } }, async (_req, reply) => {
    const storeOk = await ctx.store.ping();
    reply.code(storeOk ? 200 : 503);
    if (!storeOk) reply.header('retry-after', '5');
    return {
      status: storeOk ? 'ok' : 'degraded',
      store: { dialect: ctx.store.dialect, reachable: storeOk },
      // True while the engine waits to reload its state from the store after a store failure.
      engine: { rebuilding: ctx.engine.needsRebuild },
      uptime_seconds: Math.round((Date.now() - ctx.startedAt) / 1000),
      minutes_evaluated: ctx.engine.minutesEvaluated,
      scopes: ctx.engine.scopeNames().length,
      scopes_idle: ctx.engine.scopeCounts().evicted,
      auth: ctx.access.open ? 'open' : 'tokens',
      // Clustered mode: this instance, the members it sees and the partitions it owns.
      ...(ctx.cluster !== undefined ? { cluster: ctx.cluster ? ctx.cluster.status() : { joined: false } } : {}),
    };
  });

  app.post('/-/reload', {
    schema: { tags: ['ops'], summary: 'Reload the alerting configuration from the config file (as SIGHUP does): validated first; a bad file changes nothing (500 TXMON_ERR_CONFIG: the server configuration is wrong)' },
    onRequest: async (req) => { ctx.access.check(req, 'admin'); },
  }, async (req) => {
    ctx.access.check(req, 'admin');
    if (!ctx.reload) throw new TxmonError('TXMON_ERR_CONFLICT', 'reload is not available in this process');
    return { status: 'reloaded', ...(await ctx.reload()) };
  });

  app.get('/metrics', { schema: { tags: ['ops'], summary: 'Prometheus exposition' } }, async (req, reply) => {
    ctx.access.check(req, 'read');
    ctx.metrics.setAlertsActive(await ctx.store.openAlerts());
    reply.header('content-type', ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
}
