/**
 * The dashboard, served by the service itself (no second server, no CDN: it works offline):
 *   GET /                      the monitoring page        GET /checkout   the POS checkout page
 *   GET /alerts/:id, /alerts?fingerprint=…  the alert page (notification links)   GET /favicon.ico
 *   GET /assets/<file>         src/dashboard/ files       GET /assets/vendor/echarts.min.js (node_modules)
 *   GET /api/v1/dashboard      panels for a scope + range: chart options (src/report/charts.ts), KPIs, alerts
 *   GET /api/v1/config/rules   the running detector's rule thresholds and severity scores
 *
 * Pages get a strict Content-Security-Policy (scripts only from this origin, no inline script), a
 * second line of defence behind the pages' rule of inserting data as text only.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { TxmonError } from '../../domain/errors.ts';
import { DetectionModel } from '../../detect/model.ts';
import { enumParam, stringParam } from '../query.ts';
import type { ContextWith } from '../context.ts';
import type { SeriesStore, EvaluationStore, AlertStore } from '../../store/store.ts';
import { buildDashboardView, loadPanelData, RANGES } from '../../report/panels.ts';
import { ExpectationCache } from '../../report/expectationCache.ts';

/** The store roles these routes use. */
type RouteStore = SeriesStore & EvaluationStore & AlertStore;

const DASHBOARD_DIR = new URL('../../dashboard/', import.meta.url);

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** Content-Security-Policy of the pages: nothing but this origin; ECharts sets inline styles. */
export const PAGE_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

interface Asset { body: Buffer; type: string; cache: string }

/** Loads src/dashboard/ (flat, known file types only) and the local ECharts build into memory. */
function loadAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(DASHBOARD_DIR)) {
    const type = TYPES[extname(name)];
    if (!type || name.endsWith('.test.ts')) continue;
    assets.set(name, { body: readFileSync(new URL(name, DASHBOARD_DIR)), type, cache: 'no-cache' });
  }
  const echartsPath = createRequire(fileURLToPath(import.meta.url)).resolve('echarts/dist/echarts.min.js');
  assets.set('vendor/echarts.min.js', { body: readFileSync(echartsPath), type: TYPES['.js'], cache: 'public, max-age=86400' });
  return assets;
}

export async function routes(app: FastifyInstance, ctx: ContextWith<RouteStore>): Promise<void> {
  const assets = loadAssets();
  // One per service instance: the dashboard polls, and each request would otherwise replay up
  // to 14 days of the scope through a fresh model (src/report/expectationCache.ts).
  const expectations = new ExpectationCache();

  const sendAsset = (reply: FastifyReply, name: string) => {
    const a = assets.get(name);
    if (!a) throw new TxmonError('TXMON_ERR_NOT_FOUND', `no dashboard asset ${JSON.stringify(name)}`);
    reply.header('content-type', a.type).header('cache-control', a.cache).header('x-content-type-options', 'nosniff');
    if (a.type.startsWith('text/html')) reply.header('content-security-policy', PAGE_CSP).header('referrer-policy', 'no-referrer');
    return reply.send(a.body);
  };

  const hide = { schema: { hide: true } };
  app.get('/', hide, async (_req, reply) => sendAsset(reply, 'index.html'));
  app.get('/checkout', hide, async (_req, reply) => sendAsset(reply, 'checkout.html'));
  // Notification links: /alerts/<id> and /alerts?fingerprint=… (the page reads both from its URL).
  app.get('/alerts', hide, async (_req, reply) => sendAsset(reply, 'alert.html'));
  app.get('/alerts/:id', hide, async (_req, reply) => sendAsset(reply, 'alert.html'));
  app.get('/favicon.ico', hide, async (_req, reply) => sendAsset(reply, 'favicon.svg'));
  app.get('/assets/vendor/echarts.min.js', hide, async (_req, reply) => sendAsset(reply, 'vendor/echarts.min.js'));
  app.get('/assets/:file', hide, async (req, reply) => sendAsset(reply, (req.params as { file: string }).file));

  app.get('/api/v1/dashboard', {
    schema: {
      tags: ['dashboard'],
      summary: 'Everything the dashboard draws for a scope and range: ECharts options per panel, KPI tiles, alerts in range',
      querystring: { type: 'object', properties: { scope: { type: 'string' }, range: { type: 'string' } } },
    },
  }, async (req) => {
    ctx.access.check(req, 'read');
    const q = req.query as Record<string, unknown>;
    const range = enumParam(q, 'range', Object.keys(RANGES)) ?? '6h';
    const detect = ctx.engine.model.config;
    const loaded = await loadPanelData({
      store: ctx.store, detect, timeZone: ctx.config.timeZone, newModel: () => new DetectionModel(detect), cache: expectations,
    }, { scope: stringParam(q, 'scope'), range });
    const demo = ctx.demo ? { interval_ms: ctx.demo.intervalMs, speedup: Math.round(60_000 / ctx.demo.intervalMs) } : null;
    return { ...buildDashboardView(loaded, detect), demo };
  });

  app.get('/api/v1/config/rules', {
    schema: { tags: ['dashboard'], summary: 'Rule thresholds and severity scores of the running detector' },
  }, async (req) => {
    ctx.access.check(req, 'read');
    const c = ctx.engine.model.config;
    return {
      rules: c.rules, min_total_for_share: c.minTotalForShare, severity_score: c.severityScore,
      problem_statuses: c.problemStatuses, volume_statuses: c.volumeStatuses,
    };
  });
}
