/**
 * Alertmanager's v2 API where txmon re-implements Alertmanager, in Alertmanager's own shapes
 * (its OpenAPI spec, api/v2/openapi.yaml of Alertmanager 0.25), so `amtool --alertmanager.url=
 * http://txmon:8080` and other Alertmanager clients work against txmon:
 *
 * - `GET /api/v2/status` — cluster (disabled: one txmon), version, the alerting config (secrets
 *   redacted), uptime;
 * - `GET /api/v2/receivers` — receiver names;
 * - `GET /api/v2/alerts[?active&silenced&inhibited&unprocessed&filter&receiver]` — the firing
 *   alerts as Alertmanager lists them (`status.state` active or suppressed, `silencedBy`,
 *   `inhibitedBy`, the receivers their route sends to); pending alerts are not listed (Alertmanager
 *   never sees them: Prometheus holds them until they fire);
 * - `GET /api/v2/silences[?filter]`, `POST /api/v2/silences` (→ `{silenceID}`; with an `id`, the
 *   old silence is expired and a new one made, as Alertmanager does for changed silences),
 *   `GET /api/v2/silence/{id}`, `DELETE /api/v2/silence/{id}` (expires it).
 *
 * Same store and pipeline as /api/v1/silences; same access rules (read for GET, admin for changes).
 * Error bodies are txmon's (`{error: {code, message}}`).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { stringify as toYaml } from 'yaml';
import { TxmonError } from '../../domain/errors.ts';
import { parseSilenceInput, silenceState, type Silence } from '../../alerting/silences.ts';
import { compileMatcher, matchesAll, parseMatcher, type CompiledMatcher } from '../../alerting/matchers.ts';
import { matchRoutes } from '../../alerting/routing.ts';
import { alertLabels, toNotifiedAlert } from '../../notify/types.ts';
import type { Alert } from '../../domain/types.ts';
import { watchdogAlert } from '../../notify/watchdog.ts';
import type { ContextWith } from '../context.ts';
import type { AlertStore } from '../../store/store.ts';
import { errorResponses, IsoTime, StringMap } from '../schemas.ts';

/** The store roles these routes use. */
type RouteStore = Pick<AlertStore, 'openAlerts'>;

/** How far ahead the endsAt of a firing alert is projected (Alertmanager's default resolve_timeout). */
export const PROJECTED_END_MS = 5 * 60_000;

const Matcher = Type.Object({
  name: Type.String(),
  value: Type.String(),
  isRegex: Type.Boolean(),
  isEqual: Type.Optional(Type.Boolean({ default: true })),
}, { $id: 'AmMatcher' });

const GettableSilence = Type.Object({
  id: Type.String(),
  status: Type.Object({ state: Type.Union([Type.Literal('expired'), Type.Literal('active'), Type.Literal('pending')]) }),
  updatedAt: IsoTime,
  matchers: Type.Array(Matcher),
  startsAt: IsoTime,
  endsAt: IsoTime,
  createdBy: Type.String(),
  comment: Type.String(),
}, { $id: 'AmGettableSilence' });

const PostableSilence = Type.Object({
  id: Type.Optional(Type.String({ description: 'to change a silence: it is expired and a new one made' })),
  matchers: Type.Array(Matcher, { minItems: 1 }),
  startsAt: Type.Optional(IsoTime),
  endsAt: IsoTime,
  createdBy: Type.String(),
  comment: Type.String(),
}, { $id: 'AmPostableSilence', additionalProperties: false });

const GettableAlert = Type.Object({
  labels: StringMap,
  annotations: StringMap,
  startsAt: IsoTime,
  endsAt: IsoTime,
  updatedAt: IsoTime,
  fingerprint: Type.String(),
  generatorURL: Type.String(),
  receivers: Type.Array(Type.Object({ name: Type.String() })),
  status: Type.Object({
    state: Type.Union([Type.Literal('unprocessed'), Type.Literal('active'), Type.Literal('suppressed')]),
    silencedBy: Type.Array(Type.String()),
    inhibitedBy: Type.Array(Type.String()),
  }),
}, { $id: 'AmGettableAlert' });

const AlertmanagerStatus = Type.Object({
  cluster: Type.Object({
    name: Type.Optional(Type.String()),
    status: Type.Union([Type.Literal('ready'), Type.Literal('settling'), Type.Literal('disabled')]),
    peers: Type.Array(Type.Object({ name: Type.String(), address: Type.String() })),
  }),
  versionInfo: Type.Object({
    branch: Type.String(), buildDate: Type.String(), buildUser: Type.String(), goVersion: Type.String(), revision: Type.String(), version: Type.String(),
  }),
  config: Type.Object({ original: Type.String() }),
  uptime: IsoTime,
}, { $id: 'AmStatus' });

const Flag = Type.Union([Type.Literal('true'), Type.Literal('false')]);
const Filter = Type.Union([Type.String(), Type.Array(Type.String())], { description: 'label matchers, e.g. alertname="failed_high" (repeatable)' });
const SilenceIdParams = Type.Object({ silenceID: Type.String({ description: 'silence UUID' }) });

const SECRET_KEY = /(url|token|key|password|pass|secret)$/i;

/** The alerting section as YAML with secret-looking values replaced, as Alertmanager shows `<secret>`. */
function redactedYaml(section: Record<string, unknown>): string {
  const redact = (v: unknown, key = ''): unknown => {
    if (Array.isArray(v)) return v.map((x) => redact(x));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redact(x, k)]));
    if (typeof v === 'string' && SECRET_KEY.test(key) && key !== 'external_url' && key !== 'generator_url') return '<secret>';
    return v;
  };
  return toYaml({ alerting: redact(section) });
}

function filterMatchers(raw: string | string[] | undefined): CompiledMatcher[] {
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return list.map((text, i) => {
    try {
      return parseMatcher(text.trim(), `filter[${i}]`);
    } catch (err) {
      throw new TxmonError('TXMON_ERR_BAD_PARAMETER', (err as Error).message, { field: 'filter', got: text });
    }
  });
}

const iso = (ms: number) => new Date(ms).toISOString();

function silenceView(s: Silence, now: number) {
  return {
    id: s.id, status: { state: silenceState(s, now) }, updatedAt: iso(s.updatedAt),
    matchers: s.matchers.map((m) => ({ name: m.name, value: m.value, isRegex: m.isRegex, isEqual: m.isEqual !== false })),
    startsAt: iso(s.startsAt), endsAt: iso(s.endsAt), createdBy: s.createdBy, comment: s.comment,
  };
}

/** Shared schemas of these routes (added at the root by buildApp, so /docs/json has them as components). */
export const schemas = [Matcher, GettableSilence, PostableSilence, GettableAlert, AlertmanagerStatus];

export async function routes(app: FastifyInstance, ctx: ContextWith<RouteStore>): Promise<void> {
  const ref = (id: string) => Type.Ref(id);
  // Read at call time: a reload replaces the pipeline.
  const notifications = () => ctx.notifications;
  const tags = ['alertmanager'];

  app.get('/api/v2/status', {
    schema: { tags, summary: 'Alertmanager status: cluster, version, config (secrets redacted), uptime', response: { 200: ref('AmStatus'), ...errorResponses() } },
  }, async (req) => {
    ctx.access.check(req, 'read');
    return {
      cluster: { status: 'disabled', peers: [] },
      versionInfo: { branch: 'txmon', buildDate: '', buildUser: 'txmon', goVersion: `node ${process.version}`, revision: '', version: '0.25.0-txmon' },
      config: { original: redactedYaml(ctx.config.alerting) },
      uptime: iso(ctx.startedAt),
    };
  });

  app.get('/api/v2/receivers', {
    schema: { tags, summary: 'Receiver names', response: { 200: Type.Array(Type.Object({ name: Type.String() })), ...errorResponses() } },
  }, async (req) => {
    ctx.access.check(req, 'read');
    return notifications().config.receivers.map((r) => ({ name: r.name }));
  });

  app.get('/api/v2/alerts', {
    schema: {
      tags,
      summary: 'Firing alerts in Alertmanager\'s GettableAlert shape',
      querystring: Type.Object({
        active: Type.Optional(Flag), silenced: Type.Optional(Flag), inhibited: Type.Optional(Flag), unprocessed: Type.Optional(Flag),
        filter: Type.Optional(Filter), receiver: Type.Optional(Type.String({ description: 'regex on receiver names' })),
      }),
      response: { 200: Type.Array(ref('AmGettableAlert')), ...errorResponses() },
    },
  }, async (req) => {
    ctx.access.check(req, 'read');
    const q = req.query as { active?: string; silenced?: string; inhibited?: string; filter?: string | string[]; receiver?: string };
    const want = { active: q.active !== 'false', silenced: q.silenced !== 'false', inhibited: q.inhibited !== 'false' };
    const filter = filterMatchers(q.filter);
    let receiverRe: CompiledMatcher | null = null;
    if (q.receiver !== undefined) {
      // RE2 (linear time), anchored, at most MAX_REGEX_LENGTH characters: as silence matchers.
      try {
        receiverRe = compileMatcher({ name: 'receiver', value: q.receiver, isRegex: true, isEqual: true }, 'receiver');
      } catch (err) {
        throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `receiver must be a regular expression: ${(err as Error).message}`, { field: 'receiver' });
      }
    }
    return alertmanagerAlerts(ctx, { ...want, filter, receiver: receiverRe });
  });

  app.get('/api/v2/silences', {
    schema: {
      tags, summary: 'Silences (Alertmanager shape); filter matches silences whose matchers, read as labels, match every filter matcher',
      querystring: Type.Object({ filter: Type.Optional(Filter) }),
      response: { 200: Type.Array(ref('AmGettableSilence')), ...errorResponses() },
    },
  }, async (req) => {
    ctx.access.check(req, 'read');
    const filter = filterMatchers((req.query as { filter?: string | string[] }).filter);
    const now = notifications().clock.now();
    const all = await notifications().store.listSilences();
    return all
      .filter((s) => matchesAll(filter, Object.fromEntries(s.matchers.map((m) => [m.name, m.value]))))
      .map((s) => silenceView(s, now));
  });

  app.post('/api/v2/silences', {
    schema: {
      tags, summary: 'Create a silence (or replace one, with its id); answers {silenceID}',
      body: ref('AmPostableSilence'),
      response: { 200: Type.Object({ silenceID: Type.String() }), ...errorResponses(404, 413, 415) },
    },
    onRequest: async (req) => { ctx.access.check(req, 'admin'); }, // before the body is read
  }, async (req) => {
    ctx.access.check(req, 'admin');
    const n = notifications();
    const t = n.clock.now();
    const body = req.body as { id?: string } & Record<string, unknown>;
    const { id: oldId, ...rest } = body;
    const input = parseSilenceInput(rest, t);
    if (oldId !== undefined && oldId !== '') {
      const old = await n.store.getSilence(oldId);
      if (!old) throw new TxmonError('TXMON_ERR_NOT_FOUND', `no silence with id ${oldId}`);
      if (silenceState(old, t) !== 'expired') await n.store.expireSilence(oldId, t);
    }
    const silence: Silence = { id: randomUUID(), ...input, createdAt: t, updatedAt: t };
    await n.store.createSilence(silence);
    await n.reloadSilences();
    return { silenceID: silence.id };
  });

  app.get('/api/v2/silence/:silenceID', {
    schema: { tags, summary: 'One silence', params: SilenceIdParams, response: { 200: ref('AmGettableSilence'), ...errorResponses(404) } },
  }, async (req) => {
    ctx.access.check(req, 'read');
    const { silenceID } = req.params as { silenceID: string };
    const s = await notifications().store.getSilence(silenceID);
    if (!s) throw new TxmonError('TXMON_ERR_NOT_FOUND', `no silence with id ${silenceID}`);
    return silenceView(s, notifications().clock.now());
  });

  app.delete('/api/v2/silence/:silenceID', {
    schema: { tags, summary: 'Expire a silence now', params: SilenceIdParams, response: { 200: Type.Null({ description: 'Expired (empty body)' }), ...errorResponses(404) } },
  }, async (req, reply) => {
    ctx.access.check(req, 'admin');
    const n = notifications();
    const { silenceID } = req.params as { silenceID: string };
    const s = await n.store.getSilence(silenceID);
    if (!s) throw new TxmonError('TXMON_ERR_NOT_FOUND', `no silence with id ${silenceID}`);
    await n.store.expireSilence(silenceID, n.clock.now());
    await n.reloadSilences();
    reply.code(200).send();
  });
}

export interface AlertQuery {
  active: boolean;
  silenced: boolean;
  inhibited: boolean;
  filter: CompiledMatcher[];
  /** Receiver-name regex (RE2, anchored). */
  receiver: CompiledMatcher | null;
}

/** The firing alerts as Alertmanager's GET /api/v2/alerts lists them. */
export async function alertmanagerAlerts(ctx: ContextWith<RouteStore>, q: AlertQuery): Promise<unknown[]> {
  const n = ctx.notifications;
  const now = n.clock.now();
  const firing = (await ctx.store.openAlerts()).filter((a: Alert) => a.state === 'firing');
  // The Watchdog fires as long as txmon runs (alerting.watchdog.enabled).
  if (n.config.watchdog.enabled) firing.unshift(watchdogAlert(ctx.startedAt));
  const statuses = await n.alertStatuses(firing);
  const out: unknown[] = [];
  for (const a of firing) {
    const labels = alertLabels(a);
    if (!matchesAll(q.filter, labels)) continue;
    const st = statuses.get(a.id);
    const silenced = (st?.silencedBy.length ?? 0) > 0;
    const inhibited = (st?.inhibitedBy.length ?? 0) > 0;
    if (!silenced && !inhibited && !q.active) continue;
    if (silenced && !q.silenced) continue;
    if (inhibited && !q.inhibited) continue;
    const receivers = [...new Set(matchRoutes(n.planner.root, labels).map((r) => r.receiver))];
    if (q.receiver && !receivers.some((r) => q.receiver!.test(r))) continue;
    const notified = toNotifiedAlert(a, { externalUrl: n.config.externalUrl });
    out.push({
      labels: notified.labels,
      annotations: notified.annotations,
      startsAt: notified.startsAt,
      endsAt: iso(Math.max(now, a.updatedAt) + PROJECTED_END_MS),
      updatedAt: iso(a.updatedAt),
      fingerprint: a.fingerprint,
      generatorURL: notified.generatorURL,
      receivers: receivers.map((name) => ({ name })),
      status: { state: st?.state ?? 'active', silencedBy: st?.silencedBy ?? [], inhibitedBy: st?.inhibitedBy ?? [] },
    });
  }
  return out;
}
