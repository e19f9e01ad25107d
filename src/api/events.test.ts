import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventHub } from './events.ts';

test('the replay buffer is bounded by count and by bytes; the newest event always stays', () => {
  const hub = new EventHub({ capacity: 5, maxBytes: 1000 });
  const seen: number[] = [];
  hub.subscribe((e) => seen.push(e.id));
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
  assert.equal(seen.length, 11, 'subscribers get every event');
});

test('with nobody listening an event only takes its id; a client that left is buffered for during the reconnect window', () => {
  let now = 0;
  const hub = new EventHub({ reconnectWindowMs: 60_000, now: () => now });
  let built = 0;
  hub.publishWith('minutes', () => { built++; return [1]; });
  assert.equal(built, 0, 'no payload built for no one');
  assert.equal(hub.lastId, 1, 'the id is taken');
  assert.equal(hub.bufferedBytes, 0);
  const leave = hub.subscribe(() => undefined);
  hub.publishWith('minutes', () => { built++; return [2]; });
  leave();
  now += 59_000;
  hub.publish('minutes', [3]); // the client may still reconnect
  assert.deepEqual(hub.since(1).map((e) => e.id), [2, 3]);
  now += 2_000;
  hub.publishWith('minutes', () => { built++; return [4]; });
  assert.equal(built, 1, 'only the event published while a client listened was built by publishWith');
  assert.deepEqual(hub.since(0), [], 'after the window the buffer is emptied: a late reconnect cannot be served without a gap');
  assert.equal(hub.lastId, 4);
});
