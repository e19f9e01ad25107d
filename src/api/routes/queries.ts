/**
 * Named SQL queries over HTTP:
 *   GET /api/v1/queries          → the catalogue: names, what each answers, parameters
 *   GET /api/v1/queries/{name}   → rows as JSON (`?format=csv` for CSV); every other query-string
 *                                  key is a parameter of the query (from, to, scope, threshold…)
 */
import type { FastifyInstance } from 'fastify';
import { TxmonError } from '../../domain/errors.ts';
import { formatRows, getNamedQuery, listNamedQueries, runNamedQuery, type NamedQuery, type QueryInput } from '../../store/namedQueries.ts';
import type { ContextWith } from '../context.ts';
import type { QueryStore } from '../../store/store.ts';

/** The store roles these routes use. */
type RouteStore = QueryStore;

/** The public description of a query. */
export function queryView(q: NamedQuery): Record<string, unknown> {
  return {
    name: q.name,
    summary: q.summary,
    description: q.description,
    parameters: q.params.map((p) => ({
      name: p.name, type: p.type, required: p.default === undefined, default: p.default ?? null,
      ...(p.min !== undefined ? { min: p.min } : {}), ...(p.max !== undefined ? { max: p.max } : {}),
      ...(p.values ? { values: p.values } : {}), description: p.description,
    })),
  };
}

export async function routes(app: FastifyInstance, ctx: ContextWith<RouteStore>): Promise<void> {
  app.get('/api/v1/queries', { schema: { tags: ['queries'], summary: 'List the named SQL queries and their parameters' } }, async (req) => {
    ctx.access.check(req, 'read');
    const queries = listNamedQueries().map(queryView);
    return { queries, count: queries.length };
  });

  app.get('/api/v1/queries/:name', {
    schema: {
      tags: ['queries'],
      summary: 'Run a named SQL query; query-string keys other than format are its parameters (from, to, scope, …)',
      params: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
      querystring: { type: 'object', properties: { format: { type: 'string', enum: ['json', 'csv'] } }, additionalProperties: true },
    },
  }, async (req, reply) => {
    ctx.access.check(req, 'read');
    const { name } = req.params as { name: string };
    getNamedQuery(name);
    const { format, ...rest } = req.query as Record<string, unknown>;
    const input: QueryInput = {};
    for (const [k, v] of Object.entries(rest)) {
      if (typeof v !== 'string') {
        throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `query parameter "${k}" must be given once, got ${JSON.stringify(v)}`, { field: k, got: v });
      }
      input[k] = v;
    }
    const result = await runNamedQuery(ctx.store, name, input, { timeZone: ctx.config.timeZone });
    if (format === 'csv') {
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', `inline; filename="${name}.csv"`);
      return formatRows(result.columns, result.rows, 'csv');
    }
    return { ...result, count: result.rows.length };
  });
}
