/** Opens the store a URL names: a file path or ":memory:" → SQLite; postgres://… → PostgreSQL. */
import { existsSync } from 'node:fs';
import { TxmonError } from '../domain/errors.ts';
import type { Store } from './store.ts';
import { SqliteStore, type SqliteSynchronous } from './sqlite/sqliteStore.ts';

export interface OpenOptions {
  /** SQLite `synchronous` in WAL mode: normal (default) or full (fsync at every commit). */
  sqliteSynchronous?: SqliteSynchronous;
}

export async function openStore(url: string, opts: OpenOptions = {}): Promise<Store> {
  let store: Store;
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { PostgresStore } = await import('./postgres/postgresStore.ts');
    store = new PostgresStore(url);
  } else {
    store = new SqliteStore(url.replace(/^sqlite:(\/\/)?/, ''), { synchronous: opts.sqliteSynchronous });
  }
  await store.migrate();
  return store;
}

/** The SQLite file a store URL names, or undefined for PostgreSQL and ":memory:". */
export function sqliteFileOf(url: string): string | undefined {
  if (/^postgres(ql)?:\/\//.test(url)) return undefined;
  const path = url.replace(/^sqlite:(\/\/)?/, '');
  return path === ':memory:' ? undefined : path;
}

/**
 * Opens a store that must already hold data (commands that read: query, report). A SQLite file
 * that does not exist is an error naming it, instead of a new empty database and empty answers.
 */
export async function openExistingStore(url: string, option = '--db'): Promise<Store> {
  const file = sqliteFileOf(url);
  if (file !== undefined && !existsSync(file)) {
    throw new TxmonError('TXMON_ERR_BAD_PARAMETER',
      `${option}: no database file ${JSON.stringify(file)} (txmon serve and txmon import create one; check the path, or give postgres://…)`,
      { field: option.replace(/^--/, ''), expected: 'an existing SQLite file or a postgres:// URL', got: file });
  }
  return openStore(url);
}
