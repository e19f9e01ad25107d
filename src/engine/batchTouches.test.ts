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
  assert.deepEqual({ ...map.get('a')!.pending.get(10)!.counts }, { approved: 5, denied: 1, failed: 2 });
  assert.deepEqual({ ...map.get('a')!.pending.get(11)!.counts }, { approved: 6 });
  assert.deepEqual({ ...map.get('b')!.pending.get(10)!.counts }, { approved: 7 });
  assert.deepEqual(touches.scopes.map((s) => s.tracker.scope), ['a', 'b'], 'scopes in first-touch order');
  const a = touches.of(map.get('a')!)!;
  assert.deepEqual(a.minutes, [10, 11], 'minutes in first-touch order');
  assert.deepEqual([...a.statuses[0]!].sort(), ['approved', 'denied', 'failed']);
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
  assert.deepEqual(touches.of(map.get('a')!)!.minutes, [21]);
  assert.deepEqual(touches.of(map.get('a')!)!.statuses, [null]);
});

test('many scopes and minutes in one batch: every row still finds its own entry (indexed lookups)', () => {
  const { map, of } = trackers();
  const touches = new BatchTouches(of, 0, true);
  // Minutes interleaved across 40 scopes, each visited twice: past the scan limit of both lists.
  for (let pass = 0; pass < 2; pass++) {
    for (let minute = 0; minute < 30; minute++) {
      for (let k = 0; k < 40; k++) {
        touches.entry(`s${k}`, minute)!.counts[pass === 0 ? 'approved' : 'denied'] = minute + k;
        touches.status(pass === 0 ? 'approved' : 'denied');
      }
    }
  }
  assert.equal(touches.scopes.length, 40);
  for (let k = 0; k < 40; k++) {
    const t = touches.of(map.get(`s${k}`)!)!;
    assert.deepEqual(t.minutes, Array.from({ length: 30 }, (_, m) => m));
    for (let m = 0; m < 30; m++) {
      assert.deepEqual({ ...map.get(`s${k}`)!.pending.get(m)!.counts }, { approved: m + k, denied: m + k });
      assert.deepEqual([...t.statuses[m]!], ['approved', 'denied']);
    }
  }
});
