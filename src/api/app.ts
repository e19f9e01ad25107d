/**
 * The Fastify application: one plugin per bounded context, errors mapped to stable codes in one
 * place, OpenAPI at /docs.
 */
import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { MAX_JSON_DEPTH, TxmonError, tooDeep } from '../domain/errors.ts';
import { isStoreUnavailable, storeUnavailable, STORE_RETRY_AFTER_SECONDS } from '../store/unavailable.ts';
import type { AppContext } from './context.ts';
import { loggerOptions } from './redact.ts';
import { ingestRoutes } from './routes/ingest.ts';
import { readRoutes } from './routes/read.ts';
import { opsRoutes } from './routes/ops.ts';
import { routes as eventRoutes } from './routes/events.ts';
import { routes as silenceRoutes } from './routes/silences.ts';
import { routes as queryRoutes } from './routes/queries.ts';
import { routes as checkoutRoutes } from './routes/checkout.ts';
import { routes as dashboardRoutes } from './routes/dashboard.ts';
import { routes as alertmanagerRoutes, schemas as alertmanagerSchemas } from './routes/alertmanager.ts';
import { ErrorBody } from './schemas.ts';
import { applyRouteSchemas, openapiTransform, schemas as routeSchemas } from './openapi.ts';
import { routes as alertPageRoutes } from './routes/alertPage.ts';

export interface AppOptions { logger?: boolean | object }

export async function buildApp(ctx: AppContext, opts: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    // Request URLs are logged without credential query parameters, headers without secrets.
    logger: loggerOptions(opts.logger),
    // server.access_log 1: Fastify's own two lines per request (incoming, completed). Below 1 (the
    // default is 0), no line per successful request: the onResponse hook below writes one line
    // for each failed or slow request, and for the configured sample of the others.
    logController: new LogController({ disableRequestLogging: ctx.config.accessLogSample < 1 }),
    bodyLimit: ctx.config.bodyLimitBytes,
    ajv: { customOptions: { coerceTypes: false, allErrors: false } },
    // Fastify's own early answers use the TXMON_ERR body too: 414 (a path parameter too long)…
    frameworkErrors: (err, _req, reply) => {
      const mapped = toTxmonError(err as FastifyError);
      (reply as unknown as { code(n: number): { send(b: unknown): void } }).code(mapped.httpStatus).send(mapped.toJSON());
    },
    // …and 431/408/400 from Node's HTTP parser, answered before there is a request object.
    clientErrorHandler: (err: NodeJS.ErrnoException, socket) => {
      if (err.code === 'ECONNRESET' || socket.destroyed || !socket.writable) return;
      const e = err.code === 'HPE_HEADER_OVERFLOW'
        ? new TxmonError('TXMON_ERR_HEADERS_TOO_LARGE', 'request line and headers are larger than the server accepts (16 KB)')
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? TxmonError.variant('TXMON_ERR_BAD_PARAMETER', 'timeout', 'request not completed in time')
          : new TxmonError('TXMON_ERR_BAD_PARAMETER', 'malformed HTTP request');
      const status = e.httpStatus;
      const body = JSON.stringify(e.toJSON());
      socket.end(`HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request'}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    },
  });

  // JSON bodies of the non-ingest routes (silences, checkout): Fastify's parser (prototype
  // poisoning refused), then a depth limit, so no handler or error message walks 5,000 levels.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    parseJson(req, body as string, (err: Error | null, value?: unknown) => {
      if (err) return done(err, undefined);
      const deep = tooDeep(value);
      if (deep !== null) {
        return done(new TxmonError('TXMON_ERR_VALIDATION', `body nests arrays/objects deeper than ${MAX_JSON_DEPTH} levels (at ${deep})`, { field: deep }), undefined);
      }
      done(null, value);
    });
  });

  await app.register(swagger, {
    openapi: {
      info: { title: 'txmon API', version: '0.1.0', description: 'Real-time monitoring and alerting for payment transactions' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: openapiTransform as never,
    // Components named by their $id (Alert, Silence, TxmonError…), not def-0, def-1…
    refResolver: { buildLocalReference: (json: { $id?: unknown }, _base: unknown, _fragment: unknown, i: number) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  // Shared schemas ($id), referenced by the routes; @fastify/swagger lists them as components.
  for (const s of [ErrorBody, ...routeSchemas, ...alertmanagerSchemas]) app.addSchema(s);
  applyRouteSchemas(app);

  const { accessLogSample, slowRequestMs } = ctx.config;
  // A callback hook: an async one costs a promise per request.
  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const status = reply.statusCode;
    const ms = reply.elapsedTime;
    ctx.metrics.requestDuration.observe({ method: req.method, route, status_code: String(status) }, ms / 1000);
    if (accessLogSample < 1) { // at 1, Fastify logs every request itself
      if (status >= 400 || ms >= slowRequestMs) {
        req.log[status >= 500 || ms >= slowRequestMs ? 'warn' : 'info']({ req, res: reply, responseTime: ms }, ms >= slowRequestMs ? 'slow request' : 'request failed');
      } else if (accessLogSample > 0 && Math.random() < accessLogSample) {
        req.log.info({ req, res: reply, responseTime: ms }, 'request completed');
      }
    }
    done();
  });

  app.setErrorHandler((err: FastifyError | TxmonError, req, reply) => {
    const mapped = toTxmonError(err);
    if (mapped.code === 'TXMON_ERR_STORE_UNAVAILABLE') {
      // Expected while the database restarts: one line, no stack; the client is told when to retry.
      req.log.warn({ cause: String((mapped as { cause?: unknown }).cause ?? (err as Error).message) }, 'store unavailable');
      reply.header('retry-after', String(STORE_RETRY_AFTER_SECONDS));
    } else if (mapped.code === 'TXMON_ERR_CLUSTER_UNAVAILABLE') {
      // NATS unreachable or a partition's publish not acknowledged: the client retries the same request.
      req.log.warn({ cause: mapped.message }, 'cluster unavailable');
      reply.header('retry-after', String(STORE_RETRY_AFTER_SECONDS));
    } else if (mapped.httpStatus >= 500) req.log.error({ err }, 'request failed');
    reply.code(mapped.httpStatus).send(mapped.toJSON());
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send(new TxmonError('TXMON_ERR_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`).toJSON());
  });

  for (const plugin of [ingestRoutes, readRoutes, opsRoutes, eventRoutes, silenceRoutes, queryRoutes, checkoutRoutes, dashboardRoutes, alertPageRoutes, alertmanagerRoutes]) {
    await app.register(async (scoped) => plugin(scoped, ctx));
  }
  return app;
}

/** Maps Fastify's own errors onto our stable codes. */
function toTxmonError(err: FastifyError | TxmonError): TxmonError {
  if (err instanceof TxmonError) return err;
  if (isStoreUnavailable(err)) return storeUnavailable(err);
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new TxmonError('TXMON_ERR_BODY_TOO_LARGE', `request body is larger than the limit (${err.message})`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new TxmonError('TXMON_ERR_UNSUPPORTED_MEDIA_TYPE', 'unsupported Content-Type: expected application/json, application/x-ndjson or text/csv');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new TxmonError('TXMON_ERR_EMPTY_BODY', 'request body is empty');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new TxmonError('TXMON_ERR_URI_TOO_LONG', 'a path parameter is longer than the server accepts (100 characters)');
    case 'FST_ERR_BAD_URL':
      return new TxmonError('TXMON_ERR_BAD_PARAMETER', 'the request URL is not valid (bad percent-encoding?)');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new TxmonError('TXMON_ERR_BAD_JSON', `body is not valid JSON: ${err.message}`);
  }
  if (err.validation) return new TxmonError('TXMON_ERR_BAD_PARAMETER', `${err.validationContext ?? 'request'} ${err.message}`);
  // Another request Fastify refused: its 4xx status is passed on.
  if (err.statusCode && err.statusCode < 500) return TxmonError.forwarded('TXMON_ERR_BAD_PARAMETER', err.statusCode, err.message);
  return new TxmonError('TXMON_ERR_INTERNAL', 'internal error; see the server log');
}
