/**
 * Opens the store a URL names: a file path or ":memory:" → SQLite; postgres://… → PostgreSQL.
 * Each is the one store (sqlStore.ts) over that database's driver.
 */
import { existsSync } from 'node:fs';
import { TxmonError } from '../domain/errors.ts';
import { SqlStore } from './sqlStore.ts';
import { SqliteDriver, type SqliteSynchronous } from './sqlite/driver.ts';
import type { PostgresDriver } from './postgres/driver.ts';

export interface OpenOptions {
  /** SQLite `synchronous` in WAL mode: normal (default) or full (fsync at every commit). */
  sqliteSynchronous?: SqliteSynchronous;
}

const isPostgresUrl = (url: string) => /^postgres(ql)?:\/\//.test(url);

/** The store on a SQLite file (or ":memory:"), not migrated yet. */
export function sqliteStore(path: string, opts: { synchronous?: SqliteSynchronous } = {}): SqlStore<SqliteDriver> {
  return new SqlStore(new SqliteDriver(path, opts));
}

/** The store on PostgreSQL, not migrated yet (`pg` is loaded only when a PostgreSQL URL is used). */
export async function postgresStore(url: string): Promise<SqlStore<PostgresDriver>> {
  const { PostgresDriver } = await import('./postgres/driver.ts');
  return new SqlStore(new PostgresDriver(url));
}

/** The store a URL names, not migrated yet. */
export async function createStore(url: string, opts: OpenOptions = {}): Promise<SqlStore> {
  if (isPostgresUrl(url)) return postgresStore(url);
  return sqliteStore(url.replace(/^sqlite:(\/\/)?/, ''), { synchronous: opts.sqliteSynchronous });
}

/** The store a URL names, migrated. */
export async function openStore(url: string, opts: OpenOptions = {}): Promise<SqlStore> {
  const store = await createStore(url, opts);
  await store.migrate();
  return store;
}

/** The SQLite file a store URL names, or undefined for PostgreSQL and ":memory:". */
export function sqliteFileOf(url: string): string | undefined {
  if (isPostgresUrl(url)) return undefined;
  const path = url.replace(/^sqlite:(\/\/)?/, '');
  return path === ':memory:' ? undefined : path;
}

/**
 * Opens a store that must already hold data (commands that read: query, report). A SQLite file
 * that does not exist is an error naming it, instead of a new empty database and empty answers.
 */
export async function openExistingStore(url: string, option = '--db'): Promise<SqlStore> {
  const file = sqliteFileOf(url);
  if (file !== undefined && !existsSync(file)) {
    throw new TxmonError('TXMON_ERR_BAD_PARAMETER',
      `${option}: no database file ${JSON.stringify(file)} (txmon serve and txmon import create one; check the path, or give postgres://…)`,
      { field: option.replace(/^--/, ''), expected: 'an existing SQLite file or a postgres:// URL', got: file });
  }
  return openStore(url);
}
