/** Opens the store a URL names: a file path or ":memory:" → SQLite; postgres://… → PostgreSQL. */
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
