import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Alert, AlertChange, Assessment, MinuteBatch } from '../domain/types.ts';
import { Engine } from '../engine/engine.ts';
import { VirtualClock } from '../domain/clock.ts';
import { MemoryStore } from './memoryStore.ts';

const batch = (rows: Array<[string, number, string, number]>, codes: Array<[string, number, string, number]> = []): MinuteBatch => ({
  counts: rows.map(([scope, minute, status, count]) => ({ scope, minute, status, count })),
  authCodes: codes.map(([scope, minute, authCode, count]) => ({ scope, minute, authCode, count })),
  raw: [],
});

function alert(fingerprint: string, state: Alert['state'], id = 0): Alert {
  return {
    id, fingerprint, rule: 'failed_high', labels: { alertname: 'failed_high', scope: 'all', status: 'failed', metric: 'count' },
    state, severity: 'warning', score: 50, observed: 5, expected: 0.1, summary: 's', explanation: 'e', startsAt: 60_000, endsAt: null, updatedAt: 120_000, lastMinute: 1,
  };
}

const assessment = (scope: string, minute: number): Assessment => ({
  scope, minute, anomalyScore: 0, severity: 'none', findings: [], metrics: { total: 0, counts: {}, shares: {} }, explanation: '', hasData: true,
});

test('counts replace earlier values and read back by range in (minute, key) order', async () => {
  const s = new MemoryStore();
  const w = await s.writeBatch(batch([['all', 11, 'failed', 1], ['all', 10, 'denied', 2], ['all', 10, 'approved', 9]], [['all', 10, '51', 2]]));
  assert.deepEqual(w, { counts: 3, authCodes: 1, rawAccepted: 0, rawDuplicates: 0 });
  await s.writeBatch(batch([['all', 10, 'denied', 3], ['pos', 10, 'approved', 1]]));
  assert.deepEqual(await s.readCounts('all', 10, 12), [
    { scope: 'all', minute: 10, status: 'approved', count: 9 },
    { scope: 'all', minute: 10, status: 'denied', count: 3 },
    { scope: 'all', minute: 11, status: 'failed', count: 1 },
  ]);
  assert.deepEqual(await s.readCounts('all', 11, 12), [{ scope: 'all', minute: 11, status: 'failed', count: 1 }]);
  assert.deepEqual(await s.readAuthCodes('all', 0, 100), [{ scope: 'all', minute: 10, authCode: '51', count: 2 }]);
  assert.deepEqual(await s.readCounts('nope', 0, 100), []);
  assert.deepEqual(await s.listScopes(), [
    { scope: 'all', firstMinute: 10, lastMinute: 11, lastEvaluated: null },
    { scope: 'pos', firstMinute: 10, lastMinute: 10, lastEvaluated: null },
  ]);
  await s.saveEvaluation([assessment('all', 10), assessment('all', 11)], []);
  assert.equal((await s.listScopes())[0].lastEvaluated, 11);
});

test('raw transactions are deduplicated by id and folded into counts', async () => {
  const s = new MemoryStore();
  const raw = (id: string, status: string, authCode?: string) => ({ id, scope: 'all', minute: 5, at: 300_000, status, authCode });
  const r = await s.writeBatch({ counts: [], authCodes: [], raw: [raw('a', 'approved', '00'), raw('b', 'approved', '00'), raw('a', 'approved', '00'), raw('c', 'denied')] });
  assert.deepEqual(r, { counts: 0, authCodes: 0, rawAccepted: 3, rawDuplicates: 1 });
  assert.deepEqual((await s.readCounts('all', 5, 6)).map((c) => [c.status, c.count]), [['approved', 2], ['denied', 1]]);
  assert.deepEqual((await s.readAuthCodes('all', 5, 6)).map((c) => [c.authCode, c.count]), [['00', 2]]);
});

test('alerts get ids, one evaluation may create and update the same alert, open alerts are tracked', async () => {
  const s = new MemoryStore();
  const changes: AlertChange[] = [
    { alert: alert('fp1', 'pending'), transition: { from: null, to: 'pending', at: 120_000, note: 'new' } },
    { alert: alert('fp1', 'firing'), transition: { from: 'pending', to: 'firing', at: 180_000, note: 'held' } },
    { alert: alert('fp2', 'firing'), transition: { from: null, to: 'firing', at: 180_000, note: 'new' } },
  ];
  const saved = await s.saveEvaluation([], changes);
  assert.deepEqual(saved.map((a) => [a.id, a.state]), [[1, 'pending'], [1, 'firing'], [2, 'firing']]);
  assert.deepEqual((await s.openAlerts()).map((a) => a.id), [1, 2]);
  await s.saveEvaluation([], [{ alert: { ...saved[1], state: 'resolved', endsAt: 240_000 }, transition: { from: 'firing', to: 'resolved', at: 300_000, note: 'normal' } }]);
  assert.deepEqual((await s.openAlerts()).map((a) => a.id), [2]);
  assert.equal((await s.getAlert(1))!.state, 'resolved');
  assert.deepEqual((await s.alertHistory(1)).map((t) => [t.from, t.to]), [[null, 'pending'], ['pending', 'firing'], ['firing', 'resolved']]);
  // A resolved fingerprint that alerts again gets a new id.
  const again = await s.saveEvaluation([], [{ alert: alert('fp1', 'firing'), transition: { from: null, to: 'firing', at: 400_000, note: 'new' } }]);
  assert.equal(again[0].id, 3);
  assert.equal(s.stats().alerts, 3);
});

test('retention drops minutes older than the window behind each scope, oldest first', async () => {
  const s = new MemoryStore({ retainMinutes: 3 });
  for (let m = 0; m < 10; m++) await s.writeBatch(batch([['all', m, 'approved', m]]));
  assert.deepEqual((await s.readCounts('all', 0, 100)).map((c) => c.minute), [6, 7, 8, 9]);
  assert.equal(s.stats().minutesKept, 4);
  assert.deepEqual((await s.listScopes())[0], { scope: 'all', firstMinute: 0, lastMinute: 9, lastEvaluated: null });
  assert.throws(() => new MemoryStore({ retainMinutes: -1 }), /retainMinutes/);
});

test('an engine restarted on the store rebuilds from it: same scopes, open alerts kept, no minute judged twice', async () => {
  const store = new MemoryStore();
  const clock = new VirtualClock(0);
  const minute = (m: number, failed: number): MinuteBatch => batch([['all', m, 'approved', 100], ['all', m, 'denied', 5], ['all', m, 'failed', failed]]);
  const run = async (engine: Engine, from: number, to: number, failedAt: (m: number) => number) => {
    const seen: number[] = [];
    engine.onEvaluated((e) => seen.push(...e.assessments.map((a) => a.minute)));
    for (let m = from; m < to; m++) {
      clock.set((m + 1) * 60_000);
      await engine.ingest(minute(m, failedAt(m)), { complete: true });
    }
    return seen;
  };
  const spike = (m: number) => (m >= 170 && m < 200 ? 40 : 0);
  const first = new Engine({ store, clock });
  await first.start();
  const judged1 = await run(first, 0, 180, spike);
  assert.deepEqual(judged1, Array.from({ length: 180 }, (_, i) => i));
  const open = await store.openAlerts();
  assert.ok(open.some((a) => a.state === 'firing'), 'a 40-failure spike fires');
  assert.equal((await store.listScopes())[0].lastEvaluated, 179);

  const second = new Engine({ store, clock });
  await second.start();
  assert.deepEqual(second.lifecycle.openAlerts().map((a) => a.id).sort(), open.map((a) => a.id).sort());
  const newAlerts: number[] = [];
  second.onEvaluated((e) => newAlerts.push(...e.transitions.filter((t) => t.from === null).map((t) => t.alert.id)));
  const judged2 = await run(second, 180, 190, spike);
  assert.deepEqual(judged2, Array.from({ length: 10 }, (_, i) => 180 + i), 'continues after the last evaluated minute');
  const openIds = new Set(open.map((a) => a.fingerprint));
  const stillOpen = (await store.openAlerts()).filter((a) => openIds.has(a.fingerprint));
  assert.ok(stillOpen.every((a) => open.some((o) => o.id === a.id)), 'the alert open before the restart is continued, not raised again');
  assert.ok(newAlerts.every((id) => !open.some((o) => o.id === id)));
});
