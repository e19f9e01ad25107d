/**
 * The configuration: one YAML file validated by a schema, every key with a documented default.
 * Secrets and URLs may come from the environment (TXMON_API_TOKENS, TXMON_DATABASE_URL, …).
 * YAML keys are snake_case; detector keys map onto the detector config (snake → camel).
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { TxmonError } from '../domain/errors.ts';
import { isValidTimeZone } from '../domain/time.ts';
import type { DetectConfig } from '../detect/config.ts';
import type { LifecycleConfig } from '../alerting/lifecycle.ts';
import type { IngestLimits } from '../ingest/limits.ts';
import type { RetentionPolicy } from '../store/retention.ts';

const Role = Type.Union([Type.Literal('read'), Type.Literal('ingest'), Type.Literal('admin')]);

export const ConfigSchema = Type.Object({
  server: Type.Object({
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: 'HTTP port' }),
    host: Type.Optional(Type.String({ description: 'listen address; default 127.0.0.1 when no API token is configured, else 0.0.0.0' })),
    allow_open: Type.Boolean({ default: false, description: 'allow listening on a non-loopback address without API tokens (an open API on the network); serve --allow-open' }),
    body_limit_mb: Type.Number({ exclusiveMinimum: 0, maximum: 1024, default: 10, description: 'largest request body accepted' }),
    time_zone: Type.String({ default: 'UTC', description: 'zone of naive timestamps in input' }),
    public_url: Type.Optional(Type.String({ description: 'base URL of links in notifications (alert pages); default: the address txmon listens on (env TXMON_PUBLIC_URL)' })),
    max_future_hours: Type.Number({ minimum: 0, default: 24, description: 'timestamps further in the future are rejected' }),
    min_timestamp: Type.String({ default: '2000-01-01T00:00:00Z', description: 'ingested timestamps before this (ISO 8601) are rejected' }),
    access_log: Type.Number({ minimum: 0, maximum: 1, default: 0, description: 'share of successful, fast requests written to the access log (0 = none, 0.01 = one in a hundred, 1 = all); failed (4xx/5xx) and slow requests are always logged' }),
    slow_request_ms: Type.Number({ minimum: 0, default: 1000, description: 'requests taking at least this long are always logged (warn)' }),
  }, { additionalProperties: false, default: {} }),
  limits: Type.Object({
    max_span_minutes: Type.Integer({ minimum: 1, default: 10_080, description: 'per ingest request and scope: latest minute - earliest minute + 1 (default 7 days)' }),
    max_scope_minutes: Type.Integer({ minimum: 1, default: 50_000, description: 'per ingest request: the spans of its scopes added up (bounds zero-fill and evaluation work)' }),
    max_rows: Type.Integer({ minimum: 1, default: 100_000, description: 'rows one ingest request may store, after CSV zero-fill' }),
    max_scopes_per_request: Type.Integer({ minimum: 1, default: 100, description: 'distinct scopes in one ingest request' }),
    max_statuses_per_scope: Type.Integer({ minimum: 1, default: 50, description: 'distinct statuses of one scope, in one request and over everything stored' }),
    max_scopes: Type.Integer({ minimum: 1, default: 10_000, description: 'distinct scopes over everything stored; a request adding more is refused' }),
    max_listed_minutes: Type.Integer({ minimum: 1, default: 200, description: 'minute verdicts listed in an ingest answer; the rest are summarised' }),
  }, { additionalProperties: false, default: {} }),
  retention: Type.Object({
    minute_counts_days: Type.Number({ minimum: 0, default: 90, description: 'keep per-minute status counts this many days (0 = forever); at least the detection history' }),
    auth_code_counts_days: Type.Number({ minimum: 0, default: 90, description: 'keep per-minute auth-code counts this many days (0 = forever)' }),
    raw_transactions_days: Type.Number({ minimum: 0, default: 30, description: 'keep single transactions (and their ids, for deduplication) this many days (0 = forever)' }),
    assessments_days: Type.Number({ minimum: 0, default: 90, description: 'keep minute assessments this many days (0 = forever); at least minute_counts_days' }),
    alerts_days: Type.Number({ minimum: 0, default: 365, description: 'keep resolved alerts and their history this many days after they ended (0 = forever); open alerts are never pruned' }),
    interval_minutes: Type.Number({ exclusiveMinimum: 0, default: 60, description: 'how often pruning runs' }),
    batch_size: Type.Integer({ minimum: 1, default: 5000, description: 'rows deleted per statement' }),
    pause_ms: Type.Integer({ minimum: 0, default: 20, description: 'pause between batches, so ingest gets the database' }),
  }, { additionalProperties: false, default: {} }),
  store: Type.Object({
    url: Type.String({ default: './data/txmon.db', description: 'SQLite file, ":memory:", or postgres://… (env TXMON_DATABASE_URL)' }),
    sqlite_synchronous: Type.Union([Type.Literal('normal'), Type.Literal('full')], { default: 'normal', description: 'SQLite durability: normal (a power loss may lose the last commits) or full (fsync per commit; see docs/operations.md for the cost)' }),
  }, { additionalProperties: false, default: {} }),
  auth: Type.Object({
    tokens: Type.Array(Type.Object({ token: Type.String({ minLength: 16 }), role: Role, name: Type.Optional(Type.String()) }, { additionalProperties: false }), { default: [] }),
  }, { additionalProperties: false, default: {} }),
  engine: Type.Object({
    grace_seconds: Type.Number({ minimum: 0, default: 90, description: 'a minute closes this long after its end without newer data' }),
    max_gap_minutes: Type.Integer({ minimum: 1, default: 1440 }),
    tick_seconds: Type.Number({ exclusiveMinimum: 0, default: 5, description: 'how often the live engine checks grace periods' }),
    idle_scope_minutes: Type.Number({ minimum: 1, default: 180, description: 'a scope that received nothing this long (and whose minutes are all closed) leaves memory; it is rebuilt from the store when it sends again' }),
  }, { additionalProperties: false, default: {} }),
  metrics: Type.Object({
    max_series: Type.Integer({ minimum: 0, default: 2000, description: 'most scope × status pairs exported on /metrics (txmon_transactions_total and the expectation gauges); further pairs are counted in txmon_business_series_dropped_total' }),
    transactions_window_minutes: Type.Integer({ minimum: 1, maximum: 10_080, default: 180, description: 'a re-posted minute this recent (behind its scope\'s newest minute) moves txmon_transactions_total by its increase only; older rows (backfills) do not move the counter' }),
  }, { additionalProperties: false, default: {} }),
  detect: Type.Object({}, { additionalProperties: true, default: {}, description: 'detector parameters; see docs/detection.md' }),
  cluster: Type.Object({
    servers: Type.Array(Type.String({ pattern: '^nats://' }), { default: [], description: 'NATS servers (nats://host:port); non-empty = clustered mode (docs/scaling.md); serve --cluster' }),
    node_id: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'this instance\'s name, unique in the cluster; serve --node-id' })),
    partitions: Type.Integer({ minimum: 1, maximum: 1024, default: 16, description: 'scope partitions (fixed for the life of the stream); serve --partitions' }),
    name: Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$', default: 'txmon', description: 'prefix of the JetStream stream, consumers and key-value buckets (several deployments on one NATS)' }),
    lease_ttl_seconds: Type.Number({ minimum: 1, maximum: 300, default: 6, description: 'a partition whose owner stopped renewing is taken over after this long' }),
    replicas: Type.Union([Type.Literal(1), Type.Literal(3), Type.Literal(5)], { default: 1, description: 'JetStream replicas of the ingest stream and the lease bucket (3 on a 3-node NATS cluster: survives one server down)' }),
    reply_wait_ms: Type.Integer({ minimum: 0, maximum: 600_000, default: 5000, description: 'how long an ingest request waits for the owners\' recommendation before answering 202 pending' }),
  }, { additionalProperties: false, default: {} }),
  alerting: Type.Object({
    for_minutes: Type.Integer({ minimum: 1, default: 1 }),
    keep_firing_for_minutes: Type.Integer({ minimum: 0, default: 3 }),
    min_severity: Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')], { default: 'warning' }),
  }, { additionalProperties: true, default: {} }),
}, { additionalProperties: false });

export type RawConfig = Static<typeof ConfigSchema>;

export interface ApiToken { token: string; role: 'read' | 'ingest' | 'admin'; name: string }

export interface TxmonConfig {
  raw: RawConfig;
  port: number;
  host: string | undefined;
  /** Listening beyond loopback without tokens is refused unless this is set. */
  allowOpen: boolean;
  bodyLimitBytes: number;
  timeZone: string;
  /**
   * Base URL of links in notifications, when configured: TXMON_PUBLIC_URL, server.public_url, or
   * the deprecated aliases alerting.external_url / TXMON_EXTERNAL_URL. Undefined = the address the
   * server listens on (decided by Service.listen()).
   */
  publicUrl: string | undefined;
  /** Where publicUrl came from, for the log ("server.public_url", "TXMON_PUBLIC_URL", …). */
  publicUrlSource: string;
  /** Warnings about deprecated settings in use; the service logs them at start. */
  deprecations: string[];
  maxFutureMs: number;
  /** Ingested timestamps before this epoch ms are rejected. */
  minTimestampMs: number;
  /** Share of successful, fast requests logged (0–1); failed and slow ones always are. */
  accessLogSample: number;
  /** Requests at least this slow are always logged. */
  slowRequestMs: number;
  storeUrl: string;
  /** SQLite `synchronous` (store.sqlite_synchronous). */
  sqliteSynchronous: 'normal' | 'full';
  tokens: ApiToken[];
  graceMs: number;
  maxGapMinutes: number;
  tickMs: number;
  detect: Partial<DetectConfig>;
  lifecycle: Partial<LifecycleConfig>;
  /** The alerting section as written (routes, receivers…), for the notification pipeline. */
  alerting: Record<string, unknown>;
  /** /metrics business series: cardinality cap and the counter's re-post window. */
  metrics: { maxSeries: number; windowMinutes: number };
  /** Per-request ingest limits (issue #13 item 2) and how many minute verdicts an answer lists. */
  limits: IngestLimits & { maxListedMinutes: number; maxScopes: number };
  /** Retention per data kind (src/store/retention.ts) and how often pruning runs. */
  retention: RetentionPolicy & { intervalMs: number };
  /** Scopes idle this long are dropped from memory and rebuilt from the store when they return. */
  idleScopeMs: number;
  /** Clustered mode (cluster.servers non-empty, or serve --cluster); undefined = one process. */
  cluster: ClusterSettings | undefined;
}

/** The `cluster:` section (src/cluster, docs/scaling.md). */
export interface ClusterSettings {
  servers: string[];
  /** Required to start; the CLI's --node-id may supply it. */
  nodeId: string | undefined;
  partitions: number;
  name: string;
  leaseTtlMs: number;
  replyWaitMs: number;
  replicas: number;
}

/**
 * Clustered mode from the section and the environment (TXMON_CLUSTER_SERVERS, comma-separated,
 * and TXMON_NODE_ID override the file: one file serves every instance); undefined without servers.
 */
function clusterOf(raw: RawConfig['cluster'], env: NodeJS.ProcessEnv): ClusterSettings | undefined {
  const settings = clusterSettings(raw);
  if (env.TXMON_CLUSTER_SERVERS) settings.servers = env.TXMON_CLUSTER_SERVERS.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (env.TXMON_NODE_ID) settings.nodeId = env.TXMON_NODE_ID;
  return settings.servers.length > 0 ? settings : undefined;
}

/** The cluster section as settings, whatever `servers` holds (serve --cluster may fill them in). */
export function clusterSettings(raw: RawConfig['cluster']): ClusterSettings {
  return {
    servers: [...raw.servers], nodeId: raw.node_id, partitions: raw.partitions, name: raw.name,
    leaseTtlMs: raw.lease_ttl_seconds * 1000, replyWaitMs: raw.reply_wait_ms, replicas: raw.replicas,
  };
}

const snakeToCamel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function camelKeys(value: unknown, keepKeysUnder: Set<string> = new Set(['rules'])): unknown {
  if (Array.isArray(value)) return value.map((v) => camelKeys(v, keepKeysUnder));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    // Status names under `rules` are data, not keys to rename.
    out[snakeToCamel(k)] = keepKeysUnder.has(k) && v && typeof v === 'object'
      ? Object.fromEntries(Object.entries(v).map(([s, r]) => [s, camelKeys(r)]))
      : camelKeys(v);
  }
  return out;
}

/** Parses TXMON_API_TOKENS: "token[:role[:name]],…" (role defaults to admin). */
export function parseTokenEnv(text: string): ApiToken[] {
  return text.split(',').map((s) => s.trim()).filter(Boolean).map((entry, i) => {
    const [token, role = 'admin', name = `env-${i + 1}`] = entry.split(':');
    if (token.length < 16) throw new TxmonError('TXMON_ERR_CONFIG', `TXMON_API_TOKENS entry ${i + 1}: token must be at least 16 characters`);
    if (role !== 'read' && role !== 'ingest' && role !== 'admin') {
      throw new TxmonError('TXMON_ERR_CONFIG', `TXMON_API_TOKENS entry ${i + 1}: role must be read, ingest or admin, got "${role}"`);
    }
    return { token, role, name };
  });
}

/** Validates a config object (from YAML) and resolves defaults and environment overrides. */
export function resolveConfig(input: unknown, env: NodeJS.ProcessEnv = process.env, source = 'config'): TxmonConfig {
  const obj = input ?? {};
  const withDefaults = Value.Default(ConfigSchema, structuredClone(obj)) as RawConfig;
  // Every problem at once, one line each, so a config is fixed in one round.
  const problems: string[] = [];
  if (!Value.Check(ConfigSchema, withDefaults)) {
    const seen = new Set<string>();
    for (const e of Value.Errors(ConfigSchema, withDefaults)) {
      if (e.keyword === 'boolean') continue;
      const path = (e.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.') || '(root)';
      const extra = e.keyword === 'additionalProperties' ? `: unknown key(s) ${(e.params as { additionalProperties: string[] }).additionalProperties.join(', ')}` : '';
      const line = `${path} ${e.message ?? 'is invalid'}${extra}`;
      if (seen.has(path) && e.keyword !== 'additionalProperties') continue;
      seen.add(path);
      problems.push(line);
    }
  }
  const raw = withDefaults;
  const server = (raw.server ?? {}) as RawConfig['server'];
  if (typeof server.time_zone === 'string' && !isValidTimeZone(server.time_zone)) {
    problems.push(`server.time_zone must be an IANA time zone such as "UTC" or "America/Sao_Paulo", got "${server.time_zone}"`);
  }
  const detectZone = ((raw.detect ?? {}) as Record<string, unknown>).time_zone;
  if (detectZone !== undefined && (typeof detectZone !== 'string' || !isValidTimeZone(detectZone))) {
    problems.push(`detect.time_zone must be an IANA time zone such as "UTC" or "America/Sao_Paulo", got ${JSON.stringify(detectZone)}`);
  }
  const link = resolvePublicUrl(raw, env, problems);
  const minTimestampMs = typeof server.min_timestamp === 'string' ? parseMinTimestamp(server.min_timestamp, problems) : Number.NaN;
  const retention = raw.retention ? retentionOf(raw.retention, problems) : undefined;
  if (problems.length === 1) throw new TxmonError('TXMON_ERR_CONFIG', `${source}: ${problems[0]}`);
  if (problems.length > 1) {
    throw new TxmonError('TXMON_ERR_CONFIG', `${source}: ${problems.length} problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  const tokens: ApiToken[] = raw.auth.tokens.map((t, i) => ({ token: t.token, role: t.role, name: t.name ?? `config-${i + 1}` }));
  if (env.TXMON_API_TOKENS) tokens.push(...parseTokenEnv(env.TXMON_API_TOKENS));
  const { for_minutes, keep_firing_for_minutes, min_severity, ...routing } = raw.alerting as RawConfig['alerting'] & Record<string, unknown>;
  return {
    raw,
    port: env.TXMON_PORT ? Number(env.TXMON_PORT) : raw.server.port,
    host: raw.server.host,
    allowOpen: raw.server.allow_open,
    bodyLimitBytes: Math.round(raw.server.body_limit_mb * 1024 * 1024),
    timeZone: raw.server.time_zone,
    publicUrl: link.url,
    publicUrlSource: link.source,
    deprecations: link.deprecations,
    maxFutureMs: raw.server.max_future_hours * 3_600_000,
    minTimestampMs,
    accessLogSample: raw.server.access_log,
    slowRequestMs: raw.server.slow_request_ms,
    storeUrl: env.TXMON_DATABASE_URL ?? raw.store.url,
    sqliteSynchronous: raw.store.sqlite_synchronous,
    tokens,
    graceMs: raw.engine.grace_seconds * 1000,
    maxGapMinutes: raw.engine.max_gap_minutes,
    tickMs: raw.engine.tick_seconds * 1000,
    idleScopeMs: raw.engine.idle_scope_minutes * 60_000,
    cluster: clusterOf(raw.cluster, env),
    retention: retention!,
    // Seasonal buckets follow the server's zone unless detect.time_zone says otherwise.
    detect: { timeZone: raw.server.time_zone, ...(camelKeys(raw.detect) as Partial<DetectConfig>) },
    lifecycle: { forMinutes: for_minutes, keepFiringForMinutes: keep_firing_for_minutes, minSeverity: min_severity },
    alerting: routing,
    metrics: { maxSeries: raw.metrics.max_series, windowMinutes: raw.metrics.transactions_window_minutes },
    limits: {
      maxSpanMinutes: raw.limits.max_span_minutes,
      maxScopeMinutes: raw.limits.max_scope_minutes,
      maxRows: raw.limits.max_rows,
      maxScopesPerRequest: raw.limits.max_scopes_per_request,
      maxStatusesPerScope: raw.limits.max_statuses_per_scope,
      maxListedMinutes: raw.limits.max_listed_minutes,
      maxScopes: raw.limits.max_scopes,
    },
  };
}

/** The retention section; an inconsistent one is added to `problems` (all reported at once). */
function retentionOf(r: RawConfig['retention'], problems: string[]): RetentionPolicy & { intervalMs: number } {
  const forever = (d: number) => (d > 0 ? d : Infinity);
  if (forever(r.assessments_days) < forever(r.minute_counts_days)) {
    // A scope whose assessments are gone but whose counts remain would have those minutes judged again.
    problems.push(`retention.assessments_days (${r.assessments_days || 'forever'}) must be at least retention.minute_counts_days (${r.minute_counts_days || 'forever'}), or kept minutes would be judged again`);
  }
  return {
    days: {
      minute_counts: r.minute_counts_days, auth_code_counts: r.auth_code_counts_days, raw_transactions: r.raw_transactions_days,
      assessments: r.assessments_days, alerts: r.alerts_days,
    },
    batchSize: r.batch_size,
    pauseMs: r.pause_ms,
    intervalMs: r.interval_minutes * 60_000,
  };
}

/**
 * The one setting for the base URL of notification links: TXMON_PUBLIC_URL, else
 * server.public_url, else (deprecated, with a warning) alerting.external_url, else
 * TXMON_EXTERNAL_URL. None: undefined, and the service uses the address it listens on.
 */
function resolvePublicUrl(raw: RawConfig, env: NodeJS.ProcessEnv, problems: string[]): { url: string | undefined; source: string; deprecations: string[] } {
  const deprecations: string[] = [];
  const alertingUrl = (raw.alerting as Record<string, unknown> | undefined)?.external_url;
  if (alertingUrl !== undefined) deprecations.push('alerting.external_url is deprecated: use server.public_url (the one setting for notification links)');
  if (env.TXMON_EXTERNAL_URL) deprecations.push('TXMON_EXTERNAL_URL is deprecated: use TXMON_PUBLIC_URL (the one setting for notification links)');
  const candidates: Array<[unknown, string]> = [
    [env.TXMON_PUBLIC_URL || undefined, 'TXMON_PUBLIC_URL'],
    [raw.server?.public_url, 'server.public_url'],
    [alertingUrl, 'alerting.external_url (deprecated)'],
    [env.TXMON_EXTERNAL_URL || undefined, 'TXMON_EXTERNAL_URL (deprecated)'],
  ];
  const found = candidates.find(([v]) => v !== undefined);
  if (!found) return { url: undefined, source: 'listen address', deprecations };
  const [value, source] = found;
  let ok = false;
  try {
    const u = new URL(String(value));
    ok = typeof value === 'string' && (u.protocol === 'http:' || u.protocol === 'https:');
  } catch { /* reported below */ }
  if (!ok) problems.push(`${source.replace(' (deprecated)', '')} must be an http(s) URL such as "https://txmon.example.com", got ${JSON.stringify(value)}`);
  return { url: ok ? String(value).replace(/\/+$/, '') : undefined, source, deprecations };
}

/** Parses server.min_timestamp (ISO 8601); a bad value is added to `problems` (all reported at once). */
function parseMinTimestamp(text: string, problems: string[]): number {
  const ms = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(ms)) problems.push(`server.min_timestamp must be an ISO 8601 time such as "2000-01-01T00:00:00Z", got ${JSON.stringify(text)}`);
  return ms;
}

export function loadConfig(path: string | undefined, env: NodeJS.ProcessEnv = process.env): TxmonConfig {
  if (!path) return resolveConfig({}, env);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TxmonError('TXMON_ERR_CONFIG', `cannot read config file "${path}": ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new TxmonError('TXMON_ERR_CONFIG', `config file "${path}" is not valid YAML: ${(err as Error).message}`);
  }
  return resolveConfig(doc, env, path);
}
