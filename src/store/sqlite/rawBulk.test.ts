/** Raw transactions in bulk (issue #15): multi-row inserts, ids deduplicated, counts folded in once. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RawTransaction } from '../../domain/types.ts';
import { sqliteStore } from '../open.ts';

const M = 29_000_000;
const tx = (id: string, minute: number, status: string, authCode?: string): RawTransaction =>
  ({ id, scope: 'pos', minute, at: minute * 60_000 + 1000, status, authCode, amount: 10 });

test('raw bulk: duplicates within a batch, across batches and across chunk boundaries count once', async () => {
  const store = sqliteStore(':memory:');
  await store.migrate();
  // 600 transactions (three chunks), ids 0..599, statuses alternating, one auth code on even ids.
  const first = Array.from({ length: 600 }, (_, i) => tx(`t${i}`, M + (i % 2), i % 3 === 0 ? 'denied' : 'approved', i % 2 === 0 ? '00' : undefined));
  // The same id twice in one batch (a stream reader may pass that on): the first counts.
  first.push(tx('t5', M, 'approved'));
  const r1 = await store.writeBatch({ counts: [], authCodes: [], raw: first });
  assert.deepEqual([r1.rawAccepted, r1.rawDuplicates], [600, 1]);
  // A second batch: 300 seen before (two chunks apart), 300 new.
  const second = Array.from({ length: 600 }, (_, i) => tx(`t${i + 300}`, M + (i % 2), 'approved'));
  const r2 = await store.writeBatch({ counts: [], authCodes: [], raw: second });
  assert.deepEqual([r2.rawAccepted, r2.rawDuplicates], [300, 300]);
  const counts = await store.readCounts('pos', M, M + 2);
  const get = (m: number, s: string) => counts.find((c) => c.minute === m && c.status === s)?.count ?? 0;
  // First batch: minute M has even ids (300): denied where i % 3 === 0 → 100; approved 200.
  // Second batch: ids 600..899 new; i = id - 300 → minute M + (i % 2); 150 approved per minute.
  assert.equal(get(M, 'denied'), 100);
  assert.equal(get(M, 'approved'), 200 + 150);
  assert.equal(get(M + 1, 'denied'), 100);
  assert.equal(get(M + 1, 'approved'), 200 + 150);
  const codes = await store.readAuthCodes('pos', M, M + 2);
  assert.deepEqual(codes.map((c) => [c.minute, c.authCode, c.count]), [[M, '00', 300]]);
  await store.close();
});
