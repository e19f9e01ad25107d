/**
 * PostgreSQL group commit (src/store/postgres/group.ts) on a real server: deferred writes are
 * invisible until the group commits and then all there, in one transaction; a read inside the
 * group sees the writes kept before it; a transaction that throws leaves nothing; a failing
 * statement fails the whole group and stores nothing. Values written into the statement text come
 * back exactly as bound ones would (quotes, backslashes, unicode, NULLs, arrays).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { PostgresDriver } from './driver.ts';
import { inlineStatement } from './group.ts';
import { dropSchema, uniqueSchema, withSchema } from './testing.ts';

const PG = process.env.TXMON_TEST_PG_URL;

async function openDriver(t: { after(fn: () => Promise<void>): void }): Promise<PostgresDriver> {
  const schema = uniqueSchema('txmon_group');
  const driver = new PostgresDriver(withSchema(PG!, schema));
  t.after(async () => {
    await driver.close();
    await dropSchema(PG!, schema);
  });
  await driver.exec(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  await driver.exec('CREATE TABLE t (k TEXT PRIMARY KEY, n BIGINT NOT NULL)');
  return driver;
}

const count = async (d: PostgresDriver) => Number((await d.get('SELECT COUNT(*) AS n FROM t'))!.n);

test('PostgreSQL group: deferred writes are invisible until the commit, then all stored in one transaction', { skip: !PG && 'TXMON_TEST_PG_URL not set' }, async (t) => {
  const d = await openDriver(t);
  await d.groups.beginGroup();
  for (let i = 0; i < 3; i++) {
    await d.transaction(async (tx) => {
      await tx.run('INSERT INTO t (k, n) VALUES (:k, :n)', { k: `a${i}`, n: i });
    }, { deferrable: true });
  }
  assert.equal(await count(d), 0, 'nothing sent before the commit');
  // A read inside the group sees what the group kept before it.
  const seen = await d.transaction(async (tx) => {
    await tx.run('INSERT INTO t (k, n) VALUES (:k, :n)', { k: 'b', n: 10 });
    return Number((await tx.get('SELECT SUM(n) AS s FROM t'))!.s);
  }, { deferrable: true });
  assert.equal(seen, 13);
  assert.equal(await count(d), 0, 'the group transaction is not committed yet');
  await d.groups.commitGroup();
  assert.equal(await count(d), 4);
});

test('PostgreSQL group: a transaction that throws leaves nothing; a failing statement fails the group and stores nothing', { skip: !PG && 'TXMON_TEST_PG_URL not set' }, async (t) => {
  const d = await openDriver(t);
  await d.groups.beginGroup();
  await d.transaction(async (tx) => { await tx.run('INSERT INTO t (k, n) VALUES (:k, :n)', { k: 'kept', n: 1 }); }, { deferrable: true });
  await assert.rejects(d.transaction(async (tx) => {
    await tx.run('INSERT INTO t (k, n) VALUES (:k, :n)', { k: 'dropped', n: 2 });
    throw new Error('the caller gave up');
  }, { deferrable: true }), /gave up/);
  await d.groups.commitGroup();
  assert.deepEqual((await d.all('SELECT k FROM t ORDER BY k')).map((r) => r.k), ['kept']);

  await d.groups.beginGroup();
  await d.transaction(async (tx) => { await tx.run('INSERT INTO t (k, n) VALUES (:k, :n)', { k: 'fresh', n: 3 }); }, { deferrable: true });
  await d.transaction(async (tx) => { await tx.run('INSERT INTO t (k, n) VALUES (:k, :n)', { k: 'kept', n: 4 }); }, { deferrable: true }); // duplicate key
  await assert.rejects(d.groups.commitGroup(), /group commit failed|duplicate key/);
  assert.deepEqual((await d.all('SELECT k FROM t ORDER BY k')).map((r) => r.k), ['kept'], 'the whole group rolled back');
  // The driver works on afterwards.
  await d.run('INSERT INTO t (k, n) VALUES (:k, :n)', { k: 'after', n: 5 });
  assert.equal(await count(d), 2);
});

test('values written into a group statement come back as bound parameters do', { skip: !PG && 'TXMON_TEST_PG_URL not set' }, async () => {
  const client = new pg.Client({ connectionString: PG });
  await client.connect();
  try {
    const values: unknown[] = ["it's", 'back\\slash', 'ünïcødé ✓ "q"', null, 42, 0.1 + 0.2, -7, ['a', null, 'b"c', "d'e", 'f\\g'], [1, 2, 3]];
    const text = 'SELECT $1::text AS a, $2::text AS b, $3::text AS c, $4::text AS d, $5::bigint AS e, $6::float8 AS f, $7::bigint AS g, $8::text[] AS h, $9::bigint[] AS i';
    const bound = (await client.query(text, values)).rows[0];
    const inline = (await client.query(inlineStatement(text, values))).rows[0];
    assert.deepEqual(inline, bound);
  } finally {
    await client.end();
  }
});
