/**
 * The `alerting:` section of the txmon YAML config: receivers, the route tree and inhibit rules,
 * modelled on Alertmanager's configuration (same key names where the concept is the same).
 *
 * The TypeBox schema checks shapes and types; `parseAlertingConfig` then checks what a schema
 * cannot (durations, matchers, receiver references, unique names), fills defaults and returns
 * a typed, camelCase `AlertingConfig`. Every problem is a TXMON_ERR_CONFIG naming the key path.
 *
 * Receivers hold integrations (`slack_configs`, `webhook_configs`, …) whose schemas live beside
 * their channel (src/notify/channels/*). That layer sits above this one, so the kinds are passed
 * in (`integrationKinds`) and assembled here into one schema: one pass, one list of problems.
 *
 * Secrets and URLs may be written as `${ENV_VAR}` (or `${ENV_VAR:-default}`); they are kept
 * verbatim here and resolved when a channel is created (src/notify/channels/index.ts), so a
 * parsed config can be shown without leaking secrets.
 */
import { Type, type Static, type TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { TxmonError } from '../domain/errors.ts';
import { isValidLabelName, matchersFrom, type CompiledMatcher } from './matchers.ts';
import { buildRouteTree, notificationLogWindowMs } from './routing.ts';

// ---------------------------------------------------------------------------------------------
// Durations

const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNIT_MS = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1];

/**
 * Parses a Prometheus-style duration ("30s", "5m", "4h", "1h30m", "250ms", "2d", "1w") to ms.
 * Returns null when the text is not a duration. Units must appear largest first, as in Prometheus.
 */
export function parseDuration(text: string): number | null {
  if (typeof text !== 'string' || text === '') return null;
  if (text === '0') return 0;
  const m = DURATION.exec(text);
  if (!m || m.slice(1).every((g) => g === undefined)) return null;
  let ms = 0;
  for (let i = 0; i < UNIT_MS.length; i++) if (m[i + 1] !== undefined) ms += Number(m[i + 1]) * UNIT_MS[i];
  return Number.isSafeInteger(ms) ? ms : null;
}

/** Formats ms as the shortest Prometheus duration ("1h30m", "0s"). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const names = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];
  let rest = ms;
  let out = '';
  for (let i = 0; i < UNIT_MS.length; i++) {
    const n = Math.floor(rest / UNIT_MS[i]);
    if (n > 0) {
      out += `${n}${names[i]}`;
      rest -= n * UNIT_MS[i];
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Schema (what the YAML may contain)

export const Duration = Type.String({ description: 'a duration like "30s", "5m", "4h", "1h30m"' });
export const NonEmpty = Type.String({ minLength: 1 });
/** Matchers are checked by matchers.ts (string or object), which gives precise messages. */
const MatcherList = Type.Array(Type.Unknown(), { description: 'label matchers, e.g. ["severity=\\"critical\\""]' });
export const StringMap = Type.Record(Type.String(), Type.String());
/** Objects of the section reject unknown keys (a typo is an error, not a silently ignored key). */
export const strict = { additionalProperties: false } as const;

/**
 * One kind of receiver integration: the key of its list in a receiver (`slack_configs`), the schema
 * of one entry, and how a checked entry becomes typed config. Declared beside its channel
 * (src/notify/channels/*); `parseAlertingConfig` assembles the kinds it is given.
 */
export interface IntegrationKind<I extends ParsedIntegration = ParsedIntegration, E = never> {
  readonly key: string;
  readonly schema: TSchema;
  /** `entry` has passed `schema`; `path` names it in messages, e.g. `alerting.receivers[0].slack_configs[1]`. */
  parse(entry: E, path: string): I;
}

/** What every parsed integration has. */
export interface ParsedIntegration {
  type: string;
  /** Notify resolved groups too. */
  sendResolved: boolean;
  timeoutMs: number;
}

/** A receiver: its name, then one optional list per integration kind, in the kinds' order. */
function receiverSchema(kinds: readonly IntegrationKind[]): TSchema {
  const lists: Record<string, TSchema> = {};
  for (const k of kinds) lists[k.key] = Type.Optional(Type.Array(k.schema));
  return Type.Object({ name: NonEmpty, ...lists }, strict);
}

export const RouteSchema = Type.Cyclic(
  {
    Route: Type.Object(
      {
        receiver: Type.Optional(NonEmpty),
        group_by: Type.Optional(Type.Array(NonEmpty)),
        group_wait: Type.Optional(Duration),
        group_interval: Type.Optional(Duration),
        repeat_interval: Type.Optional(Duration),
        matchers: Type.Optional(MatcherList),
        continue: Type.Optional(Type.Boolean()),
        routes: Type.Optional(Type.Array(Type.Ref('Route'))),
      },
      strict,
    ),
  },
  'Route',
);

export const InhibitRuleSchema = Type.Object(
  {
    source_matchers: MatcherList,
    target_matchers: MatcherList,
    equal: Type.Optional(Type.Array(NonEmpty)),
  },
  strict,
);

export const DeliverySchema = Type.Object(
  {
    /** First retry delay cap (full jitter below it). Default 1s. */
    initial_backoff: Type.Optional(Duration),
    /** Largest retry delay. Default 5m. */
    max_backoff: Type.Optional(Duration),
    /** Attempts before a notification is given up (dead-lettered). Default 12. */
    max_attempts: Type.Optional(Type.Integer({ minimum: 1 })),
    /** Give up when the first attempt is older than this. Default 24h. */
    give_up_after: Type.Optional(Duration),
  },
  strict,
);

/** txmon watching itself: the always-firing Watchdog alert and a heartbeat request. */
export const WatchdogSchema = Type.Object(
  {
    /** Send an always-firing `Watchdog` alert through the routes (Alertmanager's convention). Default false. */
    enabled: Type.Optional(Type.Boolean()),
    /** Requested every heartbeat_interval while minutes are being evaluated (a dead man's switch URL). */
    heartbeat_url: Type.Optional(NonEmpty),
    /** Default 1m. */
    heartbeat_interval: Type.Optional(Duration),
    /** Default GET. */
    heartbeat_method: Type.Optional(Type.Union([Type.Literal('GET'), Type.Literal('POST'), Type.Literal('HEAD')])),
    /** No heartbeat when no minute was evaluated for this long. Default 5m. */
    max_evaluation_age: Type.Optional(Duration),
  },
  strict,
);

/** The YAML `alerting:` section, with receivers of the given integration kinds. */
function alertingConfigSchema<R extends TSchema>(receiver: R) {
  return Type.Object(
    {
      /** Base URL of the txmon dashboard used in links. Default http://localhost:8080. */
      external_url: Type.Optional(NonEmpty),
      receivers: Type.Array(receiver, { minItems: 1 }),
      route: RouteSchema,
      inhibit_rules: Type.Optional(Type.Array(InhibitRuleSchema)),
      delivery: Type.Optional(DeliverySchema),
      /** Keep delivered and failed outbox rows this long, then prune them. Default 7d. */
      outbox_retention: Type.Optional(Duration),
      watchdog: Type.Optional(WatchdogSchema),
    },
    strict,
  );
}

const NO_KINDS: readonly IntegrationKind[] = [];

/** One schema per list of kinds (the callers pass one constant list). */
const schemas = new WeakMap<readonly IntegrationKind[], TSchema>();
function schemaFor(kinds: readonly IntegrationKind[]): TSchema {
  let schema = schemas.get(kinds);
  if (!schema) {
    schema = alertingConfigSchema(receiverSchema(kinds));
    schemas.set(kinds, schema);
  }
  return schema;
}

/** A receiver as written: its name and a list per integration kind (`log_configs: [{}]`). */
export type ReceiverInput = { name: string } & { [kindKey: string]: unknown };

/** The YAML `alerting:` section as written. */
export type AlertingConfigInput = Omit<Static<ReturnType<typeof alertingConfigSchema<TSchema>>>, 'receivers'> & { receivers: ReceiverInput[] };

// ---------------------------------------------------------------------------------------------
// Parsed, typed config

export interface ReceiverConfig<I extends ParsedIntegration = ParsedIntegration> {
  name: string;
  /** In the order of the kinds (slack, pagerduty, webhook, email, log, alertmanager), each in YAML order. Empty = a "null" receiver. */
  integrations: I[];
}

/** A route as configured: unset options are `undefined` and inherit from the parent (routing.ts). */
export interface RouteConfig {
  receiver?: string;
  /** Label names; `['...']` means group by all labels. */
  groupBy?: string[];
  groupWaitMs?: number;
  groupIntervalMs?: number;
  repeatIntervalMs?: number;
  matchers: CompiledMatcher[];
  continue: boolean;
  routes: RouteConfig[];
}

export interface InhibitRule {
  sourceMatchers: CompiledMatcher[];
  targetMatchers: CompiledMatcher[];
  equal: string[];
}

export interface DeliveryConfig {
  initialBackoffMs: number;
  maxBackoffMs: number;
  maxAttempts: number;
  giveUpAfterMs: number;
}

export interface AlertingConfig<I extends ParsedIntegration = ParsedIntegration> {
  externalUrl: string;
  receivers: ReceiverConfig<I>[];
  /** The root route; its receiver and timings are always set. */
  route: RouteConfig & { receiver: string; groupBy: string[]; groupWaitMs: number; groupIntervalMs: number; repeatIntervalMs: number };
  inhibitRules: InhibitRule[];
  delivery: DeliveryConfig;
  /** Delivered and failed outbox rows older than this are pruned. */
  outboxRetentionMs: number;
  watchdog: WatchdogConfig;
}

export interface WatchdogConfig {
  enabled: boolean;
  /** May hold `${ENV}` references, resolved when the heartbeat is sent. */
  heartbeatUrl?: string;
  heartbeatIntervalMs: number;
  heartbeatMethod: 'GET' | 'POST' | 'HEAD';
  maxEvaluationAgeMs: number;
}

/** Defaults, in one place (documented in docs/alerting.md). */
export const ALERTING_DEFAULTS = {
  externalUrl: 'http://localhost:8080',
  groupBy: ['alertname', 'scope'],
  groupWaitMs: 30_000,
  groupIntervalMs: 5 * 60_000,
  repeatIntervalMs: 4 * 3_600_000,
  delivery: { initialBackoffMs: 1000, maxBackoffMs: 5 * 60_000, maxAttempts: 12, giveUpAfterMs: 24 * 3_600_000 },
  outboxRetentionMs: 7 * 86_400_000,
  watchdog: { heartbeatIntervalMs: 60_000, maxEvaluationAgeMs: 5 * 60_000 },
} as const;

// ---------------------------------------------------------------------------------------------
// Parsing

/** Throws the config error of the key at `path` (also for the integration kinds' own checks). */
export function fail(path: string, message: string, expected: string, got: unknown): never {
  throw new TxmonError('TXMON_ERR_CONFIG', `${path}: ${message}`, { field: path, expected, got });
}

/** "/route/routes/0/receiver" -> "alerting.route.routes[0].receiver" */
function pointerToPath(prefix: string, pointer: string): string {
  let out = prefix;
  for (const seg of pointer.split('/').slice(1)) {
    const key = seg.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(key) ? `[${key}]` : out === '' ? key : `.${key}`;
  }
  return out || '(root)';
}

function valueAt(root: unknown, pointer: string): unknown {
  let cur: unknown = root;
  for (const seg of pointer.split('/').slice(1)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return cur;
}

/** Turns TypeBox errors into one TxmonError listing up to 5 problems with key paths. */
function schemaError(schema: TSchema, input: unknown, prefix: string): TxmonError {
  const problems: { path: string; text: string; got: unknown }[] = [];
  const seen = new Set<string>();
  for (const e of Value.Errors(schema, input)) {
    // "schema is false" duplicates the clearer additionalProperties error on the parent.
    if (e.keyword === 'boolean') continue;
    let path = pointerToPath(prefix, e.instancePath);
    let text = e.message;
    let got = valueAt(input, e.instancePath);
    if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperties: string[] }).additionalProperties;
      text = `unknown key${extra.length > 1 ? 's' : ''} ${extra.map((k) => JSON.stringify(k)).join(', ')}`;
      got = extra;
    } else if (e.keyword === 'required') {
      const req = (e.params as { requiredProperties: string[] }).requiredProperties;
      text = `missing required key${req.length > 1 ? 's' : ''} ${req.map((k) => JSON.stringify(k)).join(', ')}`;
    } else if (e.keyword === 'anyOf' || (e.keyword === 'type' && e.schemaPath.includes('/anyOf/'))) {
      // Only the `to` union exists; say what it accepts instead of each branch's complaint.
      text = 'must be a string or a non-empty list of strings';
    }
    const k = `${path}\u0000${text}`;
    if (seen.has(k)) continue;
    seen.add(k);
    problems.push({ path, text, got });
    if (problems.length >= 5) break;
  }
  const first = problems[0] ?? { path: prefix, text: 'is invalid', got: input };
  const message = problems.map((p) => `${p.path}: ${p.text}`).join('; ');
  return new TxmonError('TXMON_ERR_CONFIG', `invalid alerting config: ${message}`, { field: first.path, expected: first.text, got: first.got });
}

/** The duration at `path` in ms (undefined when unset); a config error when it is not one, or 0 unless `allowZero`. */
export function durationAt(text: string | undefined, path: string, allowZero: boolean): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === null) fail(path, `${JSON.stringify(text)} is not a duration`, 'a duration like "30s", "5m", "4h", "1h30m"', text);
  if (!allowZero && ms === 0) fail(path, 'must be greater than 0', 'a positive duration', text);
  return ms;
}

function checkLabelNames(names: readonly string[], path: string, allowAll: boolean): void {
  names.forEach((n, i) => {
    if (allowAll && n === '...') {
      if (names.length > 1) fail(path, '"..." (group by all labels) cannot be combined with other labels', 'either ["..."] or label names', names);
      return;
    }
    if (!isValidLabelName(n)) fail(`${path}[${i}]`, `${JSON.stringify(n)} is not a valid label name`, 'a label name matching [a-zA-Z_][a-zA-Z0-9_]*', n);
  });
}

type RouteInput = {
  receiver?: string;
  group_by?: string[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  matchers?: unknown[];
  continue?: boolean;
  routes?: RouteInput[];
};

function parseReceiver<I extends ParsedIntegration>(r: ReceiverInput, path: string, kinds: readonly IntegrationKind<I, unknown>[]): ReceiverConfig<I> {
  const integrations: I[] = [];
  for (const kind of kinds) {
    const entries = (r[kind.key] ?? []) as unknown[];
    entries.forEach((c, i) => integrations.push(kind.parse(c, `${path}.${kind.key}[${i}]`)));
  }
  return { name: r.name, integrations };
}

function parseRoute(r: RouteInput, path: string, receivers: ReadonlySet<string>): RouteConfig {
  if (r.receiver !== undefined && !receivers.has(r.receiver)) {
    fail(`${path}.receiver`, `receiver ${JSON.stringify(r.receiver)} is not defined`, `one of ${[...receivers].map((n) => JSON.stringify(n)).join(', ')}`, r.receiver);
  }
  if (r.group_by) checkLabelNames(r.group_by, `${path}.group_by`, true);
  return {
    receiver: r.receiver,
    groupBy: r.group_by ? [...r.group_by] : undefined,
    groupWaitMs: durationAt(r.group_wait, `${path}.group_wait`, true),
    groupIntervalMs: durationAt(r.group_interval, `${path}.group_interval`, false),
    repeatIntervalMs: durationAt(r.repeat_interval, `${path}.repeat_interval`, false),
    matchers: matchersFrom(r.matchers, `${path}.matchers`),
    continue: r.continue ?? false,
    routes: (r.routes ?? []).map((c, i) => parseRoute(c, `${path}.routes[${i}]`, receivers)),
  };
}

export interface ParseOptions<I extends ParsedIntegration = ParsedIntegration> {
  /** The integration kinds receivers may hold (src/notify/channels: INTEGRATION_KINDS). Default none: receivers with a name only. */
  integrationKinds?: readonly IntegrationKind<I, unknown>[];
  /** Key path prefix in messages. Default "alerting". */
  path?: string;
  /** Base URL of links: the server's public URL (it wins over the deprecated `external_url` of the section). Default: the section's `external_url`, else http://localhost:8080. */
  externalUrl?: string;
}

/**
 * Validates the `alerting:` section and returns it typed, with defaults filled.
 * Throws TxmonError TXMON_ERR_CONFIG whose message names each bad key path, e.g.
 * `alerting.route.routes[0].group_wait: "5 min" is not a duration`.
 */
export function parseAlertingConfig<I extends ParsedIntegration = ParsedIntegration>(input: unknown, options: ParseOptions<I> = {}): AlertingConfig<I> {
  const prefix = options.path ?? 'alerting';
  const kinds = options.integrationKinds ?? (NO_KINDS as readonly IntegrationKind<I, unknown>[]);
  const schema = schemaFor(kinds);
  if (!Value.Check(schema, input)) throw schemaError(schema, input, prefix);
  const cfg = input as AlertingConfigInput;

  const names = new Set<string>();
  const receivers = cfg.receivers.map((r, i) => {
    const p = `${prefix}.receivers[${i}]`;
    if (names.has(r.name)) fail(`${p}.name`, `receiver name ${JSON.stringify(r.name)} is used twice`, 'unique receiver names', r.name);
    names.add(r.name);
    return parseReceiver(r, p, kinds);
  });

  const rp = `${prefix}.route`;
  const rootIn = cfg.route as RouteInput;
  if (rootIn.receiver === undefined) fail(`${rp}.receiver`, 'the root route must name a receiver', 'a receiver name', undefined);
  if (rootIn.matchers !== undefined && rootIn.matchers.length > 0) {
    fail(`${rp}.matchers`, 'the root route must not have matchers (it matches every alert)', 'no matchers on the root route', rootIn.matchers);
  }
  if (rootIn.continue === true) fail(`${rp}.continue`, 'the root route cannot have continue: true', 'continue unset on the root route', true);
  const root = parseRoute(rootIn, rp, names);
  const route = {
    ...root,
    receiver: root.receiver as string,
    groupBy: root.groupBy ?? [...ALERTING_DEFAULTS.groupBy],
    groupWaitMs: root.groupWaitMs ?? ALERTING_DEFAULTS.groupWaitMs,
    groupIntervalMs: root.groupIntervalMs ?? ALERTING_DEFAULTS.groupIntervalMs,
    repeatIntervalMs: root.repeatIntervalMs ?? ALERTING_DEFAULTS.repeatIntervalMs,
  };

  const inhibitRules = (cfg.inhibit_rules ?? []).map((r, i) => {
    const p = `${prefix}.inhibit_rules[${i}]`;
    const equal = r.equal ?? [];
    checkLabelNames(equal, `${p}.equal`, false);
    const sourceMatchers = matchersFrom(r.source_matchers, `${p}.source_matchers`);
    const targetMatchers = matchersFrom(r.target_matchers, `${p}.target_matchers`);
    if (sourceMatchers.length === 0) fail(`${p}.source_matchers`, 'must have at least one matcher', 'one or more matchers', r.source_matchers);
    if (targetMatchers.length === 0) fail(`${p}.target_matchers`, 'must have at least one matcher', 'one or more matchers', r.target_matchers);
    return { sourceMatchers, targetMatchers, equal: [...equal] };
  });

  const d = cfg.delivery ?? {};
  const dp = `${prefix}.delivery`;
  const delivery: DeliveryConfig = {
    initialBackoffMs: durationAt(d.initial_backoff, `${dp}.initial_backoff`, false) ?? ALERTING_DEFAULTS.delivery.initialBackoffMs,
    maxBackoffMs: durationAt(d.max_backoff, `${dp}.max_backoff`, false) ?? ALERTING_DEFAULTS.delivery.maxBackoffMs,
    maxAttempts: d.max_attempts ?? ALERTING_DEFAULTS.delivery.maxAttempts,
    giveUpAfterMs: durationAt(d.give_up_after, `${dp}.give_up_after`, false) ?? ALERTING_DEFAULTS.delivery.giveUpAfterMs,
  };
  if (delivery.maxBackoffMs < delivery.initialBackoffMs) {
    fail(`${dp}.max_backoff`, `must be at least initial_backoff (${formatDuration(delivery.initialBackoffMs)})`, 'max_backoff >= initial_backoff', d.max_backoff);
  }

  // The outbox is also the notification log a restart reads back (notificationLogWindowMs):
  // pruning inside that window would make a restart notify again.
  const logWindowMs = notificationLogWindowMs(buildRouteTree(route));
  const retentionPath = `${prefix}.outbox_retention`;
  const retentionMs = durationAt(cfg.outbox_retention, retentionPath, false);
  if (retentionMs !== undefined && retentionMs < logWindowMs) {
    fail(
      retentionPath,
      `must be at least ${formatDuration(logWindowMs)} (the longest group_wait + group_interval + repeat_interval of the routes), or a restart would notify again what it can no longer see was sent`,
      `a duration of at least ${formatDuration(logWindowMs)}`,
      cfg.outbox_retention,
    );
  }

  return {
    externalUrl: (options.externalUrl ?? cfg.external_url ?? ALERTING_DEFAULTS.externalUrl).replace(/\/+$/, ''),
    receivers,
    route,
    inhibitRules,
    delivery,
    outboxRetentionMs: retentionMs ?? Math.max(ALERTING_DEFAULTS.outboxRetentionMs, logWindowMs),
    watchdog: {
      enabled: cfg.watchdog?.enabled ?? false,
      heartbeatUrl: cfg.watchdog?.heartbeat_url,
      heartbeatIntervalMs: durationAt(cfg.watchdog?.heartbeat_interval, `${prefix}.watchdog.heartbeat_interval`, false) ?? ALERTING_DEFAULTS.watchdog.heartbeatIntervalMs,
      heartbeatMethod: cfg.watchdog?.heartbeat_method ?? 'GET',
      maxEvaluationAgeMs: durationAt(cfg.watchdog?.max_evaluation_age, `${prefix}.watchdog.max_evaluation_age`, false) ?? ALERTING_DEFAULTS.watchdog.maxEvaluationAgeMs,
    },
  };
}

/**
 * The alerting section used when the config file has none: one receiver "default" that logs
 * every notification, plus integrations switched on by environment variables:
 *
 * - `TXMON_WEBHOOK_URL` → a webhook integration (Alertmanager v4 payload);
 * - `TXMON_SLACK_WEBHOOK_URL` → a Slack integration;
 * - `TXMON_PAGERDUTY_ROUTING_KEY` → a PagerDuty integration;
 * - `TXMON_EXTERNAL_URL` → the dashboard base URL used in links.
 *
 * The values stay `${VAR}` references and are resolved when channels are created.
 */
export function defaultAlertingInput(env: Readonly<Record<string, string | undefined>>): AlertingConfigInput {
  const receiver: ReceiverInput = { name: 'default', log_configs: [{}] };
  if (env.TXMON_WEBHOOK_URL) receiver.webhook_configs = [{ url: '${TXMON_WEBHOOK_URL}' }];
  if (env.TXMON_SLACK_WEBHOOK_URL) receiver.slack_configs = [{ webhook_url: '${TXMON_SLACK_WEBHOOK_URL}' }];
  if (env.TXMON_PAGERDUTY_ROUTING_KEY) receiver.pagerduty_configs = [{ routing_key: '${TXMON_PAGERDUTY_ROUTING_KEY}' }];
  const input: AlertingConfigInput = {
    receivers: [receiver],
    route: { receiver: 'default', group_by: ['alertname', 'scope'], group_wait: '30s', group_interval: '5m', repeat_interval: '4h' },
    inhibit_rules: [
      // A scope that sends nothing has no sales either: no_data says it, sales_low would repeat it.
      { source_matchers: ['alertname="no_data"'], target_matchers: ['alertname="sales_low"'], equal: ['scope'] },
      // A critical problem status (a denied burst, a failed storm) takes sales down with it: the
      // cause pages, a mild sales drop beside it does not. A critical sales drop (an outage) still pages.
      { source_matchers: ['alertname=~".+_high"', 'severity="critical"'], target_matchers: ['alertname="sales_low"', 'severity="warning"'], equal: ['scope'] },
    ],
  };
  if (env.TXMON_EXTERNAL_URL) input.external_url = env.TXMON_EXTERNAL_URL;
  return input;
}

/** `parseAlertingConfig(defaultAlertingInput(env), options)`. */
export function defaultAlertingConfig<I extends ParsedIntegration>(env: Readonly<Record<string, string | undefined>>, options: ParseOptions<I> = {}): AlertingConfig<I> {
  return parseAlertingConfig(defaultAlertingInput(env), options);
}
