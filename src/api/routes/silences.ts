/**
 * Silences and the notification outbox over HTTP:
 *
 * - `POST /api/v1/silences` (admin): `{matchers: [{name, value, isRegex, isEqual}], startsAt?, endsAt, createdBy, comment}` → 201 the silence;
 * - `GET /api/v1/silences[?state=active|pending|expired]` (read), `GET /api/v1/silences/:id`;
 * - `DELETE /api/v1/silences/:id` (admin): expires it now (kept, state expired);
 * - `GET /api/v1/notifications[?state=pending|delivered|failed&limit=]` (read): outbox rows with
 *   state, attempts and last error, so failed deliveries are visible.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { TxmonError } from '../../domain/errors.ts';
import { parseSilenceInput, silenceState, type Silence } from '../../alerting/silences.ts';
import type { OutboxRow } from '../../store/notifyStore.ts';
import type { Notification } from '../../notify/types.ts';
import { enumParam, intParam } from '../query.ts';
import type { AppContext } from '../context.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function silenceView(s: Silence, now: number): Record<string, unknown> {
  return {
    id: s.id, matchers: s.matchers, startsAt: iso(s.startsAt), endsAt: iso(s.endsAt), createdBy: s.createdBy, comment: s.comment,
    createdAt: iso(s.createdAt), updatedAt: iso(s.updatedAt), status: { state: silenceState(s, now) },
  };
}

function outboxView(r: OutboxRow): Record<string, unknown> {
  const n = r.payload as Partial<Notification>;
  return {
    id: r.id, receiver: r.receiver, state: r.state, attempts: r.attempts, last_error: r.lastError,
    created_at: iso(r.createdAt), next_attempt_at: r.state === 'pending' ? iso(r.nextAttemptAt) : null, delivered_at: iso(r.deliveredAt),
    status: n.status, group_key: n.groupKey, alerts: (n.alerts ?? []).map((a) => ({ fingerprint: a.fingerprint, status: a.status, labels: a.labels })),
  };
}

const SILENCE_ID = /^[0-9a-f-]{36}$/;

export async function routes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  // Read at call time: a reload replaces the pipeline.
  const notifications = () => ctx.notifications;
  const now = () => notifications().clock.now();
  const silenceId = (raw: string) => {
    if (!SILENCE_ID.test(raw)) throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `silence id must be a UUID, got ${JSON.stringify(raw)}`, { field: 'id' });
    return raw;
  };

  app.post('/api/v1/silences', {
    schema: { tags: ['silences'], summary: 'Create a silence (label matchers, start, end, author, comment)' },
    onRequest: async (req) => { ctx.access.check(req, 'admin'); }, // before the body is read
  }, async (req, reply) => {
    ctx.access.check(req, 'admin');
    const n = notifications();
    const t = now();
    const input = parseSilenceInput(req.body, t);
    const silence: Silence = { id: randomUUID(), ...input, createdAt: t, updatedAt: t };
    await n.store.createSilence(silence);
    await n.reloadSilences();
    reply.code(201);
    return silenceView(silence, t);
  });

  app.get('/api/v1/silences', {
    schema: { tags: ['silences'], summary: 'List silences with their state (active, pending, expired)', querystring: { type: 'object', properties: { state: { type: 'string' } } } },
  }, async (req) => {
    ctx.access.check(req, 'read');
    const state = enumParam(req.query as Record<string, unknown>, 'state', ['active', 'pending', 'expired'] as const);
    const t = now();
    const all = (await notifications().store.listSilences()).map((s) => silenceView(s, t));
    const silences = state ? all.filter((s) => (s.status as { state: string }).state === state) : all;
    return { silences, count: silences.length };
  });

  app.get('/api/v1/silences/:id', { schema: { tags: ['silences'], summary: 'One silence' } }, async (req) => {
    ctx.access.check(req, 'read');
    const id = silenceId((req.params as { id: string }).id);
    const s = await notifications().store.getSilence(id);
    if (!s) throw new TxmonError('TXMON_ERR_NOT_FOUND', `no silence with id ${id}`);
    return silenceView(s, now());
  });

  app.delete('/api/v1/silences/:id', { schema: { tags: ['silences'], summary: 'Expire a silence now' } }, async (req) => {
    ctx.access.check(req, 'admin');
    const n = notifications();
    const id = silenceId((req.params as { id: string }).id);
    const t = now();
    const s = await n.store.expireSilence(id, t);
    if (!s) throw new TxmonError('TXMON_ERR_NOT_FOUND', `no silence with id ${id}`);
    await n.reloadSilences();
    return silenceView(s, t);
  });

  app.get('/api/v1/notifications', {
    schema: { tags: ['notifications'], summary: 'Notification outbox: state, attempts, last error', querystring: { type: 'object', properties: { state: { type: 'string' }, limit: { type: 'string' } } } },
  }, async (req) => {
    ctx.access.check(req, 'read');
    const q = req.query as Record<string, unknown>;
    const rows = await notifications().store.listOutbox({
      state: enumParam(q, 'state', ['pending', 'delivered', 'failed'] as const),
      limit: intParam(q, 'limit', 1, 10_000) ?? 100,
    });
    return { notifications: rows.map(outboxView), count: rows.length, pending: await notifications().store.countPending() };
  });
}
