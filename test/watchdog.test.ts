/**
 * Knowing when txmon itself is down, and reloading its alerting configuration:
 * the always-firing Watchdog alert routed to a dead man's switch and repeated, the heartbeat
 * request while evaluations flow (and not when they stop), POST /-/reload validating first, and
 * SIGHUP on a real `txmon serve --config` process.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { startHttpSink } from '../src/notify/channels/test-sink.ts';
import type { VirtualClock } from '../src/domain/clock.ts';
import { get, minuteRows, normalMinute, post, startServer, warmupRows } from './helpers/server.ts';
import { freePort, waitFor } from './helpers/external.ts';

const T0 = Date.UTC(2025, 6, 1, 10, 0);
const ROOT = new URL('..', import.meta.url).pathname;

describe('watchdog, heartbeat and reload', () => {
  test('the Watchdog alert always fires, goes only where its route sends it, repeats every repeat_interval, and is listed by /api/v2/alerts', async (t) => {
    const sink = await startHttpSink();
    t.after(() => sink.close());
    const srv = await startServer({
      config: {
        alerting: {
          watchdog: { enabled: true },
          receivers: [{ name: 'people', webhook_configs: [{ url: `${sink.url}/people` }] }, { name: 'deadman', webhook_configs: [{ url: `${sink.url}/deadman` }] }],
          route: {
            receiver: 'people', group_wait: '0s',
            routes: [{ receiver: 'deadman', matchers: ['alertname="Watchdog"'], group_wait: '0s', group_interval: '1m', repeat_interval: '5m' }],
          },
        },
      },
    });
    t.after(() => srv.close());
    await waitFor('the Watchdog notification', async () => sink.requests.length >= 1, 5000);
    const first = sink.requests[0];
    assert.equal(first.path, '/deadman');
    const body = first.body as { status: string; alerts: Array<{ labels: Record<string, string>; status: string }> };
    assert.equal(body.status, 'firing');
    assert.deepEqual(body.alerts[0].labels, { alertname: 'Watchdog', severity: 'none' });
    const listed = (await get(srv.url, '/api/v2/alerts')).body;
    assert.ok(listed.some((a: { labels: Record<string, string> }) => a.labels.alertname === 'Watchdog'));

    (srv.clock as VirtualClock).advance(5 * 60_000);
    await srv.service.ctx.notifications!.flush();
    await waitFor('the repeated Watchdog notification', async () => sink.requests.length >= 2, 5000);
    assert.ok(sink.requests.every((r) => r.path === '/deadman'), 'nothing to people');
  });

  test('heartbeat: requested every heartbeat_interval while minutes are evaluated, not before, and not after they stop', async (t) => {
    const sink = await startHttpSink();
    t.after(() => sink.close());
    const srv = await startServer({
      config: {
        engine: { tick_seconds: 0.1 },
        alerting: { watchdog: { heartbeat_url: `${sink.url}/ping/abc`, heartbeat_interval: '300ms', max_evaluation_age: '1500ms' } },
      },
    });
    t.after(() => srv.close());
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(sink.requests.length, 0, 'no heartbeat before any minute was evaluated');
    assert.equal((await post(srv.url, '/api/v1/transactions?complete=true', warmupRows(T0, 5))).status, 200);
    await waitFor('two heartbeats', async () => sink.requests.length >= 2, 5000);
    assert.equal(sink.requests[0].method, 'GET');
    assert.equal(sink.requests[0].path, '/ping/abc');
    // No more evaluations: the heartbeat stops once the last one is older than max_evaluation_age.
    await new Promise((r) => setTimeout(r, 1800));
    const stopped = sink.requests.length;
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(sink.requests.length, stopped, 'no heartbeat while no minute is evaluated');
    // Data flows again: so do the heartbeats.
    await post(srv.url, '/api/v1/transactions?complete=true', minuteRows(T0 + 5 * 60_000, normalMinute(5)));
    await waitFor('heartbeats again', async () => sink.requests.length > stopped, 5000);
  });

  test('POST /-/reload swaps the alerting config after validating it; a bad config is refused and changes nothing', async (t) => {
    const sink = await startHttpSink();
    t.after(() => sink.close());
    const alerting = (path: string, receiver = 'hook') => ({
      receivers: [{ name: 'hook', webhook_configs: [{ url: `${sink.url}/${path}` }] }],
      route: { receiver, group_wait: '0s', group_interval: '1m' },
    });
    let next: Record<string, unknown> = { alerting: alerting('first') };
    const srv = await startServer({ config: { alerting: alerting('first') }, reloadConfig: () => next });
    t.after(() => srv.close());

    next = { alerting: alerting('second') };
    const ok = await post(srv.url, '/-/reload', {});
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.status, 'reloaded');
    assert.deepEqual(ok.body.receivers, ['hook']);

    next = { alerting: alerting('third', 'nobody') };
    const bad = await post(srv.url, '/-/reload', {});
    assert.equal(bad.status, 500); // the server's configuration is wrong, not the request (docs/errors.md)
    assert.equal(bad.body.error.code, 'TXMON_ERR_CONFIG');
    assert.match(bad.body.error.message, /receiver "nobody" is not defined/);

    // The second config is the one in force: an alert goes to /second.
    assert.equal((await post(srv.url, '/api/v1/transactions', warmupRows(T0, 90))).status, 200);
    for (const i of [90, 91]) await post(srv.url, '/api/v1/transactions', minuteRows(T0 + i * 60_000, { ...normalMinute(i), failed: 40, approved: 5 }));
    await waitFor('a notification', async () => sink.requests.length > 0, 5000);
    assert.ok(sink.requests.every((r) => r.path === '/second'), JSON.stringify(sink.requests.map((r) => r.path)));

    const noSource = await startServer();
    t.after(() => noSource.close());
    assert.equal((await post(noSource.url, '/-/reload', {})).status, 409);
  });

  test('SIGHUP makes a running `txmon serve --config` reload its alerting section (and refuse a broken file)', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'txmon-hup-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const port = await freePort();
    const file = join(dir, 'txmon.yaml');
    const write = (receiver: string) => writeFileSync(file, toYaml({
      server: { port, host: '127.0.0.1' },
      store: { url: join(dir, 'txmon.db') },
      alerting: { receivers: [{ name: receiver }], route: { receiver } },
    }));
    write('before');
    const proc = spawn(process.execPath, [join(ROOT, 'bin/txmon.js'), 'serve', '--config', file, '--log-level', 'info'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    proc.stderr.on('data', (b: Buffer) => { out += b.toString(); });
    t.after(() => new Promise<void>((resolve) => {
      if (proc.exitCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    }));
    const url = `http://127.0.0.1:${port}`;
    const receivers = async () => (await get(url, '/api/v2/receivers')).body.map((r: { name: string }) => r.name);
    await waitFor('txmon serve to listen', async () => (await receivers()).length > 0, 30_000).catch((err) => { throw new Error(`${err.message}\n${out}`); });
    assert.deepEqual(await receivers(), ['before']);

    write('after');
    proc.kill('SIGHUP');
    await waitFor('the reload', async () => (await receivers())[0] === 'after', 10_000).catch((err) => { throw new Error(`${err.message}\n${out}`); });

    writeFileSync(file, 'alerting: {receivers: [{name: x}], route: {receiver: y}}\n');
    proc.kill('SIGHUP');
    await waitFor('the refusal in the log', async () => /reload refused/.test(out), 10_000);
    assert.deepEqual(await receivers(), ['after']);
    assert.equal(proc.exitCode, null, 'still running');
  });
});
