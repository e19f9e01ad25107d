/**
 * Group commit on PostgreSQL (issue #15): a deferred group. Requests that arrive while a commit is
 * in flight form the next group; each is answered after the commit holding its rows, which
 * another connection then sees; commit listeners hear of an evaluation only once it is
 * committed; a request that must read the store (raw transactions) commits the open group first,
 * so it reads what the group wrote.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import type { MinuteBatch } from '../domain/types.ts';
import { postgresStore } from '../store/open.ts';
import { dropSchema, uniqueSchema, withSchema } from '../store/postgres/testing.ts';
import { Engine } from './engine.ts';
import { VirtualClock } from '../domain/clock.ts';

const PG = process.env.TXMON_TEST_PG_URL;
const M0 = Date.UTC(2025, 6, 1, 10, 0) / 60_000;
const minute = (m: number, scope: string): MinuteBatch => ({
  counts: [
    { scope, minute: m, status: 'approved', count: 110 + (m % 7) },
    { scope, minute: m, status: 'denied', count: 6 },
  ],
  authCodes: [],
  raw: [],
});

test('PostgreSQL group commit: answered after the commit holding the rows, listeners at the commit, raw reads after the group committed', { skip: !PG && 'TXMON_TEST_PG_URL not set' }, async (t) => {
  const schema = uniqueSchema('txmon_engine_group');
  const url = withSchema(PG!, schema);
  const store = await postgresStore(url);
  await store.migrate();
  const other = new pg.Client({ connectionString: PG });
  await other.connect();
  t.after(async () => {
    await other.end();
    await store.close();
    await dropSchema(PG!, schema);
  });
  const committed = async (table: string) => Number((await other.query(`SELECT COUNT(*) AS n FROM "${schema}".${table}`)).rows[0].n);

  const engine = new Engine({ store, clock: new VirtualClock((M0 + 10) * 60_000), graceMs: 3_600_000, groupCommit: true });
  await engine.start();
  const heard: number[] = [];
  engine.onCommitted(() => { void committed('assessments').then((n) => heard.push(n)); });

  // Three scopes, one minute each, arriving together: one group.
  const seenAtAnswer: number[] = [];
  const outcomes = await Promise.all(['a', 'b', 'c'].map((scope) => engine.ingest(minute(M0, scope), { complete: true }).then(async (o) => {
    seenAtAnswer.push(await committed('assessments'));
    return o;
  })));
  assert.deepEqual(outcomes.map((o) => o.evaluated.map((a) => `${a.scope} ${a.minute - M0}`)), [['a 0'], ['b 0'], ['c 0']], 'each request reports its own minute');
  assert.deepEqual(seenAtAnswer, [3, 3, 3], 'answered once the group committed');
  await engine.idle();
  for (let i = 0; i < 50 && heard.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(heard.length, 1, 'one group, one commit announced');
  assert.equal(heard[0], 3, 'the listener runs after the commit');

  // A count request and a raw request together: the raw one reads back its minute, so the group is
  // committed first; both are stored and the raw minute is judged on what the store holds.
  const raw: MinuteBatch = {
    counts: [], authCodes: [],
    raw: Array.from({ length: 5 }, (_, i) => ({ id: `tx-${i}`, scope: 'r', minute: M0, at: M0 * 60_000 + i, status: i < 4 ? 'approved' : 'denied', authCode: undefined, amount: undefined })),
  };
  const [countsOutcome, rawOutcome] = await Promise.all([
    engine.ingest(minute(M0 + 1, 'a'), { complete: true }),
    engine.ingest(raw, { complete: true }),
  ]);
  assert.deepEqual(countsOutcome.evaluated.map((a) => a.minute - M0), [1]);
  assert.equal(rawOutcome.written.rawAccepted, 5);
  assert.deepEqual(rawOutcome.evaluated.map((a) => a.metrics.counts), [{ approved: 4, denied: 1 }]);
  assert.equal(await committed('raw_transactions'), 5);
  assert.equal(await committed('assessments'), 5);
});
