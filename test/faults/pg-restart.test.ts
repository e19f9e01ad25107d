/**
 * PostgreSQL going away under load (issue #13 item 1). txmon stays up; requests that cannot reach
 * the database get 503 TXMON_ERR_STORE_UNAVAILABLE with Retry-After and no database URL; /health
 * says the store is down; when the database is back, ingest, evaluation and reads resume by
 * themselves, every acknowledged row is stored and every acknowledged minute evaluated once.
 *
 * 1. pg_terminate_backend on every backend of the test's own database (created for it on the
 *    shared server; no other database is touched), repeatedly, in the middle of a load.
 * 2. A cluster the test creates on a free port, stopped (-m fast) and started again mid-load.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get, minuteRows, normalMinute, post, startServer, warmupRows } from '../helpers/server.ts';
import { startHttpSink } from '../../src/notify/channels/test-sink.ts';
import { ownCluster, ownDatabase, terminateBackends } from '../helpers/pgCluster.ts';
import { assertNothingLost, checkUnavailable, startLoad } from './load.ts';

const PG = process.env.TXMON_TEST_PG_URL;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitHealthy(base: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const h = await get(base, '/health');
    if (h.status === 200 && h.body.store.reachable === true) return;
    if (Date.now() > until) assert.fail(`/health still ${h.status} ${h.text}`);
    await sleep(100);
  }
}

test('pg_terminate_backend on every connection of the test database, mid-load: no crash, 503s, nothing lost', { skip: PG ? undefined : 'TXMON_TEST_PG_URL not set', timeout: 120_000 }, async (t) => {
  const db = await ownDatabase(PG!);
  let srv: Awaited<ReturnType<typeof startServer>> | undefined;
  // One hook, in this order: the server lets go of the database before it is dropped.
  t.after(async () => {
    await srv?.close();
    await db.drop();
  });
  srv = await startServer({ storeUrl: db.url, config: { engine: { tick_seconds: 0.2 } } });
  const secrets = [db.url, db.name, '127.0.0.1:5432', 'postgres://'];
  const load = startLoad(srv.url, { workers: 4, prefix: 'term', secrets });
  await sleep(800);
  let terminated = 0;
  for (let k = 0; k < 15; k++) {
    terminated += await terminateBackends(PG!, db.name);
    await sleep(60 + (k % 3) * 40);
  }
  await sleep(800);
  const result = await load.stop();
  t.diagnostic(`requests ${result.requests}, acknowledged minutes ${result.acked.length}, 503 answers ${result.unavailable}, backends terminated ${terminated}`);
  assert.deepEqual(result.bad, [], 'every answer was 200 or a proper 503');
  assert.ok(terminated > 0, 'the test did terminate connections');
  await waitHealthy(srv.url);
  // One more round after the faults: the engine evaluates again (it rebuilt itself if it had to).
  await srv.service.ctx.engine.tick();
  assert.equal(srv.service.ctx.engine.needsRebuild, false);
  await assertNothingLost(srv.service.ctx.store, result.acked);
});

/** Warms a scope up for 90 minutes, then sends a failed spike: one alert, one notification. */
async function raiseAlert(base: string, scope: string): Promise<void> {
  const t0 = Date.UTC(2025, 8, 1, 10, 0);
  for (;;) {
    const r = await post(base, '/api/v1/transactions', warmupRows(t0, 90, scope));
    if (r.status === 200) break;
    await sleep(100); // 503 while the database comes back: send it again
  }
  for (;;) {
    const r = await post(base, '/api/v1/transactions', minuteRows(t0 + 90 * 60_000, { ...normalMinute(90), failed: 40, approved: 5 }, scope));
    if (r.status === 200) { assert.equal(r.body.should_alert, true); return; }
    await sleep(100);
  }
}

test('a PostgreSQL cluster stopped and restarted under load: 503 + Retry-After meanwhile, /health down, everything resumes', { timeout: 180_000 }, async (t) => {
  const cluster = await ownCluster();
  if (typeof cluster === 'string') return t.skip(cluster);
  t.after(() => cluster.destroy());
  // A webhook receiver: the notification worker must deliver before and after the outage.
  const sink = await startHttpSink();
  t.after(() => sink.close());
  const srv = await startServer({
    storeUrl: cluster.url,
    config: {
      engine: { tick_seconds: 0.2 },
      alerting: {
        receivers: [{ name: 'hook', webhook_configs: [{ url: `${sink.url}/hook` }] }],
        route: { receiver: 'hook', group_by: ['alertname', 'scope'], group_wait: '0s', group_interval: '1m', repeat_interval: '4h' },
        delivery: { initial_backoff: '20ms', max_backoff: '200ms', max_attempts: 100 },
      },
    },
  });
  t.after(() => srv.close());
  const notified = (scope: string) => sink.requests.some((r) => (r.body as { groupLabels?: Record<string, string> }).groupLabels?.scope === scope);
  const waitNotified = async (scope: string) => {
    const until = Date.now() + 20_000;
    while (!notified(scope)) {
      if (Date.now() > until) assert.fail(`no notification for ${scope}; got ${sink.requests.length} requests`);
      await sleep(50);
    }
  };
  await raiseAlert(srv.url, 'alert-before');
  await waitNotified('alert-before');
  const secrets = [cluster.url, `127.0.0.1:${cluster.port}`, 'postgres://'];
  const load = startLoad(srv.url, { workers: 3, prefix: 'restart', secrets });
  await sleep(1000);
  const before = load.result.acked.length;

  cluster.stop('fast');
  // While it is down: writes, reads and /health say so, with the error body and no URL.
  const post = await fetch(`${srv.url}/api/v1/transactions`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ timestamp: '2025-07-02T00:00:00Z', status: 'approved', count: 1, scope: 'probe' }),
  });
  assert.equal(checkUnavailable(post.status, await post.text(), post.headers, secrets), null, 'write while down');
  for (const path of ['/api/v1/alerts', '/api/v1/scopes', '/api/v1/dashboard', '/api/v1/silences']) {
    const r = await fetch(srv.url + path);
    assert.equal(checkUnavailable(r.status, await r.text(), r.headers, secrets), null, `read ${path} while down`);
  }
  const health = await get(srv.url, '/health');
  assert.equal(health.status, 503);
  assert.equal(health.body.store.reachable, false);
  await sleep(1500); // the load keeps hammering the dead database, the engine ticks fail

  cluster.start();
  await waitHealthy(srv.url);
  // The notification worker recovered by itself: an alert raised now is delivered.
  await raiseAlert(srv.url, 'alert-after');
  await waitNotified('alert-after');
  await sleep(1000); // the load carries on against the restarted database
  const result = await load.stop();
  t.diagnostic(`requests ${result.requests}, acknowledged minutes ${result.acked.length} (${before} before the stop), 503 answers ${result.unavailable}`);
  assert.deepEqual(result.bad, [], 'every answer was 200 or a proper 503');
  assert.ok(result.unavailable > 0, 'the load saw the outage');
  assert.ok(result.acked.length > before + 3, 'ingest resumed after the restart');
  await srv.service.ctx.engine.tick();
  assert.equal(srv.service.ctx.engine.needsRebuild, false);
  await assertNothingLost(srv.service.ctx.store, result.acked);
  const probe = await fetch(`${srv.url}/api/v1/scopes`);
  assert.equal(probe.status, 200);
});
