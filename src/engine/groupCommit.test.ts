/**
 * Group commit (issue #15): ingests that reach the engine in one event-loop turn share one
 * SQLite transaction; each resolves only after that commit, with its own minutes; a failed
 * commit fails every request of the group and the engine rebuilds from what the store holds.
 */
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { MinuteBatch } from '../domain/types.ts';
import { sqliteStore } from '../store/open.ts';
import { Engine } from './engine.ts';
import { VirtualClock } from '../domain/clock.ts';

const M0 = Date.UTC(2025, 6, 1, 10, 0) / 60_000;
const minute = (m: number, scope = 'all'): MinuteBatch => ({
  counts: [
    { scope, minute: m, status: 'approved', count: 110 + (m % 7) },
    { scope, minute: m, status: 'denied', count: 6 + (m % 3) },
    { scope, minute: m, status: 'failed', count: 0 },
  ],
  authCodes: [],
  raw: [],
});

let dir: string;
let store: ReturnType<typeof sqliteStore>;
let other: DatabaseSync;
const committedMinutes = () => (other.prepare('SELECT DISTINCT minute FROM minute_counts ORDER BY minute').all() as Array<{ minute: number }>).map((r) => Number(r.minute));
const assessedMinutes = () => (other.prepare('SELECT minute FROM assessments ORDER BY minute').all() as Array<{ minute: number }>).map((r) => Number(r.minute));

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'txmon-group-'));
  store = sqliteStore(join(dir, 'txmon.db'));
  await store.migrate();
  other = new DatabaseSync(join(dir, 'txmon.db'), { readOnly: true }); // another connection sees commits only
});
afterEach(async () => {
  other.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('requests of one turn: one commit, each answered after it with its own minutes, in arrival order', async () => {
  const engine = new Engine({ store, clock: new VirtualClock((M0 + 10) * 60_000), graceMs: 3_600_000, groupCommit: true });
  await engine.start();
  let commits = 0;
  const commit = store.driver.commitGroup.bind(store.driver);
  store.driver.commitGroup = async () => { commits++; await commit(); };
  const seenAtAnswer: number[][] = [];
  const answers = [0, 1, 2].map((i) => engine.ingest(minute(M0 + i), { complete: true }).then((o) => {
    seenAtAnswer.push(committedMinutes());
    return o;
  }));
  const outcomes = await Promise.all(answers);
  assert.equal(commits, 1, 'three requests of one turn, one commit');
  assert.deepEqual(outcomes.map((o) => o.evaluated.map((a) => a.minute)), [[M0], [M0 + 1], [M0 + 2]]);
  for (const seen of seenAtAnswer) assert.deepEqual(seen, [M0, M0 + 1, M0 + 2], 'answered only once its rows are committed');
  assert.deepEqual(assessedMinutes(), [M0, M0 + 1, M0 + 2]);
  // The next turn is a new group.
  await engine.ingest(minute(M0 + 3), { complete: true });
  assert.equal(commits, 2);
});

test('a failed group commit fails all of its requests; the engine rebuilds and the requests can be sent again', async () => {
  const engine = new Engine({ store, clock: new VirtualClock((M0 + 10) * 60_000), graceMs: 3_600_000, groupCommit: true });
  await engine.start();
  await engine.ingest(minute(M0), { complete: true });
  const commit = store.driver.commitGroup.bind(store.driver);
  store.driver.commitGroup = async () => {
    store.driver.commitGroup = commit; // fails once: the transaction is gone, so COMMIT fails
    store.driver.db.exec('ROLLBACK');
    await commit();
  };
  const results = await Promise.allSettled([1, 2].map((i) => engine.ingest(minute(M0 + i), { complete: true })));
  assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
  assert.deepEqual(committedMinutes(), [M0], 'nothing of the failed group is stored');
  assert.equal(engine.needsRebuild, true);
  const again = [];
  for (const i of [1, 2]) again.push(await engine.ingest(minute(M0 + i), { complete: true }));
  assert.deepEqual(again.map((o) => o.evaluated.map((a) => a.minute)), [[M0 + 1], [M0 + 2]], 'evaluated once, after the rebuild');
  assert.deepEqual(assessedMinutes(), [M0, M0 + 1, M0 + 2]);
});

test('without groupCommit (or a store without groups) every request commits on its own', async () => {
  const engine = new Engine({ store, clock: new VirtualClock((M0 + 10) * 60_000), graceMs: 3_600_000 });
  await engine.start();
  let commits = 0;
  const commit = store.driver.commitGroup.bind(store.driver);
  store.driver.commitGroup = async () => { commits++; await commit(); };
  await Promise.all([0, 1].map((i) => engine.ingest(minute(M0 + i), { complete: true })));
  assert.equal(commits, 0);
  assert.deepEqual(committedMinutes(), [M0, M0 + 1]);
});
