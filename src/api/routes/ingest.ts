/**
 * Ingest endpoints. Bodies are read as text by our own parser (not Fastify's JSON parser) so every
 * encoding gets the same precise, row-numbered errors. Each request is validated whole before
 * anything is stored, then committed atomically, then answered with the alert recommendation.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { minuteToIso } from '../../domain/time.ts';
import { TxmonError } from '../../domain/errors.ts';
import type { MinuteBatch } from '../../domain/types.ts';
import { encodingOf } from '../../ingest/decode.ts';
import { RequestParser, type IngestKind } from '../../ingest/request.ts';
import { ScopeRegistry } from '../scopeRegistry.ts';
import type { TimeContext } from '../../ingest/fields.ts';
import { labelField } from '../../ingest/fields.ts';
import { buildRecommendation } from '../recommendation.ts';
import { boolParam } from '../query.ts';
import type { ContextWith } from '../context.ts';
import type { SeriesStore, QueryStore } from '../../store/store.ts';

/** The store roles these routes use. */
type RouteStore = Pick<SeriesStore, 'listScopes'> & QueryStore;

const ENDPOINTS: Array<{ url: string; kind: IngestKind; summary: string }> = [
  { url: '/api/v1/transactions', kind: 'counts', summary: 'Ingest per-minute status counts; answers with an alert recommendation' },
  { url: '/api/v1/auth-codes', kind: 'auth_codes', summary: 'Ingest per-minute auth-code counts' },
  { url: '/api/v1/transactions/raw', kind: 'raw', summary: 'Ingest single transactions (deduplicated by id)' },
];

const QUERY_SCHEMA = {
  type: 'object',
  properties: {
    date: { type: 'string', description: 'YYYY-MM-DD for CSV exports whose time column is "HHh MM"' },
    complete: { type: 'string', enum: ['true', 'false', '1', '0'], description: 'the body holds every status of its minute(s): evaluate them now' },
    scope: { type: 'string', description: 'scope of rows that name none (default "all")' },
  },
} as const;

export async function ingestRoutes(app: FastifyInstance, ctx: ContextWith<RouteStore>): Promise<void> {
  // Own body parsing for this plugin only: any content type arrives as a string.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: ctx.config.bodyLimitBytes }, (_req, body, done) => done(null, body));
  // Large bodies are decoded and validated on a worker thread (the event loop keeps answering).
  const parser = new RequestParser();
  // Caps on scopes and statuses over everything stored (bounded memory).
  const registry = new ScopeRegistry(ctx.store);
  app.addHook('onClose', () => parser.close());

  for (const ep of ENDPOINTS) {
    app.post(ep.url, {
      bodyLimit: ctx.config.bodyLimitBytes,
      // The token is checked before the body is read: an unauthorised client cannot make the
      // server buffer megabytes. (A callback hook: an async one costs a promise per request.)
      onRequest: (req, _reply, done) => {
        try {
          ctx.access.check(req, 'ingest');
        } catch (err) {
          done(err as Error);
          return;
        }
        done();
      },
      schema: {
        summary: ep.summary,
        tags: ['ingest'],
        querystring: QUERY_SCHEMA,
        description: 'Body: one JSON object, a JSON array, NDJSON (application/x-ndjson) or CSV (text/csv).',
      },
    }, async (req, reply) => {
      ctx.access.check(req, 'ingest');
      const started = performance.now();
      try {
        const text = typeof req.body === 'string' ? req.body : '';
        const batch = await parser.parse(ep.kind, text, encodingOf(req.headers['content-type']), timeContext(req, ctx));
        const complete = boolParam(req.query as Record<string, unknown>, 'complete');
        // Single-process mode ignores the header (nothing to deduplicate: the answer is the commit).
        const idempotencyKey = ctx.cluster !== undefined ? idempotencyKeyOf(req) : undefined;
        const admitting = registry.admit(batch, ctx.config.limits);
        if (admitting) await admitting;
        if (ctx.cluster !== undefined) return await clusteredIngest(ctx, ep.kind, batch, complete === true, idempotencyKey, started, reply);
        const outcome = await ctx.engine.ingest(batch, { complete });
        const rows = ep.kind === 'raw' ? outcome.written.rawAccepted : ep.kind === 'counts' ? outcome.written.counts : outcome.written.authCodes;
        ctx.metrics.rowsIngested.inc({ kind: ep.kind }, rows);
        ctx.metrics.ingestDuration.observe({ kind: ep.kind }, (performance.now() - started) / 1000);
        reply.code(200);
        return buildRecommendation(outcome, ctx.config.lifecycle.minSeverity, ctx.config.limits.maxListedMinutes);
      } catch (err) {
        if (err instanceof TxmonError) ctx.metrics.requestsRejected.inc({ code: err.code });
        throw err;
      }
    });
  }
}

/**
 * Clustered mode: the batch is published to JetStream, one message per partition (2xx only once
 * every one is durable), and answered with the owners' recommendation — or 202 `pending: true`
 * when they did not answer within cluster.reply_wait_ms (the data is accepted all the same).
 */
async function clusteredIngest(ctx: ContextWith<RouteStore>, kind: IngestKind, batch: MinuteBatch, complete: boolean, idempotencyKey: string | undefined, started: number, reply: FastifyReply): Promise<unknown> {
  if (!ctx.cluster) throw new TxmonError('TXMON_ERR_CLUSTER_UNAVAILABLE', 'this instance has not joined the cluster yet: retry in a moment');
  const r = await ctx.cluster.ingest(batch, { complete, idempotencyKey });
  const rows = kind === 'raw' ? batch.raw.length : kind === 'counts' ? batch.counts.length : batch.authCodes.length;
  ctx.metrics.rowsIngested.inc({ kind }, rows);
  ctx.metrics.ingestDuration.observe({ kind }, (performance.now() - started) / 1000);
  const recommendation = buildRecommendation(r.outcome, ctx.config.lifecycle.minSeverity, ctx.config.limits.maxListedMinutes);
  if (!r.pending) {
    reply.code(200);
    return recommendation;
  }
  const minutes = [...new Set([...batch.counts, ...batch.authCodes, ...batch.raw].map((x) => `${x.scope} ${minuteToIso(x.minute)}`))];
  reply.code(202);
  return {
    ...recommendation,
    pending: true,
    accepted: { counts: batch.counts.length, auth_codes: batch.authCodes.length, raw: batch.raw.length },
    accepted_minutes: minutes.slice(0, ctx.config.limits.maxListedMinutes),
    accepted_minutes_total: minutes.length,
    message: `accepted (stored durably in ${r.parts} partition message(s)${r.duplicates > 0 ? `, ${r.duplicates} already there from an earlier try` : ''}); ` +
      `the owners' evaluation of ${r.parts - r.answered} of ${r.parts} part(s) is not known yet (cluster.reply_wait_ms): see /api/v1/assessments and /api/v1/alerts`,
  };
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/** The optional Idempotency-Key header (printable ASCII, at most 200 characters). */
function idempotencyKeyOf(req: FastifyRequest): string | undefined {
  const v = req.headers['idempotency-key'];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !IDEMPOTENCY_KEY.test(v)) {
    throw new TxmonError('TXMON_ERR_BAD_PARAMETER', 'header Idempotency-Key must be 1 to 200 printable ASCII characters without spaces', { field: 'Idempotency-Key' });
  }
  return v;
}

function timeContext(req: FastifyRequest, ctx: ContextWith<RouteStore>): TimeContext {
  const q = req.query as Record<string, string | undefined>;
  if (q.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(q.date)) {
    throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `query parameter "date" must be YYYY-MM-DD, got ${JSON.stringify(q.date)}`, { field: 'date' });
  }
  return {
    timeZone: ctx.config.timeZone,
    date: q.date,
    now: Date.now(),
    maxFutureMs: ctx.config.maxFutureMs,
    defaultScope: q.scope === undefined ? undefined : labelField(q.scope, 0, 'scope'),
    limits: ctx.config.limits,
    minMs: ctx.config.minTimestampMs,
  };
}
