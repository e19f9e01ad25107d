import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MinuteBatch } from '../domain/types.ts';
import { decodePart, encodePart, mergeOutcomes, partMessageId, splitByPartition } from './messages.ts';
import { partitionOf } from './partition.ts';

const batch: MinuteBatch = {
  counts: [
    { scope: 'a', minute: 10, status: 'approved', count: 5 },
    { scope: 'b', minute: 10, status: 'approved', count: 7 },
    { scope: 'a', minute: 11, status: '__proto__', count: 1 },
  ],
  authCodes: [{ scope: 'b', minute: 10, authCode: '00', count: 7 }],
  raw: [{ id: 't1', scope: 'a', minute: 10, at: 600_000, status: 'approved' }],
  completeMinutes: new Map([['a', new Set([10, 11])]]),
};

test('a batch splits into one part per partition, rows in order, and survives the wire', () => {
  const parts = splitByPartition(batch, 16, true);
  const pa = partitionOf('a', 16), pb = partitionOf('b', 16);
  assert.notEqual(pa, pb);
  assert.deepEqual([...parts.keys()].sort(), [pa, pb].sort());
  const a = decodePart(encodePart(parts.get(pa)!));
  assert.equal(a.complete, true);
  assert.deepEqual(a.batch.counts, [batch.counts[0], batch.counts[2]]);
  assert.deepEqual(a.batch.raw, batch.raw);
  assert.deepEqual(a.batch.completeMinutes, new Map([['a', new Set([10, 11])]]));
  const b = decodePart(encodePart(parts.get(pb)!));
  assert.deepEqual(b.batch.authCodes, batch.authCodes);
  assert.equal(b.batch.completeMinutes, undefined);
  // One partition: everything in one part.
  assert.equal(splitByPartition(batch, 1, false).size, 1);
});

test('message ids: equal content or equal Idempotency-Key → equal id; otherwise different', () => {
  const body = encodePart(splitByPartition(batch, 1, false).get(0)!);
  const other = encodePart(splitByPartition(batch, 1, true).get(0)!);
  assert.equal(partMessageId(0, body, undefined), partMessageId(0, Buffer.from(body), undefined));
  assert.notEqual(partMessageId(0, body, undefined), partMessageId(0, other, undefined));
  assert.equal(partMessageId(3, body, 'k1'), partMessageId(3, other, 'k1'));
  assert.notEqual(partMessageId(3, body, 'k1'), partMessageId(4, body, 'k1'));
  assert.notEqual(partMessageId(3, body, 'k1'), partMessageId(3, body, 'k2'));
});

test('outcomes merge: written rows add up, minutes and alerts concatenate', () => {
  const o = (n: number) => ({
    written: { counts: n, authCodes: 1, rawAccepted: 0, rawDuplicates: n },
    evaluated: [], alerts: [], provisional: [], late: [{ scope: `s${n}`, minute: n }],
  });
  const m = mergeOutcomes([o(1), o(2)]);
  assert.deepEqual(m.written, { counts: 3, authCodes: 2, rawAccepted: 0, rawDuplicates: 3 });
  assert.deepEqual(m.late, [{ scope: 's1', minute: 1 }, { scope: 's2', minute: 2 }]);
});
