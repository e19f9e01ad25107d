/**
 * POS checkout analysis over HTTP (the dashboard's /checkout page uses it):
 *
 *   POST /api/v1/checkout?source=NAME   body: one hourly checkout CSV (text/csv)
 *        → parse and validate (400 naming row and field; nothing stored on error) → store the
 *          hours under NAME (`Store.writeCheckout`, replacing that source) → analyse →
 *          `{ source, analysis, chart, query }`: the checkout report JSON (schema txmon.checkout.v1),
 *          the ECharts option of the chart, and the rows of the named query `checkout_hourly`.
 *   GET  /api/v1/checkout               the stored sources.
 *
 * `?name=FILE` (what the upload page sends) is accepted instead of `source`: the source is then
 * the file's base name without extension, as in `txmon checkout analyze`.
 */
import { basename, extname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { TxmonError } from '../../domain/errors.ts';
import { analyzeCheckout } from '../../checkout/analyze.ts';
import { checkoutChartOption } from '../../checkout/chart.ts';
import { parseCheckoutCsv } from '../../checkout/parse.ts';
import { checkoutReportJson } from '../../checkout/report.ts';
import { runNamedQuery } from '../../store/namedQueries.ts';
import { stringParam } from '../query.ts';
import type { ContextWith } from '../context.ts';
import { checkCheckoutSource, type CheckoutStore, type QueryStore } from '../../store/store.ts';

/** The store roles these routes use. */
type RouteStore = CheckoutStore & QueryStore;

/** One stored checkout source, as GET /api/v1/checkout lists it. */
export interface CheckoutSourceInfo {
  source: string;
  /** Hours stored (24 for a complete file). */
  hours: number;
  /** Sales today over all stored hours. */
  today: number;
}

/** The source a request names: `source`, else the base name of `name` without extension. */
export function requestSource(q: Record<string, unknown>): string {
  const source = stringParam(q, 'source');
  if (source !== undefined) return checkCheckoutSource(source);
  const name = stringParam(q, 'name');
  if (name !== undefined) {
    const base = basename(name);
    const ext = extname(base);
    return checkCheckoutSource(ext ? base.slice(0, -ext.length) : base);
  }
  throw new TxmonError('TXMON_ERR_BAD_PARAMETER', 'query parameter "source" is required: the POS / file name to store this checkout file under', {
    field: 'source', expected: 'text',
  });
}

const QUERY_SCHEMA = {
  type: 'object',
  properties: {
    source: { type: 'string', description: 'name to store the file under (one POS / one file); loading it again replaces it' },
    name: { type: 'string', description: 'file name, used when source is absent (source = base name without extension)' },
  },
} as const;

export async function routes(app: FastifyInstance, ctx: ContextWith<RouteStore>): Promise<void> {
  // This plugin only: a CSV body arrives as one string.
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: ctx.config.bodyLimitBytes }, (_req, body, done) => done(null, body));

  app.post('/api/v1/checkout', {
    bodyLimit: ctx.config.bodyLimitBytes,
    onRequest: async (req) => { ctx.access.check(req, 'ingest'); }, // before the body is read
    schema: {
      tags: ['checkout'],
      summary: 'Analyse one hourly POS checkout file (text/csv) against its baselines; stores it under ?source=',
      description: 'Body: CSV with columns time,today,yesterday,same_day_last_week,avg_last_week,avg_last_month (24 hours). ' +
        'Returns the analysis (schema txmon.checkout.v1), the chart as an ECharts option and the rows of the named query checkout_hourly.',
      querystring: QUERY_SCHEMA,
    },
  }, async (req) => {
    ctx.access.check(req, 'ingest');
    try {
      const source = requestSource(req.query as Record<string, unknown>);
      if (typeof req.body !== 'string') {
        throw new TxmonError('TXMON_ERR_BAD_PARAMETER', 'body must be a checkout CSV sent as Content-Type: text/csv', { field: 'body', expected: 'text/csv' });
      }
      // Parse (and so validate) before storing: a bad file stores nothing.
      const rows = parseCheckoutCsv(req.body);
      await ctx.store.writeCheckout(source, rows);
      const query = (await runNamedQuery(ctx.store, 'checkout_hourly', { source })).rows;
      const analysis = analyzeCheckout(rows, source);
      const doc = JSON.parse(checkoutReportJson(analysis)) as { verdict: string; conclusion: string; episodes: unknown[] };
      return {
        source,
        // The upload page reads these three at the top level.
        verdict: doc.verdict,
        conclusion: doc.conclusion,
        episodes: doc.episodes,
        analysis: doc,
        chart: checkoutChartOption(analysis),
        query,
      };
    } catch (err) {
      if (err instanceof TxmonError) ctx.metrics.requestsRejected.inc({ code: err.code });
      throw err;
    }
  });

  app.get('/api/v1/checkout', {
    schema: { tags: ['checkout'], summary: 'The stored checkout sources: hours stored and sales today' },
  }, async (req) => {
    ctx.access.check(req, 'read');
    const rows = await ctx.store.runQuery(
      'SELECT source, COUNT(*) AS hours, SUM(today) AS today FROM checkout_hours GROUP BY source ORDER BY source', {},
    );
    const sources: CheckoutSourceInfo[] = rows.map((r) => ({ source: String(r.source), hours: Number(r.hours), today: Number(r.today) }));
    return { sources };
  });
}
