import { after, test } from 'node:test';
import { DatabaseSync } from 'node:sqlite';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteDriver } from './driver.ts';

test('store.sqlite_synchronous: normal by default, full when configured (WAL mode either way)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'txmon-sync-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pragma = (s: SqliteDriver, name: string) => Object.values(s.db.prepare(`PRAGMA ${name}`).get()!)[0];
  const normal = new SqliteDriver(join(dir, 'a.db'));
  const full = new SqliteDriver(join(dir, 'b.db'), { synchronous: 'full' });
  t.after(() => { normal.db.close(); full.db.close(); });
  assert.equal(pragma(normal, 'synchronous'), 1);
  assert.equal(pragma(full, 'synchronous'), 2);
  assert.equal(pragma(full, 'journal_mode'), 'wal');
});

test('a transaction holds the connection: other callers neither see its writes nor run inside it, and transactions queue', async () => {
  const db = new SqliteDriver(':memory:');
  after(() => db.close());
  await db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)');
  let inside!: () => void;
  const entered = new Promise<void>((resolve) => { inside = resolve; });
  let proceed!: () => void;
  const gate = new Promise<void>((resolve) => { proceed = resolve; });
  const failing = db.transaction(async (tx) => {
    await tx.run('INSERT INTO t (k, v) VALUES (:k, :v)', { k: 'tx', v: 1 });
    inside();
    await gate; // other callers act while this transaction is open
    throw new Error('rolled back');
  });
  await entered;
  const outsideWrite = db.run('INSERT INTO t (k, v) VALUES (:k, :v)', { k: 'outside', v: 2 });
  const outsideRead = db.all('SELECT k FROM t ORDER BY k');
  const second = db.transaction(async (tx) => tx.run('INSERT INTO t (k, v) VALUES (:k, :v)', { k: 'second', v: 3 }));
  proceed();
  await assert.rejects(failing, /rolled back/);
  assert.equal(await outsideWrite, 1);
  await second;
  // Run at once, the read would have seen the transaction's own row ('tx') on this connection.
  assert.deepEqual((await outsideRead).map((r) => r.k), ['outside'], 'the read waited for the end of the transaction, then ran after the write queued before it');
  assert.deepEqual((await db.all('SELECT k FROM t ORDER BY k')).map((r) => r.k), ['outside', 'second'], 'the outside write was not rolled back with it');
});

test('group commit: transactions join the group as savepoints (a failed one leaves the others), visible elsewhere only after commitGroup', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'txmon-group-driver-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = new SqliteDriver(join(dir, 'g.db'));
  await db.exec('CREATE TABLE t (k TEXT PRIMARY KEY)');
  const other = new DatabaseSync(join(dir, 'g.db'), { readOnly: true });
  t.after(async () => { other.close(); await db.close(); });
  const seen = () => (other.prepare('SELECT k FROM t ORDER BY k').all() as Array<{ k: string }>).map((r) => r.k);
  await db.beginGroup();
  await db.transaction((tx) => tx.run("INSERT INTO t (k) VALUES ('a')"));
  await assert.rejects(db.transaction(async (tx) => { await tx.run("INSERT INTO t (k) VALUES ('b')"); throw new Error('no'); }));
  await db.run("INSERT INTO t (k) VALUES ('c')");
  assert.deepEqual(seen(), [], 'nothing committed before commitGroup');
  await db.commitGroup();
  assert.deepEqual(seen(), ['a', 'c']);
});
