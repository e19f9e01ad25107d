import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchTouches } from './batchTouches.ts';
import { ScopeTracker } from './scopeTracker.ts';

const trackers = () => {
  const map = new Map<string, ScopeTracker>();
  const of = (scope: string) => {
    let t = map.get(scope);
    if (!t) map.set(scope, (t = new ScopeTracker(scope, null)));
    return t;
  };
  return { map, of };
};

test('rows of interleaved scopes and minutes land in their own pending entries', () => {
  const { map, of } = trackers();
  const touches = new BatchTouches(of, 1000, true);
  const rows: Array<[string, number, string, number]> = [['a', 10, 'approved', 5], ['a', 10, 'denied', 1], ['b', 10, 'approved', 7], ['a', 11, 'approved', 6], ['a', 10, 'failed', 2]];
  for (const [scope, minute, status, count] of rows) {
    const p = touches.entry(scope, minute)!;
    p.counts[status] = count;
    touches.status(status);
  }
  assert.deepEqual(map.get('a')!.pending.get(10)!.counts, { approved: 5, denied: 1, failed: 2 });
  assert.deepEqual(map.get('a')!.pending.get(11)!.counts, { approved: 6 });
  assert.deepEqual(map.get('b')!.pending.get(10)!.counts, { approved: 7 });
  const a = touches.minutes.get(map.get('a')!)!;
  assert.deepEqual([...a.keys()], [10, 11], 'minutes in first-touch order');
  assert.deepEqual([...a.get(10)!].sort(), ['approved', 'denied', 'failed']);
  assert.equal(map.get('a')!.pending.get(10)!.lastArrival, 1000);
});

test('late minutes are reported once and get no entry; statuses are not tracked when not asked', () => {
  const { map, of } = trackers();
  of('a').lastEvaluated = 20;
  const touches = new BatchTouches(of, 0, false);
  assert.equal(touches.entry('a', 19), null);
  assert.equal(touches.entry('a', 19), null);
  assert.equal(touches.entry('a', 18), null);
  assert.equal(touches.entry('a', 19), null);
  assert.deepEqual(touches.late, [{ scope: 'a', minute: 19 }, { scope: 'a', minute: 18 }]);
  assert.ok(touches.entry('a', 21));
  touches.status('approved');
  assert.equal(touches.minutes.get(map.get('a')!)!.get(21), null);
});
