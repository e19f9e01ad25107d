/**
 * The OpenAPI side of every route: request bodies, path parameters and responses (2xx and the
 * TXMON_ERR error bodies), as TypeBox schemas, in one table keyed by "METHOD /url".
 *
 * `applyRouteSchemas` adds them to each route as Fastify registers it (an onRoute hook), so
 * Fastify validates path parameters and serialises responses with exactly the schemas that
 * /docs/json publishes. Bodies that txmon parses itself — ingest (JSON, NDJSON and CSV, with
 * row-numbered errors), the checkout CSV and the v1 silence body (field-precise messages) — are
 * documented (`docBody`) but validated by their handlers, which give better errors than a
 * schema validator could. The Alertmanager v2 routes carry their schemas inline
 * (routes/alertmanager.ts) and are validated by Fastify.
 *
 * Response objects list their fields and allow more (`additionalProperties: true`): the
 * serialiser then never drops a field a handler adds, and the document still names every field
 * a client relies on.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import { Type, type TSchema } from 'typebox';
import { errorResponses, IsoTime, NumberMap, StringMap } from './schemas.ts';

const open = { additionalProperties: true } as const;
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Severity = Type.Union(['none', 'info', 'warning', 'critical'].map((s) => Type.Literal(s)));
const Loose = Type.Object({}, open);

export const AlertNotifyStatus = Type.Object({
  state: Type.Union([Type.Literal('active'), Type.Literal('suppressed')]),
  silencedBy: Type.Array(Type.String()),
  inhibitedBy: Type.Array(Type.String()),
  inhibitedByIds: Type.Array(Type.Integer()),
}, { $id: 'AlertNotifyStatus', description: 'Notification status (Alertmanager\'s shape): suppressed while a silence matches or a firing alert inhibits it' });

export const AlertView = Type.Object({
  id: Type.Integer(),
  fingerprint: Type.String(),
  rule: Type.String({ description: 'problem name, the alertname (failed_high, sales_low, no_data, …)' }),
  labels: StringMap,
  state: Type.Union([Type.Literal('pending'), Type.Literal('firing'), Type.Literal('resolved')]),
  severity: Severity,
  score: Type.Number(),
  observed: Type.Number(),
  expected: Nullable(Type.Number()),
  summary: Type.String(),
  explanation: Type.String(),
  starts_at: IsoTime,
  ends_at: Nullable(IsoTime),
  updated_at: IsoTime,
  last_minute: IsoTime,
  duration_minutes: Type.Integer(),
  status: Type.Optional(Nullable(Type.Ref('AlertNotifyStatus'))),
}, { $id: 'Alert', ...open });

const Matcher = Type.Object({ name: Type.String(), value: Type.String(), isRegex: Type.Boolean(), isEqual: Type.Optional(Type.Boolean()) }, open);

export const SilenceView = Type.Object({
  id: Type.String(),
  matchers: Type.Array(Matcher),
  startsAt: IsoTime,
  endsAt: IsoTime,
  createdBy: Type.String(),
  comment: Type.String(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  status: Type.Object({ state: Type.Union([Type.Literal('pending'), Type.Literal('active'), Type.Literal('expired')]) }),
}, { $id: 'Silence', ...open });

const Evidence = {
  metric: Type.String(), status: Type.String(), severity: Severity, score: Type.Number(), observed: Type.Number(),
  expected: Nullable(Type.Number()), threshold: Nullable(Type.Number()),
  band: Nullable(Type.Array(Type.Number(), { minItems: 2, maxItems: 2 })), test: Type.String(),
  z: Nullable(Type.Number()), p_value: Nullable(Type.Number()), direction: Type.String(), message: Type.String(),
};
const EvidenceItem = Type.Object(Evidence, open);
const AlertItem = Type.Object({ ...Evidence, scope: Type.String(), minute: IsoTime, rule: Type.String(), evidence: Type.Array(EvidenceItem) }, open);
const MinuteMetrics = Type.Object({ total: Type.Number(), counts: NumberMap, shares: NumberMap }, open);
const MinuteVerdict = Type.Object({
  scope: Type.String(), minute: IsoTime, should_alert: Type.Boolean(), severity: Severity, anomaly_score: Type.Number(),
  explanation: Type.String(), has_data: Type.Boolean(), metrics: MinuteMetrics, alerts: Type.Array(AlertItem),
}, open);

export const Recommendation = Type.Object({
  accepted: Type.Object({ counts: Type.Integer(), auth_codes: Type.Integer(), raw_accepted: Type.Integer(), raw_duplicates: Type.Integer() }, open),
  completed: Type.Boolean({ description: 'the request completed (closed) at least one minute' }),
  completed_minutes: Type.Array(Type.String(), { description: '"<scope> <minute>" of each completed minute listed' }),
  should_alert: Type.Boolean(),
  severity: Severity,
  anomaly_score: Type.Number(),
  alerts: Type.Array(AlertItem),
  metrics: Nullable(MinuteMetrics),
  minutes: Type.Array(MinuteVerdict),
  provisional: Type.Array(MinuteVerdict),
  late_minutes: Type.Array(Type.Object({ scope: Type.String(), minute: IsoTime }, open)),
  summary: Type.Optional(Type.Object({
    completed: Type.Integer(), alerting: Type.Integer(), listed: Type.Integer(), omitted: Type.Integer(),
    first_minute: Nullable(IsoTime), last_minute: Nullable(IsoTime),
  }, open)),
  message: Type.String(),
}, { $id: 'Recommendation', ...open, description: 'The alert recommendation for the minutes this request completed' });

const CountRow = Type.Object({
  timestamp: Type.String({ description: 'ISO 8601, epoch seconds/ms, or a naive time read in server.time_zone' }),
  status: Type.String(), count: Type.Integer({ minimum: 0 }), scope: Type.Optional(Type.String()),
});
const AuthCodeRow = Type.Object({ timestamp: Type.String(), auth_code: Type.String(), count: Type.Integer({ minimum: 0 }), scope: Type.Optional(Type.String()) });
const RawRow = Type.Object({ id: Type.String(), timestamp: Type.String(), status: Type.String(), scope: Type.Optional(Type.String()), auth_code: Type.Optional(Type.String()) }, open);

/** requestBody with the encodings ingest accepts. */
function ingestBody(row: TSchema, what: string): Record<string, unknown> {
  return {
    description: `${what}: one JSON object, a JSON array, NDJSON (one object a line) or CSV with a header row`,
    content: {
      'application/json': { schema: Type.Union([row, Type.Array(row)]) },
      'application/x-ndjson': { schema: Type.String({ description: 'one JSON object a line' }) },
      'text/csv': { schema: Type.String({ description: 'header row then data rows' }) },
    },
  };
}

const text = (mime: string, description: string) => ({ description, content: { [mime]: { schema: Type.String() } } });
const IdParam = (description: string) => Type.Object({ id: Type.String({ description }) });

interface RouteDoc {
  /** Validated by Fastify. */
  params?: TSchema;
  /** Documented only: the handler parses and validates (better messages). */
  docBody?: Record<string, unknown>;
  response: Record<number, unknown>;
}

const INGEST_ERRORS = errorResponses(413, 415, 422);

/** Every route's documentation, by "METHOD url". */
export const ROUTE_DOCS: Record<string, RouteDoc> = {
  'POST /api/v1/transactions': { docBody: ingestBody(CountRow, 'Per-minute status counts'), response: { 200: Type.Ref('Recommendation'), ...INGEST_ERRORS } },
  'POST /api/v1/auth-codes': { docBody: ingestBody(AuthCodeRow, 'Per-minute auth-code counts'), response: { 200: Type.Ref('Recommendation'), ...INGEST_ERRORS } },
  'POST /api/v1/transactions/raw': { docBody: ingestBody(RawRow, 'Single transactions (deduplicated by id; extra gateway fields accepted)'), response: { 200: Type.Ref('Recommendation'), ...INGEST_ERRORS } },

  'GET /api/v1/alerts': { response: { 200: Type.Object({ alerts: Type.Array(Type.Ref('Alert')), count: Type.Integer() }, open), ...errorResponses() } },
  'GET /api/v1/alerts/:id': {
    params: IdParam('alert id (a positive integer)'),
    response: {
      200: Type.Intersect([Type.Ref('Alert'), Type.Object({ history: Type.Array(Type.Object({ at: IsoTime, from: Nullable(Type.String()), to: Type.String() }, open)) })]),
      ...errorResponses(404),
    },
  },
  'GET /api/v1/alert-page': {
    response: {
      200: Type.Object({
        alert: Type.Ref('Alert'), evidence: Type.Array(Loose), history: Type.Array(Loose), notified: Type.Array(Loose),
        notifications_enabled: Type.Boolean(), chart: Loose, dashboard: Type.String(),
      }, { ...open, description: 'The alert, its evidence in words, history, receivers notified and the chart of its series' }),
      ...errorResponses(404),
    },
  },
  'GET /api/v1/metrics': {
    response: {
      200: Type.Object({
        scope: Type.String(), minutes: Type.Integer(), latest_minute: Nullable(IsoTime), total: Type.Number(), totals: NumberMap, shares: NumberMap, rates_per_minute: NumberMap,
        series: Type.Array(Type.Object({ minute: IsoTime, total: Type.Number(), counts: NumberMap }, open)),
        current: Type.Optional(Nullable(Type.Object({ minute: IsoTime, total: Type.Number(), counts: NumberMap }, open))),
        approval_rate: Type.Optional(Nullable(Type.Number())), failure_rate: Type.Optional(Nullable(Type.Number())), message: Type.Optional(Type.String()),
      }, open),
      ...errorResponses(),
    },
  },
  'GET /api/v1/baseline': {
    response: {
      200: Type.Object({
        scope: Nullable(Type.String()),
        series: Type.Array(Type.Object({
          scope: Type.String(), metric: Type.String(), status: Type.String(), direction: Type.String(), expected: Type.Number(),
          band: Type.Array(Type.Number(), { minItems: 2, maxItems: 2 }), source: Type.String(), history: Type.Number(), ready: Type.Boolean(),
        }, open)),
        last_evaluated: Type.Record(Type.String(), Nullable(IsoTime)),
      }, open),
      ...errorResponses(),
    },
  },
  'GET /api/v1/assessments': {
    response: {
      200: Type.Object({
        assessments: Type.Array(Type.Object({
          scope: Type.String(), minute: IsoTime, anomalyScore: Type.Number(), severity: Severity, findings: Type.Array(Loose),
          metrics: MinuteMetrics, explanation: Type.String(), hasData: Type.Boolean(),
        }, open)),
        count: Type.Integer(),
      }, open),
      ...errorResponses(),
    },
  },
  'GET /api/v1/scopes': {
    response: {
      200: Type.Object({ scopes: Type.Array(Type.Object({ scope: Type.String(), first_minute: IsoTime, last_minute: IsoTime, last_evaluated: Nullable(IsoTime) }, open)) }, open),
      ...errorResponses(),
    },
  },

  'POST /api/v1/silences': {
    docBody: {
      description: 'A silence: label matchers, optional start (default now), end, author, comment',
      content: {
        'application/json': {
          schema: Type.Object({
            matchers: Type.Array(Matcher, { minItems: 1 }), startsAt: Type.Optional(IsoTime), endsAt: IsoTime, createdBy: Type.String(), comment: Type.String(),
          }, { additionalProperties: false }),
        },
      },
    },
    response: { 201: Type.Ref('Silence'), ...errorResponses(413, 415) },
  },
  'GET /api/v1/silences': { response: { 200: Type.Object({ silences: Type.Array(Type.Ref('Silence')), count: Type.Integer() }, open), ...errorResponses() } },
  'GET /api/v1/silences/:id': { params: IdParam('silence UUID'), response: { 200: Type.Ref('Silence'), ...errorResponses(404) } },
  'DELETE /api/v1/silences/:id': { params: IdParam('silence UUID'), response: { 200: Type.Ref('Silence'), ...errorResponses(404) } },
  'GET /api/v1/notifications': {
    response: {
      200: Type.Object({
        notifications: Type.Array(Type.Object({
          id: Type.String(), receiver: Type.String({ description: '<receiver>/<type>[<n>]' }), state: Type.String(), attempts: Type.Integer(),
          last_error: Nullable(Type.String()), created_at: IsoTime, next_attempt_at: Nullable(IsoTime), delivered_at: Nullable(IsoTime),
          status: Type.Optional(Type.String()), group_key: Type.Optional(Type.String()),
          alerts: Type.Array(Type.Object({ fingerprint: Type.String(), status: Type.String(), labels: StringMap }, open)),
        }, open)),
        count: Type.Integer(),
        pending: Type.Integer(),
      }, open),
      ...errorResponses(),
    },
  },

  'GET /health': {
    response: {
      200: Type.Object({
        status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
        store: Type.Object({ dialect: Type.String(), reachable: Type.Boolean() }, open),
        engine: Type.Object({ rebuilding: Type.Boolean() }, open),
        uptime_seconds: Type.Number(), minutes_evaluated: Type.Number(), scopes: Type.Integer(), auth: Type.String(),
      }, open),
      503: Type.Union([
        Type.Object({ status: Type.Literal('degraded') }, open),
        Type.Ref('TxmonError'),
      ], { description: 'The store is unreachable: the health body with status degraded (Retry-After set)' }),
      500: Type.Ref('TxmonError'),
    },
  },
  'POST /-/reload': {
    response: {
      200: Type.Object({ status: Type.Literal('reloaded'), reloaded: Type.String(), receivers: Type.Array(Type.String()), restartNeeded: Type.Array(Type.String()) }, open),
      ...errorResponses(409, 422),
    },
  },
  'GET /metrics': { response: { 200: text('text/plain', 'Prometheus text exposition (version 0.0.4); see docs/integrations.md for the series'), ...errorResponses() } },

  'GET /api/v1/queries': {
    response: {
      200: Type.Object({
        queries: Type.Array(Type.Object({
          name: Type.String(), summary: Type.String(), description: Type.String(),
          parameters: Type.Array(Type.Object({ name: Type.String(), type: Type.String(), required: Type.Boolean(), default: Nullable(Type.String()), description: Type.String() }, open)),
        }, open)),
        count: Type.Integer(),
      }, open),
      ...errorResponses(),
    },
  },
  'GET /api/v1/queries/:name': {
    response: {
      200: {
        description: 'Rows as JSON, or CSV with ?format=csv',
        content: {
          'application/json': { schema: Type.Object({ columns: Type.Array(Type.String()), rows: Type.Array(Loose), count: Type.Integer() }, open) },
          'text/csv': { schema: Type.String() },
        },
      },
      ...errorResponses(404),
    },
  },

  'POST /api/v1/events/ticket': {
    response: { 200: Type.Object({ ticket: Type.String(), expires_at: IsoTime, ttl_seconds: Type.Number() }, open), ...errorResponses() },
  },
  'GET /api/v1/events': { response: { 200: text('text/event-stream', 'Server-Sent Events: hello, minutes, alerts, reset'), ...errorResponses() } },

  'POST /api/v1/checkout': {
    docBody: { description: 'Hourly checkout CSV (time,today,yesterday,same_day_last_week,avg_last_week,avg_last_month)', content: { 'text/csv': { schema: Type.String() } } },
    response: {
      200: Type.Object({
        source: Type.String(), verdict: Type.String(), conclusion: Type.String(), episodes: Type.Array(Loose),
        analysis: Loose, chart: Loose, query: Type.Array(Loose),
      }, open),
      ...errorResponses(413, 415),
    },
  },
  'GET /api/v1/checkout': {
    response: { 200: Type.Object({ sources: Type.Array(Type.Object({ source: Type.String(), hours: Type.Number(), today: Type.Number() }, open)) }, open), ...errorResponses() },
  },

  'GET /api/v1/dashboard': { response: { 200: Type.Object({}, { ...open, description: 'Panels (ECharts options), KPI tiles, alerts in range, scopes' }), ...errorResponses() } },
  'GET /api/v1/config/rules': {
    response: {
      200: Type.Object({
        rules: Loose, min_total_for_share: Type.Number(), severity_score: Loose, problem_statuses: Type.Array(Type.String()), volume_statuses: Type.Array(Type.String()),
      }, open),
      ...errorResponses(),
    },
  },
};

/** Shared schemas ($id) the table refers to; buildApp adds them at the root. */
export const schemas: TSchema[] = [AlertNotifyStatus, AlertView, SilenceView, Recommendation];

const SUCCESS: Record<string, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No content' };

/** Adds the table's params and responses to each route as it is registered. Call before the routes. */
export function applyRouteSchemas(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const doc = methods.map((m) => ROUTE_DOCS[`${m} ${route.url}`]).find((d) => d !== undefined);
    const schema = { ...(route.schema ?? {}) } as Record<string, unknown>;
    if (doc) {
      if (doc.params && schema.params === undefined) schema.params = doc.params;
      if (schema.response === undefined) schema.response = doc.response;
      if (doc.docBody) schema.docBody = doc.docBody;
    }
    // A 2xx without a description would read "Default Response" in the document.
    const response = schema.response as Record<string, Record<string, unknown>> | undefined;
    if (response) {
      schema.response = Object.fromEntries(Object.entries(response).map(([code, r]) =>
        [code, r && typeof r === 'object' && r.description === undefined ? { ...r, description: SUCCESS[code] ?? 'Answer' } : r]));
    }
    route.schema = schema;
  });
}

/** @fastify/swagger transform: documented-only bodies become the operation's requestBody. */
export function openapiTransform({ schema, url }: { schema: Record<string, unknown>; url: string }): { schema: Record<string, unknown>; url: string } {
  if (!schema || schema.docBody === undefined) return { schema, url };
  const { docBody, ...rest } = schema;
  return { schema: { ...rest, body: docBody }, url };
}
