/**
 * Stores for tests, one per available dialect: SQLite always (in memory), PostgreSQL when
 * TXMON_TEST_PG_URL is set — each PostgreSQL store in a fresh schema of its own, dropped by
 * `dispose()`, so parallel test files and CI runs never see each other's rows.
 *
 * ```ts
 * for (const d of testDialects()) {
 *   test(`… on ${d.dialect}`, async (t) => {
 *     const { store, dispose } = await d.open();
 *     t.after(dispose);
 *   });
 * }
 * ```
 */
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import pg from 'pg';
import type { Store } from '../store.ts';
import { openStore } from '../open.ts';

export interface TestStore {
  store: Store;
  /** The URL the store was opened with (a PostgreSQL URL names its schema). */
  url: string;
  /** Closes the store and drops its schema. */
  dispose(): Promise<void>;
}

export interface TestDialect {
  dialect: 'sqlite' | 'postgres';
  open(): Promise<TestStore>;
}

/** A fresh schema name: prefix, process id and random bits (lowercase, ≤ 63 characters). */
export function uniqueSchema(prefix = 'txmon_test'): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`.toLowerCase().slice(0, 63);
}

/** Adds `?schema=` to a PostgreSQL URL. */
export function withSchema(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('schema', schema);
  return u.toString();
}

/** Drops a schema and everything in it (test clean-up). */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const u = new URL(url);
  u.searchParams.delete('schema');
  const client = new pg.Client({ connectionString: u.toString() });
  await client.connect();
  try {
    // The name comes from uniqueSchema (lowercase letters, digits, _), so quoting is safe.
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * Call at the top of a test file that loops over {@link testDialects}: without TXMON_TEST_PG_URL
 * the file reports a skipped PostgreSQL test saying why, instead of leaving it out silently.
 */
export function reportSkippedPostgres(pgUrl: string | undefined = process.env.TXMON_TEST_PG_URL): void {
  if (!pgUrl) test('PostgreSQL', (t) => t.skip('TXMON_TEST_PG_URL not set: only SQLite runs'));
}

/** The dialects available here: SQLite, plus PostgreSQL when `pgUrl` (default TXMON_TEST_PG_URL) is set. */
export function testDialects(pgUrl: string | undefined = process.env.TXMON_TEST_PG_URL): TestDialect[] {
  const out: TestDialect[] = [{
    dialect: 'sqlite',
    async open() {
      const store = await openStore(':memory:');
      return { store, url: ':memory:', dispose: () => store.close() };
    },
  }];
  if (pgUrl) {
    out.push({
      dialect: 'postgres',
      async open() {
        const schema = uniqueSchema();
        const url = withSchema(pgUrl, schema);
        const store = await openStore(url);
        return {
          store,
          url,
          async dispose() {
            await store.close();
            await dropSchema(pgUrl, schema);
          },
        };
      },
    });
  }
  return out;
}
