import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteDriver } from './driver.ts';

const tempDb = (t: { after(fn: () => void): void }) => {
  const dir = mkdtempSync(join(tmpdir(), 'txmon-ckpt-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'db.sqlite');
};

async function writeCommits(d: SqliteDriver, from: number, n: number): Promise<void> {
  for (let i = from; i < from + n; i++) await d.run('INSERT INTO t (k, v) VALUES (:k, :v)', { k: i, v: 'x'.repeat(3000) });
}

test('the WAL is checkpointed by the thread, not the commits: it restarts from its beginning instead of growing', async (t) => {
  const d = new SqliteDriver(tempDb(t));
  t.after(() => d.close());
  assert.ok(d.checkpointer?.running);
  assert.equal(Number((await d.get('PRAGMA wal_autocheckpoint'))!.wal_autocheckpoint), 0, 'no checkpoint inside commits');
  await d.exec('CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)');
  await writeCommits(d, 0, 300);
  const first = statSync(`${d.path}-wal`).size;
  // The thread copies the whole WAL (however loaded the machine, within 30 s): two complete
  // checkpoints after this point, the second surely begun after the last commit.
  const before = d.checkpointer!.completed;
  for (let i = 0; i < 3000 && d.checkpointer!.completed < before + 2; i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(d.checkpointer!.completed >= before + 2, 'the thread completed its checkpoints');
  await writeCommits(d, 300, 300);
  const second = statSync(`${d.path}-wal`).size;
  assert.ok(second < first * 1.5, `WAL ${first} → ${second} bytes: reused after the checkpoint, not appended to`);
  assert.equal(Number((await d.get('SELECT COUNT(*) AS n FROM t'))!.n), 600);
});

test('when the checkpoint thread dies, SQLite checkpoints from the commits again', async (t) => {
  const d = new SqliteDriver(tempDb(t));
  t.after(() => d.close());
  await d.checkpointer!.kill();
  for (let i = 0; i < 50 && d.checkpointer!.running; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(d.checkpointer!.running, false);
  assert.equal(Number((await d.get('PRAGMA wal_autocheckpoint'))!.wal_autocheckpoint), 1000);
});

test('an in-memory database has no checkpoint thread', async () => {
  const d = new SqliteDriver(':memory:');
  assert.equal(d.checkpointer, null);
  await d.close();
});
