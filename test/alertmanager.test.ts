/**
 * The `alertmanager_configs` integration against a REAL Alertmanager (Debian package
 * prometheus-alertmanager, started here on a free port): txmon's firing alert shows in
 * Alertmanager's API with its labels, annotations and generatorURL, stays active while txmon
 * re-posts it, and leaves Alertmanager's active list when txmon resolves it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wallClock } from '../src/domain/clock.ts';
import { get, minuteRows, normalMinute, post, startServer, warmupRows, type TestServer } from './helpers/server.ts';
import { ALERTMANAGER, freePort, missing, startProgram, versionOf, waitFor, type Started } from './helpers/external.ts';

const NOW = Math.floor(Date.now() / 60_000) * 60_000;
const WARM = 90;
const T0 = NOW - WARM * 60_000;
const min = (i: number) => T0 + i * 60_000;
const spike = (i: number) => minuteRows(min(i), { ...normalMinute(i), failed: 40, approved: 5 });

interface AmAlert { labels: Record<string, string>; annotations: Record<string, string>; startsAt: string; endsAt: string; updatedAt: string; generatorURL: string; status: { state: string } }

describe('alertmanager_configs push to a real Alertmanager', { skip: missing(ALERTMANAGER, 'alertmanager', 'prometheus-alertmanager') }, () => {
  let am: Started;
  let amUrl: string;
  let dir: string;
  let srv: TestServer;
  let version = '';
  const amAlerts = async (): Promise<AmAlert[]> => (await (await fetch(`${amUrl}/api/v2/alerts`)).json()) as AmAlert[];
  const failedHigh = async () => (await amAlerts()).find((a) => a.labels.alertname === 'failed_high');

  before(async () => {
    version = await versionOf(ALERTMANAGER!);
    dir = mkdtempSync(join(tmpdir(), 'txmon-am-'));
    writeFileSync(join(dir, 'alertmanager.yml'), 'route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n');
    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}`;
    am = startProgram(ALERTMANAGER!, [
      `--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn',
    ]);
    await waitFor('Alertmanager to answer', async () => (await fetch(`${amUrl}/-/ready`)).ok, 30_000)
      .catch((err) => { throw new Error(`${err.message}\n${am.output()}`); });
    srv = await startServer({
      clock: wallClock,
      config: {
        server: { public_url: 'http://txmon.example:8080' },
        engine: { tick_seconds: 0.2 },
        alerting: {
          receivers: [{ name: 'team-am', alertmanager_configs: [{ urls: [amUrl], resend_interval: '3s' }] }],
          route: { receiver: 'team-am', group_wait: '0s', group_interval: '1s' },
        },
      },
    });
  });
  after(async () => {
    await srv?.close();
    await am?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('firing: labels, annotations, startsAt, generatorURL; kept alive by re-posts; resolved with txmon', async (t) => {
    t.diagnostic(version);
    assert.equal((await post(srv.url, '/api/v1/transactions', warmupRows(T0, WARM))).status, 200);
    await post(srv.url, '/api/v1/transactions', spike(WARM));
    await post(srv.url, '/api/v1/transactions', spike(WARM + 1));
    const mine = (await get(srv.url, '/api/v1/alerts?state=firing')).body.alerts.find((a: { rule: string }) => a.rule === 'failed_high');
    assert.ok(mine, 'txmon fires failed_high');

    const first = await waitFor('failed_high in Alertmanager', failedHigh, 15_000);
    assert.deepEqual(first.labels, { alertname: 'failed_high', scope: 'all', severity: 'critical', status: 'failed' });
    assert.equal(first.status.state, 'active');
    assert.equal(first.startsAt, mine.starts_at ?? mine.startsAt);
    assert.equal(first.generatorURL, `http://txmon.example:8080/alerts/${mine.id}`);
    assert.match(first.annotations.summary, /failed/);
    assert.ok(first.annotations.explanation.length > 0);
    assert.match(first.annotations.observed_vs_expected, /^observed 40 vs expected \S+$/);
    assert.ok(Date.parse(first.endsAt) > Date.now(), 'projected end in the future');

    // Re-posted every resend_interval (3s): Alertmanager's endsAt moves on.
    await waitFor('a re-post moving endsAt', async () => Date.parse((await failedHigh())!.endsAt) > Date.parse(first.endsAt), 15_000);

    // Quiet minutes resolve it in txmon (keep_firing_for 3): Alertmanager drops it from its active alerts.
    for (let i = WARM + 2; i <= WARM + 7; i++) await post(srv.url, '/api/v1/transactions', minuteRows(min(i), normalMinute(i)));
    const resolved = (await get(srv.url, '/api/v1/alerts')).body.alerts.find((a: { id: number }) => a.id === mine.id);
    assert.equal(resolved.state, 'resolved');
    const projected = Date.parse((await failedHigh())?.endsAt ?? new Date().toISOString());
    await waitFor('failed_high resolved in Alertmanager', async () => (await failedHigh()) === undefined, 15_000);
    assert.ok(Date.now() < projected, 'resolved by txmon\'s resolved post, before the projected end would have timed it out');
    const outbox = (await get(srv.url, '/api/v1/notifications')).body.notifications;
    assert.ok(outbox.some((n: { receiver: string; status: string; state: string }) => n.receiver === 'team-am/alertmanager[0]' && n.status === 'resolved' && n.state === 'delivered'), JSON.stringify(outbox));
  });
});
