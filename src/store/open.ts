/** Opens the store a URL names: a file path or ":memory:" → SQLite; postgres://… → PostgreSQL. */
import type { Store } from './store.ts';
import { SqliteStore } from './sqlite/sqliteStore.ts';

export async function openStore(url: string): Promise<Store> {
  let store: Store;
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { PostgresStore } = await import('./postgres/postgresStore.ts');
    store = new PostgresStore(url);
  } else {
    store = new SqliteStore(url.replace(/^sqlite:(\/\/)?/, ''));
  }
  await store.migrate();
  return store;
}
