import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sqliteStore } from '../store/open.ts';
import type { OutboxEntry } from '../domain/types.ts';
import { DeliveryWorker } from './worker.ts';
import type { Channel, DeliveryResult, Notification } from './types.ts';
import { seededRandom } from '../domain/prng.ts';

async function setup(n: number) {
  const store = sqliteStore(':memory:');
  await store.migrate();
  const entries: OutboxEntry[] = Array.from({ length: n }, (_, i) => ({
    id: `n${i}`, receiver: 'r/webhook[0]', payload: { id: `n${i}` }, createdAt: i, nextAttemptAt: 0, attempts: 0, state: 'pending', lastError: null,
  }));
  await store.saveEvaluation([], [], entries);
  return { store, ns: store };
}

const policy = { initialMs: 10, maxMs: 10, maxAttempts: 3, random: seededRandom(1) };

test('two workers draining one outbox never send the same row', async () => {
  const { store, ns } = await setup(40);
  const sent: string[] = [];
  const channel: Channel = { type: 'webhook', async send(n: Notification) { sent.push(n.id); await new Promise((r) => setTimeout(r, 1)); return { ok: true, retryable: false, detail: 'ok' }; } };
  const integrations = new Map([['r/webhook[0]', { name: 'r/webhook[0]', channel }]]);
  const a = new DeliveryWorker({ store: ns, integrations, policy, batch: 3 });
  const b = new DeliveryWorker({ store: ns, integrations, policy, batch: 3 });
  while ((await Promise.all([a.runOnce(), b.runOnce()])).some((x) => x > 0));
  assert.equal(sent.length, 40);
  assert.equal(new Set(sent).size, 40);
  assert.equal(await ns.countPending(), 0);
  await store.close();
});

test('retryable → retry with backoff honouring Retry-After; permanent → failed; max attempts → failed', async () => {
  const { store, ns } = await setup(3);
  let now = 1000;
  const answers: Record<string, DeliveryResult> = {
    n0: { ok: false, retryable: true, status: 429, retryAfterMs: 5000, detail: 'HTTP 429' },
    n1: { ok: false, retryable: false, status: 400, detail: 'HTTP 400 bad' },
    n2: { ok: false, retryable: true, status: 503, detail: 'HTTP 503' },
  };
  const channel: Channel = { type: 'webhook', async send(n: Notification) { return answers[n.id]; } };
  const outcomes: string[] = [];
  const w = new DeliveryWorker({ store: ns, integrations: new Map([['r/webhook[0]', { name: 'r/webhook[0]', channel }]]), policy, now: () => now, onAttempt: (r, _res, o) => outcomes.push(`${r.id}:${o}`) });
  assert.equal(await w.runOnce(), 3);
  const rows = new Map((await ns.listOutbox({})).map((r) => [r.id, r]));
  assert.equal(rows.get('n0')!.nextAttemptAt, 6000, 'Retry-After wins over the 10 ms backoff');
  assert.equal(rows.get('n1')!.state, 'failed');
  assert.match(rows.get('n1')!.lastError!, /permanent failure: HTTP 400 bad/);
  assert.equal(rows.get('n2')!.state, 'pending');
  now = 10_000;
  await w.runOnce();
  now = 20_000;
  await w.runOnce();
  const n2 = (await ns.listOutbox({})).find((r) => r.id === 'n2')!;
  assert.equal(n2.state, 'failed');
  assert.equal(n2.attempts, 3);
  assert.match(n2.lastError!, /3 attempts failed/);
  assert.deepEqual(outcomes.slice(0, 3).sort(), ['n0:retry', 'n1:failed', 'n2:retry']);
  await store.close();
});

test('a lease that ran out (worker died) makes the row due again; the dead worker cannot overwrite it', async () => {
  const { store, ns } = await setup(1);
  const [row] = await ns.claimDue(0, 10, 100, 'dead');
  assert.equal(row.attempts, 1);
  assert.deepEqual(await ns.claimDue(50, 10, 100, 'other'), [], 'leased');
  const [again] = await ns.claimDue(100, 10, 100, 'other');
  assert.equal(again.attempts, 2);
  assert.equal(await ns.markDelivered('n0', 'dead', 150), false, 'stale token');
  assert.equal(await ns.markDelivered('n0', 'other', 150), true);
  await store.close();
});

test('one group in order: the resolved row waits while the firing row is retried; other groups flow meanwhile', async () => {
  const store = sqliteStore(':memory:');
  await store.migrate();
  const ns = store;
  const entry = (id: string, createdAt: number, groupKey: string, status: string): OutboxEntry => ({
    id, receiver: 'r/webhook[0]', payload: { id, groupKey, status }, createdAt, nextAttemptAt: createdAt, attempts: 0, state: 'pending', lastError: null,
  });
  await store.saveEvaluation([], [], [entry('count-firing', 1, 'count', 'firing'), entry('share-firing', 2, 'share', 'firing')]);
  let now = 100;
  let failuresLeft = 3;
  const delivered: string[] = [];
  const attempts: string[] = [];
  const channel: Channel = {
    type: 'webhook',
    async send(n: Notification) {
      attempts.push(n.id);
      if (n.id === 'count-firing' && failuresLeft-- > 0) return { ok: false, retryable: true, status: 503, detail: 'HTTP 503' };
      delivered.push(n.id);
      return { ok: true, retryable: false, detail: 'ok' };
    },
  };
  const w = new DeliveryWorker({ store: ns, integrations: new Map([['r/webhook[0]', { name: 'r/webhook[0]', channel }]]), policy: { ...policy, maxAttempts: 10 }, now: () => now });
  await w.runOnce();
  assert.deepEqual(delivered, ['share-firing'], 'another group is not held back');
  // The count group resolves while its firing notification is still failing.
  await store.saveEvaluation([], [], [entry('count-resolved', 3, 'count', 'resolved')]);
  for (let i = 0; i < 10 && delivered.length < 3; i++) {
    now += 20; // past any retry delay (backoff capped at 10 ms)
    await w.runOnce();
  }
  assert.deepEqual(delivered, ['share-firing', 'count-firing', 'count-resolved'], 'firing strictly before resolved');
  assert.equal(attempts.filter((id) => id === 'count-resolved').length, 1, 'resolved sent once, only after firing got through');
  assert.equal(attempts.filter((id) => id === 'count-firing').length, 4);
  await store.close();
});

test('the worker loop prunes finished rows older than the retention, pending rows stay', async () => {
  const { store, ns } = await setup(3);
  const now = 10 * 86_400_000;
  const [a, b] = await ns.claimDue(0, 2, 1000, 't');
  await ns.markDelivered(a.id, 't', now - 8 * 86_400_000);
  await ns.markFailed(b.id, 't', 'HTTP 400', now - 8 * 86_400_000);
  const pruned: number[] = [];
  const channel: Channel = { type: 'webhook', async send() { return { ok: false, retryable: true, status: 503, detail: 'HTTP 503' }; } };
  const w = new DeliveryWorker({
    store: ns, integrations: new Map([['r/webhook[0]', { name: 'r/webhook[0]', channel }]]),
    policy: { initialMs: 60_000, maxMs: 60_000, maxAttempts: 5, random: () => 0.99 },
    now: () => now, retentionMs: 7 * 86_400_000, pollMs: 5, onPruned: (n) => pruned.push(n),
  });
  w.start();
  const until = Date.now() + 2000;
  while (pruned.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
  await w.stop();
  assert.deepEqual(pruned, [2], 'pruned once (the next prune is an hour away)');
  const left = await ns.listOutbox({});
  assert.deepEqual(left.map((r) => `${r.id}:${r.state}`), ['n2:pending']);
  await store.close();
});
