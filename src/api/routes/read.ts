/** Read endpoints: alerts, metrics, baselines, assessments, scopes. */
import type { FastifyInstance } from 'fastify';
import { TxmonError } from '../../domain/errors.ts';
import { DEFAULT_SCOPE, type Alert } from '../../domain/types.ts';
import { minuteToIso, toMinute } from '../../domain/time.ts';
import { enumParam, intParam, stringParam, timeParam } from '../query.ts';
import type { ContextWith } from '../context.ts';
import type { SeriesStore, EvaluationStore, AlertStore } from '../../store/store.ts';
import type { AlertNotifyStatus } from '../../notify/service.ts';

/** The store roles these routes use. */
type RouteStore = SeriesStore & EvaluationStore & AlertStore;

type Q = Record<string, unknown>;

/**
 * An alert as the API shows it. `status` (Alertmanager's `{state, silencedBy, inhibitedBy}`)
 * is the notification status: null for resolved alerts, absent when this process runs no
 * notification pipeline.
 */
export function alertView(a: Alert, status?: AlertNotifyStatus | null): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: a.id, fingerprint: a.fingerprint, rule: a.rule, labels: a.labels, state: a.state, severity: a.severity,
    score: a.score, observed: a.observed, expected: a.expected, summary: a.summary, explanation: a.explanation,
    starts_at: new Date(a.startsAt).toISOString(), ends_at: a.endsAt === null ? null : new Date(a.endsAt).toISOString(),
    updated_at: new Date(a.updatedAt).toISOString(), last_minute: minuteToIso(a.lastMinute),
    duration_minutes: Math.round(((a.endsAt ?? (a.lastMinute + 1) * 60_000) - a.startsAt) / 60_000),
  };
  if (status !== undefined) view.status = status;
  return view;
}

/** Each alert's notification status (see alertView), decided by the notification planner. */
async function notifyStatuses(ctx: ContextWith<RouteStore>, alerts: readonly Alert[]): Promise<(a: Alert) => AlertNotifyStatus | null | undefined> {
  const statuses = await ctx.notifications.alertStatuses(alerts);
  return (a) => statuses.get(a.id) ?? null;
}

export async function readRoutes(app: FastifyInstance, ctx: ContextWith<RouteStore>): Promise<void> {
  const tz = ctx.config.timeZone;

  app.get('/api/v1/alerts', {
    schema: {
      tags: ['alerts'], summary: 'List alerts (filters: state, severity, scope, from, to, limit)',
      querystring: { type: 'object', properties: { state: { type: 'string' }, status: { type: 'string' }, severity: { type: 'string' }, scope: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, limit: { type: 'string' } } },
    },
  }, async (req) => {
    ctx.access.check(req, 'read');
    const q = req.query as Q;
    // `status` is accepted as an alias of `state` (alert status, as Alertmanager calls it).
    const state = enumParam(q, q.state !== undefined ? 'state' : 'status', ['pending', 'firing', 'resolved', 'open'] as const);
    const alerts = await ctx.store.listAlerts({
      state, severity: enumParam(q, 'severity', ['info', 'warning', 'critical'] as const), scope: stringParam(q, 'scope'),
      from: timeParam(q, 'from', tz), to: timeParam(q, 'to', tz), limit: intParam(q, 'limit', 1, 10_000),
    });
    const statusOf = await notifyStatuses(ctx, alerts);
    return { alerts: alerts.map((a) => alertView(a, statusOf(a))), count: alerts.length };
  });

  app.get('/api/v1/alerts/:id', { schema: { tags: ['alerts'], summary: 'One alert with its state history' } }, async (req) => {
    ctx.access.check(req, 'read');
    const raw = (req.params as { id: string }).id;
    if (!/^\d+$/.test(raw)) throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `alert id must be a positive integer, got ${JSON.stringify(raw)}`, { field: 'id' });
    const alert = await ctx.store.getAlert(Number(raw));
    if (!alert) throw new TxmonError('TXMON_ERR_NOT_FOUND', `no alert with id ${raw}`);
    const history = await ctx.store.alertHistory(alert.id);
    const statusOf = await notifyStatuses(ctx, [alert]);
    return { ...alertView(alert, statusOf(alert)), history: history.map((h) => ({ ...h, at: new Date(h.at).toISOString() })) };
  });

  app.get('/api/v1/metrics', {
    schema: { tags: ['metrics'], summary: 'Counts, shares and rates over the last N minutes of a scope', querystring: { type: 'object', properties: { scope: { type: 'string' }, minutes: { type: 'string' } } } },
  }, async (req) => {
    ctx.access.check(req, 'read');
    const q = req.query as Q;
    const scope = stringParam(q, 'scope') ?? DEFAULT_SCOPE;
    const minutes = intParam(q, 'minutes', 1, 44_640) ?? 60;
    const info = (await ctx.store.listScopes()).find((s) => s.scope === scope);
    if (!info) return { scope, minutes, latest_minute: null, series: [], totals: {}, shares: {}, rates_per_minute: {}, total: 0, message: 'no data yet for this scope' };
    const to = info.lastMinute + 1;
    const rows = await ctx.store.readCounts(scope, to - minutes, to);
    const byMinute = new Map<number, Record<string, number>>();
    // Keyed by status (client data): null-prototype objects, so `__proto__` is a status like any other.
    const totals: Record<string, number> = Object.create(null);
    let total = 0;
    for (const r of rows) {
      let m = byMinute.get(r.minute);
      if (!m) byMinute.set(r.minute, (m = Object.create(null) as Record<string, number>));
      m[r.status] = r.count;
      totals[r.status] = (totals[r.status] ?? 0) + r.count;
      total += r.count;
    }
    const shares: Record<string, number> = Object.create(null);
    const rates: Record<string, number> = Object.create(null);
    const n = byMinute.size || 1;
    for (const [s, c] of Object.entries(totals)) { shares[s] = total ? c / total : 0; rates[s] = c / n; }
    const series = [...byMinute.entries()].sort((a, b) => a[0] - b[0]).map(([m, counts]) => {
      const t = Object.values(counts).reduce((x, y) => x + y, 0);
      return { minute: minuteToIso(m), total: t, counts };
    });
    const latest = series[series.length - 1];
    return {
      scope, minutes, latest_minute: latest?.minute ?? null, current: latest ?? null, total, totals, shares, rates_per_minute: rates,
      approval_rate: total ? (totals.approved ?? 0) / total : null, failure_rate: total ? (totals.failed ?? 0) / total : null, series,
    };
  });

  app.get('/api/v1/baseline', {
    schema: { tags: ['metrics'], summary: 'What each monitored series expects now', querystring: { type: 'object', properties: { scope: { type: 'string' } } } },
  }, async (req) => {
    ctx.access.check(req, 'read');
    const scope = stringParam(req.query as Q, 'scope');
    const series = ctx.engine.model.baselines(scope);
    return { scope: scope ?? null, series, last_evaluated: Object.fromEntries(ctx.engine.scopeNames().map((s) => [s, minuteOrNull(ctx.engine.lastEvaluated(s))])) };
  });

  app.get('/api/v1/assessments', {
    schema: { tags: ['metrics'], summary: 'Evaluated minutes (score, severity, findings)', querystring: { type: 'object', properties: { scope: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, min_severity: { type: 'string' }, limit: { type: 'string' } } } },
  }, async (req) => {
    ctx.access.check(req, 'read');
    const q = req.query as Q;
    const from = timeParam(q, 'from', tz);
    const to = timeParam(q, 'to', tz);
    const list = await ctx.store.listAssessments({
      scope: stringParam(q, 'scope'), from: from === undefined ? undefined : toMinute(from), to: to === undefined ? undefined : toMinute(to),
      minSeverity: enumParam(q, 'min_severity', ['none', 'info', 'warning', 'critical'] as const), limit: intParam(q, 'limit', 1, 100_000),
    });
    return { assessments: list.map((a) => ({ ...a, minute: minuteToIso(a.minute) })), count: list.length };
  });

  app.get('/api/v1/scopes', { schema: { tags: ['metrics'], summary: 'Scopes with data' } }, async (req) => {
    ctx.access.check(req, 'read');
    return {
      scopes: (await ctx.store.listScopes()).map((s) => ({
        scope: s.scope, first_minute: minuteToIso(s.firstMinute), last_minute: minuteToIso(s.lastMinute), last_evaluated: minuteOrNull(s.lastEvaluated),
      })),
    };
  });
}

const minuteOrNull = (m: number | null) => (m === null ? null : minuteToIso(m));
