/**
 * Leases on the real NATS JetStream key-value store (TXMON_TEST_NATS_URL): balance, hand-over on
 * join, take-over after a member vanishes (its connection cut, as kill -9 does), and fencing —
 * the vanished member stops calling partitions its own before anyone else can take them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import { LeaseManager, targetShare } from './leases.ts';

const NATS = process.env.TXMON_TEST_NATS_URL;
const quiet = { warn: () => undefined, info: () => undefined };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('shares: P/N each, the first P mod N one more, in member order', () => {
  assert.equal(targetShare(['a', 'b', 'c'], 'a', 16), 6);
  assert.equal(targetShare(['a', 'b', 'c'], 'b', 16), 5);
  assert.equal(targetShare(['a', 'b', 'c'], 'c', 16), 5);
  assert.equal(targetShare(['a'], 'a', 16), 16);
  assert.equal(targetShare(['a', 'b'], 'b', 1), 0);
});

test('leases balance, move to a joining member and are taken over after a member vanishes', { skip: NATS ? false : 'TXMON_TEST_NATS_URL not set: lease test skipped', timeout: 60_000 }, async (t) => {
  const bucket = `txmon_test_leases_${randomBytes(4).toString('hex')}`;
  const ttlMs = 1500;
  const P = 8;
  const ncs = await Promise.all([connect({ servers: NATS! }), connect({ servers: NATS! })]);
  t.after(async () => {
    await (await new Kvm(ncs[0]).open(bucket)).destroy().catch(() => undefined);
    for (const nc of ncs) await nc.close().catch(() => undefined);
  });
  const events: string[] = [];
  const manager = async (i: number) => {
    const kv = await new Kvm(ncs[i]).create(bucket, { history: 1, ttl: ttlMs });
    const owned = new Set<number>();
    const m = new LeaseManager({
      kv, nodeId: `n${i}`, partitions: P, ttlMs, log: quiet,
      handlers: {
        acquired: async (ps) => { for (const p of ps) { if ([...others(i)].some((o) => o.has(p))) events.push(`double ${p}`); owned.add(p); } },
        released: async (ps) => { for (const p of ps) owned.delete(p); },
      },
    });
    return { m, owned };
  };
  const all: Array<{ m: LeaseManager; owned: Set<number> }> = [];
  const others = (i: number) => all.filter((_, j) => j !== i).map((x) => x.owned);
  all.push(await manager(0));
  await all[0].m.start();
  assert.equal(all[0].owned.size, P, 'alone, one member owns everything');

  all.push(await manager(1));
  await all[1].m.start();
  const until = async (cond: () => boolean, what: string, ms = 10_000) => {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`timed out: ${what} (${all.map((x) => [...x.owned].join(',')).join(' | ')})`);
      await sleep(50);
    }
  };
  await until(() => all[0].owned.size === 4 && all[1].owned.size === 4, 'a joining member takes half');
  assert.deepEqual(events, [], 'no partition was acquired while another member held it');
  await all[0].m.balance();
  assert.deepEqual(all[0].m.members, ['n0', 'n1'], 'each member once');

  // Member 0 vanishes: its connection is cut, nothing is released.
  const vanished = Date.now();
  const held = [...all[0].owned];
  await ncs[0].close();
  await until(() => held.every((p) => !all[0].m.holds(p)), 'the vanished member stops holding (fencing)', ttlMs * 2);
  const fencedAfter = Date.now() - vanished;
  await until(() => all[1].owned.size === P, 'the survivor takes over everything', ttlMs * 6);
  const takenAfter = Date.now() - vanished;
  t.diagnostic(`fenced after ${fencedAfter} ms, taken over after ${takenAfter} ms (TTL ${ttlMs} ms)`);
  assert.ok(fencedAfter < ttlMs, 'the old owner let go before its lease could expire');
  await all[1].m.stop();
  assert.equal(all[1].owned.size, 0);
});
