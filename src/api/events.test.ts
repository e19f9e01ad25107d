import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventHub } from './events.ts';

test('the replay buffer is bounded by count and by bytes; the newest event always stays', () => {
  const hub = new EventHub(5, 1000);
  for (let i = 0; i < 8; i++) hub.publish('small', { i });
  assert.deepEqual(hub.since(0).map((e) => (e.data as { i: number }).i), [3, 4, 5, 6, 7], 'count bound');
  hub.publish('big', 'x'.repeat(600));
  hub.publish('big', 'y'.repeat(600));
  const left = hub.since(0);
  assert.equal(left.length, 1, 'byte bound: only the newest big event fits');
  assert.equal(left[0].json, JSON.stringify('y'.repeat(600)));
  assert.ok(hub.bufferedBytes <= 1000 || left.length === 1);
  hub.publish('huge', 'z'.repeat(5000));
  assert.equal(hub.since(0).length, 1, 'an event larger than the bound is kept alone');
  const seen: number[] = [];
  hub.subscribe((e) => seen.push(e.id));
  hub.publish('small', {});
  assert.equal(seen.length, 1, 'subscribers get every event');
});
