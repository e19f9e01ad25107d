/**
 * The outbox as the delivery worker uses it, on every dialect available here (PostgreSQL when
 * TXMON_TEST_PG_URL is set): in-order claims per (receiver, alert group), claims racing from two
 * workers, and pruning of finished rows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects, reportSkippedPostgres } from './postgres/testing.ts';
import type { NotifyStore } from './notifyStore.ts';
import type { Store } from './store.ts';
import type { OutboxEntry } from '../domain/types.ts';
import { seededRandom } from '../domain/prng.ts';

const LEASE = 1_000_000;

/** A pending outbox row; `group` goes into the payload's groupKey (undefined = none). */
function row(id: string, createdAt: number, group: string | undefined, receiver = 'hook/webhook[0]'): OutboxEntry {
  const payload: Record<string, unknown> = { id, status: 'firing' };
  if (group !== undefined) payload.groupKey = group;
  return { id, receiver, payload, createdAt, nextAttemptAt: createdAt, attempts: 0, state: 'pending', lastError: null };
}

const ids = (rows: readonly { id: string }[]) => rows.map((r) => r.id).sort();

reportSkippedPostgres();

for (const d of testDialects()) {
  async function open(t: { after(fn: () => Promise<void>): void }): Promise<{ store: Store; ns: NotifyStore }> {
    const { store, dispose } = await d.open();
    t.after(dispose);
    return { store, ns: store };
  }

  test(`outbox on ${d.dialect}: a row is claimed only when no older row of its receiver and group is pending`, async (t) => {
    const { store, ns } = await open(t);
    await store.saveEvaluation([], [], [
      row('g1-firing', 1, 'g1'),
      row('g1-resolved', 2, 'g1'),
      row('g2-firing', 3, 'g2'),
      row('other-receiver-g1', 4, 'g1', 'other/slack[0]'),
      row('no-group', 5, undefined),
      row('g3-first', 6, 'g3'),
      row('g3-second', 7, 'g3'),
    ]);
    const first = await ns.claimDue(10, 100, LEASE, 'a');
    assert.deepEqual(ids(first), ['g1-firing', 'g2-firing', 'g3-first', 'no-group', 'other-receiver-g1'], 'heads of each (receiver, group) only');
    assert.deepEqual(await ns.claimDue(10, 100, LEASE, 'b'), [], 'the later rows wait while the older ones are leased');

    // g1's firing fails and waits for a retry: its resolved row must still wait.
    assert.equal(await ns.markRetry('g1-firing', 'a', 500, 'HTTP 503'), true);
    assert.deepEqual(await ns.claimDue(20, 100, LEASE, 'b'), [], 'due, but held back by the retrying firing row');
    assert.equal(await ns.nextDueAt(), 500, 'held-back rows do not count as due (the worker would spin)');

    // g3's first row is given up: it no longer holds the group back.
    assert.equal(await ns.markFailed('g3-first', 'a', 'permanent failure: HTTP 400', 30), true);
    assert.deepEqual(ids(await ns.claimDue(30, 100, LEASE, 'b')), ['g3-second']);

    const retried = await ns.claimDue(500, 100, LEASE, 'c');
    assert.deepEqual(ids(retried), ['g1-firing']);
    assert.equal(retried[0].attempts, 2);
    assert.deepEqual(await ns.claimDue(501, 100, LEASE, 'c'), [], 'the resolved row waits for the firing one to finish');
    assert.equal(await ns.markDelivered('g1-firing', 'c', 510), true);
    assert.deepEqual(ids(await ns.claimDue(511, 100, LEASE, 'c')), ['g1-resolved']);
  });

  test(`outbox on ${d.dialect}: a released or expired lease keeps the group's order`, async (t) => {
    const { store, ns } = await open(t);
    await store.saveEvaluation([], [], [row('f', 1, 'g'), row('r', 2, 'g')]);
    assert.deepEqual(ids(await ns.claimDue(10, 10, 100, 'dying')), ['f']);
    // The worker died: once its lease runs out the same row comes back, still before `r`.
    assert.deepEqual(ids(await ns.claimDue(110, 10, 100, 'next')), ['f']);
    assert.equal(await ns.release('f', 'next', 120), true);
    assert.deepEqual(ids(await ns.claimDue(120, 10, 100, 'next')), ['f'], 'a released row is due again, its group still waits');
  });

  test(`outbox on ${d.dialect}: two workers claiming at once never share a row and never run two rows of a group`, async (t) => {
    const { store, ns } = await open(t);
    const groups = ['a', 'b', 'c', 'd', 'e'];
    const entries: OutboxEntry[] = [];
    for (let i = 0; i < 60; i++) entries.push(row(`n${String(i).padStart(2, '0')}`, 100 + i, groups[i % groups.length]));
    await store.saveEvaluation([], [], entries);
    const groupOf = new Map(entries.map((e) => [e.id, (e.payload as { groupKey: string }).groupKey]));
    const random = seededRandom(7);
    const finished = new Set<string>();
    const deliveredOrder = new Map<string, string[]>();
    let now = 1000;
    for (let round = 0; finished.size < entries.length; round++) {
      assert.ok(round < 500, 'the outbox drains');
      const [a, b] = await Promise.all([ns.claimDue(now, 4, 50, `a${round}`), ns.claimDue(now, 4, 50, `b${round}`)]);
      const claimed = [...a.map((r) => ({ r, token: `a${round}` })), ...b.map((r) => ({ r, token: `b${round}` }))];
      assert.equal(new Set(claimed.map((c) => c.r.id)).size, claimed.length, 'no row leased twice');
      const perGroup = new Set<string>();
      for (const { r } of claimed) {
        const g = groupOf.get(r.id)!;
        assert.ok(!perGroup.has(g), `two rows of group ${g} in flight at once`);
        perGroup.add(g);
        const older = entries.filter((e) => groupOf.get(e.id) === g && e.createdAt < r.createdAt);
        for (const o of older) assert.ok(finished.has(o.id), `${r.id} leased while the older ${o.id} is unfinished`);
      }
      for (const { r, token } of claimed) {
        const x = random();
        if (x < 0.5) {
          assert.equal(await ns.markDelivered(r.id, token, now), true);
          finished.add(r.id);
          const g = groupOf.get(r.id)!;
          deliveredOrder.set(g, [...(deliveredOrder.get(g) ?? []), r.id]);
        } else if (x < 0.6) {
          assert.equal(await ns.markFailed(r.id, token, 'gave up', now), true);
          finished.add(r.id);
        } else if (x < 0.9) {
          assert.equal(await ns.markRetry(r.id, token, now + 5, 'HTTP 503'), true);
        } // else: the worker "dies" holding the lease; it runs out after 50 ms.
      }
      now += 10;
    }
    for (const [g, order] of deliveredOrder) assert.deepEqual(order, [...order].sort(), `group ${g} delivered oldest first`);
    assert.equal(await ns.countPending(), 0);
  });

  test(`outbox on ${d.dialect}: pruning deletes finished rows older than the cut-off, never pending ones`, async (t) => {
    const { store, ns } = await open(t);
    await store.saveEvaluation([], [], [
      row('old-delivered', 1, 'g1'), row('new-delivered', 2, 'g2'),
      row('old-failed', 3, 'g3'), row('new-failed', 4, 'g4'),
      row('old-pending', 5, 'g5'), row('old-retrying', 6, 'g6'),
    ]);
    const claimed = await ns.claimDue(10, 100, LEASE, 't');
    assert.equal(claimed.length, 6);
    await ns.markDelivered('old-delivered', 't', 1000);
    await ns.markDelivered('new-delivered', 't', 9000);
    await ns.markFailed('old-failed', 't', 'HTTP 400', 1000);
    await ns.markFailed('new-failed', 't', 'HTTP 400', 9000);
    await ns.release('old-pending', 't', 20);
    await ns.markRetry('old-retrying', 't', 30, 'HTTP 503');

    assert.equal(await ns.pruneOutbox(5000), 2);
    assert.deepEqual(ids(await ns.listOutbox({})), ['new-delivered', 'new-failed', 'old-pending', 'old-retrying']);
    assert.equal(await ns.pruneOutbox(5000), 0, 'nothing left to prune');
    assert.equal(await ns.pruneOutbox(Number.MAX_SAFE_INTEGER), 2, 'pending rows survive any cut-off');
    assert.deepEqual(ids(await ns.listOutbox({})), ['old-pending', 'old-retrying']);
  });

  test(`outbox on ${d.dialect}: pruning works through a backlog in batches`, async (t) => {
    const { store, ns } = await open(t);
    const entries = Array.from({ length: 7 }, (_, i) => row(`d${i}`, i, `g${i}`));
    await store.saveEvaluation([], [], entries);
    for (const r of await ns.claimDue(10, 100, LEASE, 't')) await ns.markDelivered(r.id, 't', 100);
    assert.equal(await ns.pruneOutbox(200, 3), 7);
    assert.deepEqual(await ns.listOutbox({}), []);
  });
}
