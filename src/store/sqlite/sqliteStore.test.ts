import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from './sqliteStore.ts';

test('store.sqlite_synchronous: normal by default, full when configured (WAL mode either way)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'txmon-sync-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pragma = (s: SqliteStore, name: string) => Object.values(s.db.prepare(`PRAGMA ${name}`).get()!)[0];
  const normal = new SqliteStore(join(dir, 'a.db'));
  const full = new SqliteStore(join(dir, 'b.db'), { synchronous: 'full' });
  t.after(() => { normal.db.close(); full.db.close(); });
  assert.equal(pragma(normal, 'synchronous'), 1);
  assert.equal(pragma(full, 'synchronous'), 2);
  assert.equal(pragma(full, 'journal_mode'), 'wal');
});
