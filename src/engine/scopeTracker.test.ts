import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PendingMinutes, ScopeTracker, type PendingMinute } from './scopeTracker.ts';

const GRACE = 90_000;
const HOUR = 3_600_000;
const end = (m: number) => (m + 1) * 60_000;

test('pending bookkeeping: entry, maxSeen, minPending, isLate, take, peek', () => {
  const t = new ScopeTracker('all', null);
  assert.equal(t.maxSeen(), null);
  assert.equal(t.minPending(), null);
  assert.equal(t.isLate(5), false, 'nothing evaluated yet: nothing is late');
  t.entry(12, 0).counts.approved = 5;
  t.entry(10, 0).counts.approved = 3;
  assert.equal(t.maxSeen(), 12);
  assert.equal(t.minPending(), 10);
  const peeked = t.peek(10)!;
  peeked.counts.approved = 99;
  assert.equal(t.pending.get(10)!.counts.approved, 3, 'peek returns a copy');
  const taken = t.take(10);
  assert.deepEqual({ ...taken, counts: { ...taken.counts }, authCodes: { ...taken.authCodes } }, { scope: 'all', minute: 10, counts: { approved: 3 }, authCodes: {}, hasData: true });
  assert.equal(t.lastEvaluated, 10);
  assert.equal(t.isLate(10), true);
  assert.equal(t.isLate(11), false);
  assert.deepEqual(t.take(11), { scope: 'all', minute: 11, counts: {}, authCodes: {}, hasData: false }, 'a gap');
  assert.deepEqual([...t.lastStatuses], ['approved'], 'a gap does not forget the statuses');
  assert.equal(t.maxSeen(), 12);
  assert.equal(t.peek(11), null);
});

test('coversKnownStatuses: every status of the last minute with data', () => {
  const t = new ScopeTracker('all', null);
  assert.equal(t.coversKnownStatuses(new Set(['approved'])), false, 'no history: cannot know');
  t.entry(1, 0).counts = { approved: 1, denied: 0, failed: 2 };
  t.take(1);
  assert.equal(t.coversKnownStatuses(new Set(['approved', 'denied'])), false);
  assert.equal(t.coversKnownStatuses(new Set(['approved', 'denied', 'failed'])), true);
  assert.equal(t.coversKnownStatuses(new Set(['approved', 'denied', 'failed', 'new'])), true);
});

test('graceClosedThrough: a minute closes grace after its end or its last rows, whichever is later', () => {
  const t = new ScopeTracker('all', null);
  t.entry(100, end(100) - 1000);
  assert.equal(t.graceClosedThrough(end(100) + GRACE - 1, GRACE, HOUR), null);
  assert.equal(t.graceClosedThrough(end(100) + GRACE, GRACE, HOUR), 100);
  // Rows that arrive late push the deadline.
  t.entry(100, end(100) + 60_000);
  assert.equal(t.graceClosedThrough(end(100) + GRACE, GRACE, HOUR), null);
  // By then the empty minute 101 has also ended grace ago: the live rule closes it too.
  assert.equal(t.graceClosedThrough(end(100) + 60_000 + GRACE, GRACE, HOUR), 101);
});

test('graceClosedThrough: a live scope that stops sending closes its empty minutes up to the clock', () => {
  const t = new ScopeTracker('all', null);
  t.entry(100, end(100));
  t.take(100);
  // Ten minutes later: minutes up to the one that ended grace ago are closed.
  const now = end(110) + GRACE;
  assert.equal(t.graceClosedThrough(now, GRACE, HOUR), 110);
  // A scope silent for longer than the live window is left alone (historical data, not live).
  assert.equal(t.graceClosedThrough(end(100) + HOUR + 1, GRACE, HOUR), null);
});

test('PendingMinutes: one minute in the slot, more in the overflow, the slot reused after a delete', () => {
  const p = new PendingMinutes();
  const entry = (lastArrival: number): PendingMinute => ({ counts: {}, authCodes: {}, lastArrival });
  assert.equal(p.max(), null);
  assert.equal(p.min(), null);
  assert.equal(p.latestGraceClosed(1e9, 0), null);
  const a = entry(0);
  p.add(10, a);
  p.add(12, entry(0));
  p.add(11, entry(13 * 60_000));
  assert.equal(p.get(10), a);
  assert.ok(p.has(12) && p.has(11) && !p.has(13));
  assert.deepEqual([p.min(), p.max()], [10, 12]);
  assert.deepEqual(p.minutes().sort(), [10, 11, 12]);
  // Minute 12 ends at 13:00 (no late rows); minute 11's last rows came at 13:00 too: both close 30 s later.
  assert.equal(p.latestGraceClosed(13 * 60_000 + 29_999, 30_000), 10);
  assert.equal(p.latestGraceClosed(13 * 60_000 + 30_000, 30_000), 12);
  p.delete(10);
  assert.ok(!p.has(10));
  assert.equal(p.min(), 11);
  const d = entry(0);
  p.add(9, d);
  assert.equal(p.get(9), d);
  assert.deepEqual(p.minutes().sort(), [11, 12, 9].sort());
  p.delete(12);
  p.delete(11);
  p.delete(9);
  assert.deepEqual(p.minutes(), []);
  assert.equal(p.max(), null);
});

test('statuses named like Object.prototype members are plain keys of a pending minute', () => {
  const t = new ScopeTracker('all', null);
  const p = t.entry(10, 0);
  p.counts['__proto__'] = 5;
  p.counts['constructor'] = 2;
  assert.deepEqual(Object.keys(p.counts).sort(), ['__proto__', 'constructor']);
  assert.equal(p.counts.toString, undefined, 'no inherited members');
});
