/**
 * Bounded memory (issue #13 item 3): idle scopes leave memory and are rebuilt from the store when
 * they return, with exactly the verdicts a never-evicted engine gives; their Prometheus series go
 * with them; caps on scopes and statuses per scope answer 422 and store nothing. Memory per active
 * scope is measured and reported.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { get, minuteRows, normalMinute, post, startServer, warmupRows } from './helpers/server.ts';
import type { VirtualClock } from '../src/domain/clock.ts';

const T0 = Date.UTC(2025, 6, 1, 10, 0);
const min = (i: number) => T0 + i * 60_000;

test('an idle scope is evicted and rebuilt from the store: same verdicts as an engine that kept it; its metric series goes', async (t) => {
  const start = min(200) + 4 * 3_600_000;
  const evicting = await startServer({ clockStart: min(0), config: { engine: { idle_scope_minutes: 60, tick_seconds: 3600 } } });
  const keeping = await startServer({ clockStart: min(0), config: { engine: { idle_scope_minutes: 100_000, tick_seconds: 3600 } } });
  t.after(() => Promise.all([evicting.close(), keeping.close()]));
  for (const srv of [evicting, keeping]) {
    for (const scope of ['pos-a', 'pos-b']) assert.equal((await post(srv.url, '/api/v1/transactions', warmupRows(T0, 120, scope))).status, 200);
    (srv.clock as VirtualClock).set(start);
    await srv.service.ctx.engine.tick(); // closes each scope's last minute by grace
    await srv.service.ctx.engine.tick(); // nothing pending: idle scopes leave
  }
  assert.deepEqual(evicting.service.ctx.engine.scopeCounts(), { active: 0, evicted: 2 });
  assert.deepEqual(keeping.service.ctx.engine.scopeCounts(), { active: 2, evicted: 0 });
  assert.doesNotMatch((await get(evicting.url, '/metrics')).text, /txmon_anomaly_score\{scope="pos-a"\}/);
  assert.match((await get(keeping.url, '/metrics')).text, /txmon_anomaly_score\{scope="pos-a"\}/);
  assert.equal((await get(evicting.url, '/health')).body.scopes_idle, 2);

  // pos-a returns (a normal minute, then a failed spike): verdicts equal to the engine that kept it.
  const answers: unknown[][] = [[], []];
  for (const [k, srv] of [evicting, keeping].entries()) {
    for (const [i, counts] of [[120, normalMinute(120)], [121, { ...normalMinute(121), failed: 40 }], [122, normalMinute(122)]] as const) {
      const res = await post(srv.url, '/api/v1/transactions', minuteRows(min(i), counts, 'pos-a'));
      assert.equal(res.status, 200);
      answers[k].push(res.body.minutes.map((m: { minute: string; anomaly_score: number; severity: string; alerts: unknown[] }) => [m.minute, m.anomaly_score, m.severity, m.alerts]));
    }
  }
  assert.deepEqual(answers[0], answers[1]);
  assert.ok(JSON.stringify(answers[0]).includes('critical') || JSON.stringify(answers[0]).includes('warning'), 'the spike alerts after the rebuild');
  assert.deepEqual(evicting.service.ctx.engine.scopeCounts(), { active: 1, evicted: 1 });
  // The same baselines (a rebuilt scope lists its series in the store's status order).
  const sorted = (s: Array<{ metric: string; status: string }>) => [...s].sort((x, y) => `${x.metric}:${x.status}`.localeCompare(`${y.metric}:${y.status}`));
  assert.deepEqual(sorted((await get(evicting.url, '/api/v1/baseline?scope=pos-a')).body.series), sorted((await get(keeping.url, '/api/v1/baseline?scope=pos-a')).body.series));
});

test('caps: a new scope past limits.max_scopes and a status past limits.max_statuses_per_scope are 422, nothing stored', async (t) => {
  const srv = await startServer({ config: { limits: { max_scopes: 3, max_statuses_per_scope: 4 } } });
  t.after(() => srv.close());
  const row = (scope: string, status = 'approved', i = 0) => ({ timestamp: new Date(min(i)).toISOString(), status, count: 1, scope });
  assert.equal((await post(srv.url, '/api/v1/transactions', [row('a'), row('b'), row('c')])).status, 200);
  const before = await srv.service.ctx.store.stats();
  const more = await post(srv.url, '/api/v1/transactions', [row('a', 'approved', 1), row('d', 'approved', 1)]);
  assert.equal(more.status, 422);
  assert.equal(more.body.error.code, 'TXMON_ERR_LIMIT');
  assert.match(more.body.error.message, /adds 1 new scope\(s\) to the 3 stored; at most 3 scopes \(limits\.max_scopes\)/);
  assert.equal((await post(srv.url, '/api/v1/transactions', [row('a', 'denied', 1), row('a', 'failed', 1), row('a', 'reversed', 1)])).status, 200);
  const fifth = await post(srv.url, '/api/v1/transactions', [row('a', 'weird', 2)]);
  assert.equal(fifth.status, 422);
  assert.match(fifth.body.error.message, /scope "a" would have 5 distinct statuses \(4 stored, 1 new: weird\); at most 4 per scope/);
  const raw = await post(srv.url, '/api/v1/transactions/raw', [{ id: 'x', timestamp: new Date(min(3)).toISOString(), status: 'odd', scope: 'a' }]);
  assert.equal(raw.status, 422);
  const after = await srv.service.ctx.store.stats();
  assert.equal(after.countRows, before.countRows + 3);
  assert.equal(after.rawRows, 0);
  // A restarted service counts what is stored.
  await srv.close({ keepStore: true });
  const again = await startServer({ storeUrl: srv.storeUrl, config: { limits: { max_scopes: 3, max_statuses_per_scope: 4 } } });
  t.after(() => again.close());
  assert.equal((await post(again.url, '/api/v1/transactions', [row('e', 'approved', 5)])).status, 422);
  assert.equal((await post(again.url, '/api/v1/transactions', [row('a', 'weird', 5)])).status, 422);
  assert.equal((await post(again.url, '/api/v1/transactions', [row('b', 'denied', 5)])).status, 200);
});

test('memory per active scope, and what eviction gives back (measured, reported)', async (t) => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const heap = () => { gc(); gc(); return process.memoryUsage().heapUsed; };
  const SCOPES = 200;
  const srv = await startServer({ clockStart: min(0), config: { engine: { idle_scope_minutes: 60, tick_seconds: 3600 }, limits: { max_scopes_per_request: 100 } } });
  t.after(() => srv.close());
  const base = heap();
  for (let s = 0; s < SCOPES; s += 50) {
    const rows = [];
    for (let k = s; k < s + 50; k++) rows.push(...warmupRows(T0, 60, `m-${k}`));
    assert.equal((await post(srv.url, '/api/v1/transactions', rows)).status, 200);
  }
  const loaded = heap();
  (srv.clock as VirtualClock).set(min(60) + 4 * 3_600_000);
  await srv.service.ctx.engine.tick();
  await srv.service.ctx.engine.tick();
  assert.equal(srv.service.ctx.engine.scopeCounts().evicted, SCOPES);
  const evicted = heap();
  const perScope = (loaded - base) / SCOPES / 1024;
  t.diagnostic(`heap growth per scope loaded (60 evaluated minutes, 6 statuses): ${perScope.toFixed(1)} KB, of which eviction frees ${((loaded - evicted) / SCOPES / 1024).toFixed(1)} KB (engine and model state); ` +
    `the rest is not freed by eviction: of it, the live-event replay buffer (bounded: 1000 events, 16 MB) holds ${(srv.service.ctx.events.bufferedBytes / SCOPES / 1024).toFixed(1)} KB per scope of JSON; ` +
    'the remainder (per-scope metric series, caches, names) is not attributed in detail');
  assert.ok(evicted < loaded, 'eviction frees memory');
});
