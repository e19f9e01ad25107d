import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MinuteBatch, MinuteCount } from '../domain/types.ts';
import { sqliteStore } from '../store/open.ts';
import { Engine, type EngineOptions, type EvaluationEvent } from './engine.ts';
import { VirtualClock } from '../domain/clock.ts';

const M0 = Date.UTC(2025, 6, 1, 10, 0) / 60_000;
const end = (m: number) => (m + 1) * 60_000;
const GRACE = 90_000;

function batch(minute: number, counts: Record<string, number>, scope = 'all'): MinuteBatch {
  const rows: MinuteCount[] = Object.entries(counts).map(([status, count]) => ({ scope, minute, status, count }));
  return { counts: rows, authCodes: [], raw: [] };
}
const merge = (...bs: MinuteBatch[]): MinuteBatch => ({ counts: bs.flatMap((b) => b.counts), authCodes: bs.flatMap((b) => b.authCodes), raw: bs.flatMap((b) => b.raw) });
const normal = (i: number) => ({ approved: 110 + (i % 7), denied: 6 + (i % 3), failed: 0 });

describe('Engine', () => {
  let store: ReturnType<typeof sqliteStore>;
  let clock: VirtualClock;
  let engine: Engine;
  const make = async (opts: Partial<EngineOptions> = {}) => {
    const e = new Engine({ store, clock, graceMs: GRACE, ...opts });
    await e.start();
    return e;
  };
  beforeEach(async () => {
    store = sqliteStore(':memory:');
    await store.migrate();
    clock = new VirtualClock(end(M0)); // never past any grace period unless a test moves it
    engine = await make();
  });
  afterEach(async () => store.close());

  test('watermark: a later minute closes the earlier ones', async () => {
    const a = await engine.ingest(batch(M0, { approved: 100 }));
    assert.deepEqual(a.evaluated, []);
    assert.equal(a.provisional.length, 1);
    assert.equal(a.provisional[0].minute, M0);
    const b = await engine.ingest(batch(M0 + 1, { approved: 101 }));
    assert.deepEqual(b.evaluated.map((x) => x.minute), [M0]);
    assert.equal(b.evaluated[0].metrics.counts.approved, 100);
    assert.deepEqual(b.provisional, [], 'a completed minute: no provisional view');
    assert.equal(engine.lastEvaluated('all'), M0);
  });

  test('all statuses of the previous minute in one batch complete the minute', async () => {
    await engine.ingest(merge(batch(M0, normal(0)), batch(M0 + 1, normal(1))));
    assert.equal(engine.lastEvaluated('all'), M0);
    const full = await engine.ingest(batch(M0 + 2, normal(2)));
    assert.deepEqual(full.evaluated.map((x) => x.minute), [M0 + 1, M0 + 2]);
    // Statuses spread over two batches: the minute waits.
    const part1 = await engine.ingest(batch(M0 + 3, { approved: 100, denied: 5 }));
    assert.deepEqual(part1.evaluated, []);
    const part2 = await engine.ingest(batch(M0 + 3, { failed: 0 }));
    assert.deepEqual(part2.evaluated, [], 'not all in one batch');
    assert.equal(part2.provisional[0].metrics.counts.approved, 100, 'the provisional view holds both parts');
  });

  test('a minute declared complete (flag or CSV completeMinutes) is evaluated at once', async () => {
    const flagged = await engine.ingest(batch(M0, { approved: 10 }), { complete: true });
    assert.deepEqual(flagged.evaluated.map((x) => x.minute), [M0]);
    const b = batch(M0 + 1, { approved: 11 });
    b.completeMinutes = new Map([['all', new Set([M0 + 1])]]);
    assert.deepEqual((await engine.ingest(b)).evaluated.map((x) => x.minute), [M0 + 1]);
    const other = batch(M0 + 2, { denied: 12 }); // not every status of the previous minute
    other.completeMinutes = new Map([['elsewhere', new Set([M0 + 2])]]);
    assert.deepEqual((await engine.ingest(other)).evaluated, [], 'a declaration for another scope does not count');
  });

  test('grace period on the virtual clock: tick closes a minute grace after its end', async () => {
    await engine.ingest(batch(M0, { approved: 100 }));
    clock.set(end(M0) + GRACE - 1);
    assert.deepEqual((await engine.tick()).assessments, []);
    clock.set(end(M0) + GRACE);
    const ev = await engine.tick();
    assert.deepEqual(ev.assessments.map((a) => a.minute), [M0]);
    assert.deepEqual((await engine.tick()).assessments, [], 'evaluated once');
  });

  test('grace also closes minutes during an ingest of another minute of the scope', async () => {
    await engine.ingest(batch(M0, { approved: 100 }));
    clock.set(end(M0) + GRACE + 1);
    // A second scope does not close this one; a new minute of the same scope does (watermark anyway).
    const other = await engine.ingest(batch(M0, { approved: 1 }, 'pos-2'));
    assert.ok(other.evaluated.every((a) => a.scope === 'pos-2'));
    assert.equal(engine.lastEvaluated('all'), null);
  });

  test('each minute is evaluated exactly once under concurrent requests', async () => {
    const seen: number[] = [];
    engine.onEvaluated((e) => seen.push(...e.assessments.map((a) => a.minute)));
    const work = [];
    for (let i = 0; i < 20; i++) {
      work.push(engine.ingest(batch(M0 + i, normal(i))));
      work.push(engine.ingest(batch(M0 + Math.max(0, i - 1), normal(i))));
    }
    await Promise.all(work);
    await engine.flush();
    assert.deepEqual(seen, Array.from({ length: 20 }, (_, i) => M0 + i));
    assert.equal((await store.stats()).assessments, 20);
    assert.equal(engine.minutesEvaluated, 20);
  });

  test('late data is stored but not re-evaluated', async () => {
    await engine.ingest(batch(M0, { approved: 100 }), { complete: true });
    const late = await engine.ingest(batch(M0, { approved: 5, failed: 50 }));
    assert.deepEqual(late.late, [{ scope: 'all', minute: M0 }]);
    assert.deepEqual(late.evaluated, []);
    assert.deepEqual(late.provisional, []);
    const rows = await store.readCounts('all', M0, M0 + 1);
    assert.deepEqual(rows.map((r) => [r.status, r.count]), [['approved', 5], ['failed', 50]]);
    assert.equal((await store.stats()).assessments, 1);
    assert.equal((await store.listAssessments({})).at(0)!.metrics.counts.approved, 100, 'the assessment is the original one');
  });

  test('gaps become no-data minutes; long gaps are cut to maxGapMinutes', async () => {
    await engine.ingest(batch(M0, { approved: 1 }), { complete: true });
    const out = await engine.ingest(batch(M0 + 4, { approved: 2 }), { complete: true });
    assert.deepEqual(out.evaluated.map((a) => [a.minute - M0, a.hasData]), [[1, false], [2, false], [3, false], [4, true]]);
    assert.equal(out.evaluated[0].explanation, 'no data received for this minute');

    const short = await make({ maxGapMinutes: 2 });
    await short.ingest(batch(M0 + 100, { approved: 1 }, 's'), { complete: true });
    const cut = await short.ingest(batch(M0 + 110, { approved: 1 }, 's'), { complete: true });
    assert.deepEqual(cut.evaluated.map((a) => a.minute - M0), [108, 109, 110]);
  });

  test('scopes are independent', async () => {
    await engine.ingest(merge(batch(M0, { approved: 1 }, 'a'), batch(M0, { approved: 2 }, 'b')));
    const out = await engine.ingest(batch(M0 + 1, { approved: 1 }, 'a'));
    assert.deepEqual(out.evaluated.map((x) => x.scope), ['a']);
    assert.deepEqual(engine.scopeNames(), ['a', 'b']);
    assert.equal(engine.lastEvaluated('b'), null);
  });

  test('flush closes every pending minute (end of a file)', async () => {
    await engine.ingest(merge(batch(M0, { approved: 1 }), batch(M0 + 1, { approved: 1 }), batch(M0, { approved: 3 }, 'x')));
    const ev = await engine.flush();
    assert.deepEqual(ev.assessments.map((a) => `${a.scope}@${a.minute - M0}`).sort(), ['all@1', 'x@0']);
    assert.deepEqual((await engine.flush()).assessments, []);
  });

  test('raw transactions: counted once per id, also across requests', async () => {
    const tx = (id: string, minute: number, status: string) => ({ id, scope: 'all', minute, at: minute * 60_000 + 5_000, status });
    const a = await engine.ingest({ counts: [], authCodes: [], raw: [tx('1', M0, 'approved'), tx('2', M0, 'approved')] });
    assert.equal(a.written.rawAccepted, 2);
    const b = await engine.ingest({ counts: [], authCodes: [], raw: [tx('2', M0, 'approved'), tx('3', M0, 'denied')] });
    assert.deepEqual([b.written.rawAccepted, b.written.rawDuplicates], [1, 1]);
    assert.deepEqual(b.provisional[0].metrics.counts, { approved: 2, denied: 1 });
    const c = await engine.ingest({ counts: [], authCodes: [], raw: [tx('4', M0 + 1, 'approved')] });
    assert.deepEqual(c.evaluated[0].metrics.counts, { approved: 2, denied: 1 });
  });

  test('an anomalous minute raises an alert once, and the listener sees the transition', async () => {
    const events: EvaluationEvent[] = [];
    engine.onEvaluated((e) => events.push(e));
    for (let i = 0; i < 60; i++) await engine.ingest(batch(M0 + i, normal(i)), { complete: true });
    const spike = await engine.ingest(batch(M0 + 60, { ...normal(60), failed: 40 }), { complete: true });
    const failedAlerts = spike.alerts.filter((a) => a.labels.status === 'failed');
    assert.ok(failedAlerts.length > 0, 'failed alert raised');
    assert.ok(failedAlerts.every((a) => a.id > 0 && a.state === 'firing'));
    const newOnes = events.flatMap((e) => e.transitions).filter((t) => t.from === null && t.alert.labels.status === 'failed');
    assert.equal(newOnes.length, failedAlerts.length);
    // Re-sent: late, no new alert.
    const again = await engine.ingest(batch(M0 + 60, { ...normal(60), failed: 40 }), { complete: true });
    assert.deepEqual(again.alerts, []);
    assert.equal((await store.listAlerts({})).filter((a) => a.labels.status === 'failed').length, failedAlerts.length);
  });

  test('start() rebuilds from the store: last evaluated minute, pending minutes, open alerts', async () => {
    for (let i = 0; i < 40; i++) await engine.ingest(batch(M0 + i, normal(i)), { complete: true });
    await engine.ingest(batch(M0 + 40, { ...normal(40), failed: 40 }), { complete: true });
    await engine.ingest(batch(M0 + 41, { approved: 99 }));
    const open = (await store.openAlerts()).length;
    assert.ok(open > 0);

    const again = await make();
    assert.equal(again.lastEvaluated('all'), M0 + 40);
    assert.deepEqual(again.lifecycle.openAlerts().map((a) => a.id).sort(), (await store.openAlerts()).map((a) => a.id).sort());
    const out = await again.ingest(batch(M0 + 42, normal(42)));
    assert.deepEqual(out.evaluated.map((a) => a.minute), [M0 + 41, M0 + 42], 'the pending minute was reloaded');
    assert.equal(out.evaluated[0].metrics.counts.approved, 99);
    assert.equal((await store.stats()).alerts, (await store.listAlerts({})).length);
    assert.ok(!out.alerts.some((a) => a.labels.status === 'failed' && a.startsAt === end(M0 + 41)), 'no duplicate failed alert');
  });
});
