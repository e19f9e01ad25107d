/**
 * Test helpers: start the real txmon service (createService + listen on an ephemeral port of
 * 127.0.0.1) on a fresh store, and list the store dialects available here so integration tests
 * can run once per dialect.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig, type TxmonConfig } from '../../src/config/config.ts';
import { createService, type Service } from '../../src/service.ts';
import { VirtualClock, type Clock } from '../../src/domain/clock.ts';

export type DialectName = 'sqlite' | 'postgres';

/** A store dialect the tests can run against. */
export interface Dialect {
  name: DialectName;
  /** Why this dialect cannot run here (tests call t.skip(skip)); undefined when it can. */
  skip?: string;
  /** A store URL for a fresh, empty database, and how to drop it afterwards. */
  fresh(): Promise<FreshStore>;
}

export interface FreshStore {
  /** Store URL as config.store.url / openStore expect it. */
  url: string;
  /** SQLite file path; undefined for other dialects. */
  dbPath?: string;
  /** Removes the database (file or schema). */
  drop(): Promise<void>;
}

/** A fresh SQLite file in its own temporary directory. */
export function freshSqlite(): FreshStore {
  const dir = mkdtempSync(join(tmpdir(), 'txmon-test-'));
  const dbPath = join(dir, 'txmon.db');
  return { url: dbPath, dbPath, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A fresh schema in the PostgreSQL database TXMON_TEST_PG_URL names. The PostgreSQL store reads
 * `?schema=<name>` from its URL, creates the schema on migrate and pins every connection to it.
 */
async function freshPostgres(baseUrl: string): Promise<FreshStore> {
  const { uniqueSchema, withSchema, dropSchema } = await import('../../src/store/postgres/testing.ts');
  const schema = uniqueSchema('txmon_it');
  return { url: withSchema(baseUrl, schema), drop: () => dropSchema(baseUrl, schema) };
}

/**
 * The dialects to loop over: SQLite always; PostgreSQL too, skipped with a message saying why
 * when TXMON_TEST_PG_URL is not set.
 */
export function storeDialects(env: NodeJS.ProcessEnv = process.env): Dialect[] {
  const dialects: Dialect[] = [{ name: 'sqlite', fresh: async () => freshSqlite() }];
  const pgUrl = env.TXMON_TEST_PG_URL;
  dialects.push(pgUrl
    ? { name: 'postgres', fresh: () => freshPostgres(pgUrl) }
    : { name: 'postgres', skip: 'TXMON_TEST_PG_URL not set: set it to a PostgreSQL URL to run these tests on PostgreSQL too', fresh: () => Promise.reject(new Error('TXMON_TEST_PG_URL not set')) });
  return dialects;
}

export interface StartOptions {
  /** Config object as the YAML file would hold it; server.port defaults to 0. */
  config?: Record<string, unknown>;
  /** Environment seen by resolveConfig (default: empty, so the caller's env does not leak in). */
  env?: NodeJS.ProcessEnv;
  /** Engine clock; default a VirtualClock at `clockStart` that only tests move. */
  clock?: Clock;
  clockStart?: number;
  /** Store URL to reuse (restart tests); default a fresh SQLite file. */
  storeUrl?: string;
  /** Listen address override (default: what the service picks, 127.0.0.1 without tokens). */
  host?: string;
  /** What a reload (POST /-/reload) reads: a config object as the YAML file would hold it (server and store as for `config`). */
  reloadConfig?: () => Record<string, unknown>;
}

export interface TestServer {
  url: string;
  service: Service;
  config: TxmonConfig;
  /** SQLite file path when the store is a file. */
  dbPath: string | undefined;
  storeUrl: string;
  clock: Clock;
  /** Closes the service; `keepStore` leaves the database for a restart. */
  close(opts?: { keepStore?: boolean }): Promise<void>;
}

/** The default virtual clock start: before any test data, so grace periods never close minutes on their own. */
export const DEFAULT_CLOCK_START = Date.UTC(2025, 0, 1);

/** Starts the real service on an ephemeral port with a quiet logger. */
export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  const fresh = opts.storeUrl === undefined ? freshSqlite() : undefined;
  const storeUrl = opts.storeUrl ?? fresh!.url;
  const input = structuredClone(opts.config ?? {}) as { server?: Record<string, unknown>; store?: Record<string, unknown> };
  input.server = { port: 0, ...(input.server ?? {}) };
  if (opts.host !== undefined) input.server.host = opts.host;
  input.store = { ...(input.store ?? {}), url: storeUrl };
  const resolveInput = (raw: Record<string, unknown>) => {
    const i = structuredClone(raw) as { server?: Record<string, unknown>; store?: Record<string, unknown> };
    i.server = { port: 0, ...(i.server ?? {}) };
    if (opts.host !== undefined) i.server.host = opts.host;
    i.store = { ...(i.store ?? {}), url: storeUrl };
    return resolveConfig(i, opts.env ?? {});
  };
  const config = resolveConfig(input, opts.env ?? {});
  const clock = opts.clock ?? new VirtualClock(opts.clockStart ?? DEFAULT_CLOCK_START);
  const reloadConfig = opts.reloadConfig;
  const service = await createService({ config, clock, logger: false, configSource: reloadConfig ? () => resolveInput(reloadConfig()) : undefined });
  const url = await service.listen();
  const dbPath = /^postgres(ql)?:/.test(storeUrl) || storeUrl === ':memory:' ? undefined : storeUrl;
  return {
    url, service, config, dbPath, storeUrl, clock,
    async close(closeOpts = {}) {
      await service.close();
      if (!closeOpts.keepStore && fresh) await fresh.drop();
    },
  };
}

/** POSTs a body; objects and arrays are sent as JSON unless a content type is given. */
export async function post(
  base: string, path: string, body: unknown, opts: { contentType?: string; token?: string } = {},
): Promise<{ status: number; body: any; text: string }> {
  const isText = typeof body === 'string';
  const res = await fetch(base + path, {
    method: 'POST',
    headers: {
      'content-type': opts.contentType ?? (isText ? 'text/csv' : 'application/json'),
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
    },
    body: isText ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: parseMaybe(text), text };
}

export async function get(base: string, path: string, opts: { token?: string } = {}): Promise<{ status: number; body: any; text: string; headers: Headers }> {
  const res = await fetch(base + path, { headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {} });
  const text = await res.text();
  return { status: res.status, body: parseMaybe(text), text, headers: res.headers };
}

function parseMaybe(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const STATUSES = ['approved', 'denied', 'failed', 'reversed', 'backend_reversed', 'refunded'] as const;

/** A normal minute: counts near the cloudwalk medians, varied deterministically by `i`. */
export function normalMinute(i: number): Record<string, number> {
  const wave = [0, 3, -2, 5, -4, 1, -1, 4, -3, 2];
  return {
    approved: 116 + wave[i % 10] * 2,
    denied: 7 + (wave[(i + 3) % 10] > 2 ? 2 : wave[(i + 3) % 10] < -2 ? -2 : 0),
    failed: 0,
    reversed: i % 3 === 0 ? 2 : 1,
    backend_reversed: 0,
    refunded: i % 4 === 0 ? 2 : 1,
  };
}

/** Rows `{timestamp, status, count}` for one minute. */
export function minuteRows(minuteMs: number, counts: Record<string, number>, scope?: string): Array<Record<string, unknown>> {
  const ts = new Date(minuteMs).toISOString();
  return Object.entries(counts).map(([status, count]) => ({ timestamp: ts, status, count, ...(scope ? { scope } : {}) }));
}

/** Rows for `n` normal minutes starting at `startMs`. */
export function warmupRows(startMs: number, n: number, scope?: string): Array<Record<string, unknown>> {
  const rows: Array<Record<string, unknown>> = [];
  for (let i = 0; i < n; i++) rows.push(...minuteRows(startMs + i * 60_000, normalMinute(i), scope));
  return rows;
}
