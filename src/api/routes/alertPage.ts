/**
 * The alert page, where every notification link lands:
 *   GET /alerts/:id                 the page (src/dashboard/alert.html)
 *   GET /alerts?fingerprint=<fp>    the same page for the latest alert with that fingerprint
 *   GET /alerts                     the page listing the open and recent alerts
 *   GET /api/v1/alert-page?id=N | ?fingerprint=FP   everything the page shows (src/report/alertPage.ts)
 */
import type { FastifyInstance } from 'fastify';
import { TxmonError } from '../../domain/errors.ts';
import { DEFAULT_SCOPE, type Alert } from '../../domain/types.ts';
import { DetectionModel } from '../../detect/model.ts';
import { loadPanelData } from '../../report/panels.ts';
import { AFTER_MINUTES, BEFORE_MINUTES, alertChartOption, evidenceOf, notifiedRows, roundForPeople } from '../../report/alertPage.ts';
import { stringParam } from '../query.ts';
import type { ContextWith } from '../context.ts';
import type { SeriesStore, EvaluationStore, AlertStore } from '../../store/store.ts';
import type { NotifyStore } from '../../store/notifyStore.ts';
import { alertView } from './read.ts';

/** The store roles these routes use. */
type RouteStore = SeriesStore & EvaluationStore & AlertStore & Pick<NotifyStore, 'listOutbox'>;

/** Finds the alert a link names: by id, or the newest alert with the fingerprint. */
async function findAlert(ctx: ContextWith<RouteStore>, q: Record<string, unknown>): Promise<Alert> {
  const rawId = stringParam(q, 'id');
  const fp = stringParam(q, 'fingerprint');
  if (rawId !== undefined) {
    if (!/^\d+$/.test(rawId)) throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `id must be a positive integer, got ${JSON.stringify(rawId)}`, { field: 'id' });
    const a = await ctx.store.getAlert(Number(rawId));
    if (!a) throw new TxmonError('TXMON_ERR_NOT_FOUND', `no alert with id ${rawId}`);
    return a;
  }
  if (fp !== undefined) {
    if (!/^[0-9a-zA-Z_-]{1,64}$/.test(fp)) throw new TxmonError('TXMON_ERR_BAD_PARAMETER', 'fingerprint must be 1-64 letters, digits, "-" or "_"', { field: 'fingerprint' });
    const open = (await ctx.store.openAlerts()).filter((a) => a.fingerprint === fp);
    const found = open.length ? open : (await ctx.store.listAlerts({ limit: 10_000 })).filter((a) => a.fingerprint === fp);
    const newest = found.sort((x, y) => y.startsAt - x.startsAt)[0];
    if (!newest) throw new TxmonError('TXMON_ERR_NOT_FOUND', `no alert with fingerprint ${fp}`);
    return newest;
  }
  throw new TxmonError('TXMON_ERR_BAD_PARAMETER', 'give id or fingerprint', { field: 'id' });
}

export async function routes(app: FastifyInstance, ctx: ContextWith<RouteStore>): Promise<void> {
  app.get('/api/v1/alert-page', {
    schema: {
      tags: ['alerts'],
      summary: 'Everything the alert page shows: the alert, its series around the start with the expected band, evidence in words, history, receivers notified',
      querystring: { type: 'object', properties: { id: { type: 'string' }, fingerprint: { type: 'string' } } },
    },
  }, async (req) => {
    ctx.access.check(req, 'read');
    const alert = await findAlert(ctx, req.query as Record<string, unknown>);
    const scope = alert.labels.scope ?? DEFAULT_SCOPE;
    const detect = ctx.engine.model.config;
    const endMs = alert.endsAt ?? (alert.lastMinute + 1) * 60_000;
    const loaded = await loadPanelData({
      store: ctx.store, detect, timeZone: ctx.config.timeZone, newModel: () => new DetectionModel(detect),
    }, { scope, range: 'alert', fromMs: alert.startsAt - BEFORE_MINUTES * 60_000, toMs: endMs + AFTER_MINUTES * 60_000 });
    const [history, outbox] = await Promise.all([
      ctx.store.alertHistory(alert.id),
      // The newest outbox rows (planning clock times may differ from data times in replays).
      ctx.store.listOutbox({ limit: 5_000 }),
    ]);
    const statuses = await ctx.notifications.alertStatuses([alert]);
    const base = alertView(alert, statuses.get(alert.id) ?? null);
    return {
      alert: base,
      evidence: evidenceOf(alert),
      history: history.map((h) => ({ ...h, at: new Date(h.at).toISOString(), score_text: roundForPeople(h.score) })),
      notified: notifiedRows(outbox, alert.fingerprint),
      // Every running txmon has a notification pipeline; the field stays for API clients.
      notifications_enabled: true,
      chart: alertChartOption(alert, loaded.data),
      dashboard: `/?scope=${encodeURIComponent(scope)}&range=6h`,
    };
  });
}
