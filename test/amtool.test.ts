/**
 * txmon's Alertmanager v2 API (src/api/routes/alertmanager.ts) driven by Debian's REAL `amtool`
 * (package prometheus-alertmanager): list alerts, add, query, update and expire silences, show
 * the config — as an operator does with `amtool --alertmanager.url=http://txmon:8080`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { wallClock } from '../src/domain/clock.ts';
import { get, minuteRows, normalMinute, post, startServer, warmupRows, type TestServer } from './helpers/server.ts';
import { AMTOOL, missing, runCommand, versionOf } from './helpers/external.ts';

// Recent data on the wall clock: amtool stamps silences with its own time.
const NOW = Math.floor(Date.now() / 60_000) * 60_000;
const WARM = 90;
const T0 = NOW - WARM * 60_000; // the spike minute is the current one: no grace period closes minutes early
const min = (i: number) => T0 + i * 60_000;

describe('Alertmanager v2 API with the real amtool', { skip: missing(AMTOOL, 'amtool', 'prometheus-alertmanager') }, () => {
  let srv: TestServer;
  let version = '';
  const amtool = async (...args: string[]) => {
    const r = await runCommand(AMTOOL!, [`--alertmanager.url=${srv.url}`, ...args]);
    assert.equal(r.code, 0, `amtool ${args.join(' ')}: ${r.stdout}${r.stderr}`);
    return r.stdout;
  };
  const json = async (...args: string[]) => JSON.parse(await amtool(...args, '-o', 'json'));

  before(async () => {
    version = await versionOf(AMTOOL!);
    srv = await startServer({
      clock: wallClock,
      config: {
        server: { public_url: 'http://txmon.test' },
        alerting: {
          receivers: [{ name: 'ops' }, { name: 'pager' }],
          route: { receiver: 'ops', group_wait: '0s', routes: [{ receiver: 'pager', matchers: ['severity="critical"'] }] },
        },
      },
    });
    assert.equal((await post(srv.url, '/api/v1/transactions', warmupRows(T0, WARM))).status, 200);
    await post(srv.url, '/api/v1/transactions', minuteRows(min(WARM), { ...normalMinute(WARM), failed: 40, approved: 5 }));
    await post(srv.url, '/api/v1/transactions', minuteRows(min(WARM + 1), { ...normalMinute(WARM + 1), failed: 40, approved: 5 }));
    const firing = (await get(srv.url, '/api/v1/alerts?state=firing')).body.alerts.map((a: { rule: string }) => a.rule);
    assert.ok(firing.includes('failed_high'), JSON.stringify(firing));
  });
  after(async () => { await srv?.close(); });

  test('amtool alert query lists the firing alerts with labels, annotations and receivers', async (t) => {
    t.diagnostic(version);
    const alerts = await json('alert', 'query');
    const failed = alerts.find((a: { labels: Record<string, string> }) => a.labels.alertname === 'failed_high');
    assert.ok(failed, JSON.stringify(alerts));
    assert.equal(failed.labels.scope, 'all');
    assert.equal(failed.labels.severity, 'critical');
    assert.deepEqual(failed.receivers, [{ name: 'pager' }]);
    assert.equal(failed.status.state, 'active');
    assert.match(failed.annotations.summary, /failed/);
    assert.match(failed.generatorURL, /^http:\/\/txmon\.test\/alerts\/\d+$/);
    const filtered = await json('alert', 'query', 'alertname=failed_high');
    assert.deepEqual(filtered.map((a: { labels: Record<string, string> }) => a.labels.alertname), ['failed_high']);
    assert.deepEqual(await json('alert', 'query', 'alertname=nothing_like_this'), []);
    // The simple output is a table with the alert name.
    assert.match(await amtool('alert'), /failed_high/);
  });

  test('amtool silence add / query / update / expire; the alert shows as suppressed by the silence', async () => {
    const id = (await amtool('silence', 'add', 'alertname=failed_high', 'scope=all', '--comment=deploy of the acquirer fix', '--author=oncall', '--duration=2h')).trim();
    assert.match(id, /^[0-9a-f-]{36}$/);

    const silences = await json('silence', 'query');
    const s = silences.find((x: { id: string }) => x.id === id);
    assert.ok(s, JSON.stringify(silences));
    assert.equal(s.status.state, 'active');
    assert.equal(s.createdBy, 'oncall');
    assert.deepEqual(s.matchers.map((m: { name: string; value: string }) => `${m.name}=${m.value}`).sort(), ['alertname=failed_high', 'scope=all']);
    assert.equal((await amtool('silence', 'query', '-q', 'alertname=failed_high')).trim(), id);
    assert.equal((await amtool('silence', 'query', '-q', 'alertname=other')).trim(), '');
    // The same silence through txmon's own API.
    assert.equal((await get(srv.url, `/api/v1/silences/${id}`)).body.status.state, 'active');

    const suppressed = (await json('alert', 'query', '--silenced', 'alertname=failed_high'))[0];
    assert.equal(suppressed?.status.state, 'suppressed');
    assert.deepEqual(suppressed.status.silencedBy, [id]);

    // Update: Alertmanager semantics, the old silence is expired and a new one answers.
    const updated = (await amtool('silence', 'update', id, '--comment=longer window', '--duration=3h')).trim();
    const newId = /[0-9a-f-]{36}/.exec(updated)?.[0] ?? updated;
    const all = await get(srv.url, '/api/v2/silences');
    const byId = new Map(all.body.map((x: { id: string; status: { state: string }; comment: string }) => [x.id, x]));
    if (newId !== id) assert.equal((byId.get(id) as { status: { state: string } }).status.state, 'expired');
    assert.equal((byId.get(newId) as { comment: string }).comment, 'longer window');

    await amtool('silence', 'expire', newId);
    assert.equal((await get(srv.url, `/api/v2/silence/${newId}`)).body.status.state, 'expired');
    const expired = await json('silence', 'query', '--expired');
    assert.ok(expired.some((x: { id: string }) => x.id === newId));
    assert.equal((await amtool('silence', 'query', '-q')).trim(), '');
    const again = (await json('alert', 'query', 'alertname=failed_high'))[0];
    assert.equal(again?.status.state, 'active');
  });

  test('amtool config show reads /api/v2/status; errors are txmon error bodies', async () => {
    const out = await amtool('config', 'show');
    assert.match(out, /receivers:/);
    assert.match(out, /pager/);
    const missingSilence = await get(srv.url, '/api/v2/silence/00000000-0000-0000-0000-000000000000');
    assert.equal(missingSilence.status, 404);
    assert.equal(missingSilence.body.error.code, 'TXMON_ERR_NOT_FOUND');
    const r = await runCommand(AMTOOL!, [`--alertmanager.url=${srv.url}`, 'silence', 'expire', '00000000-0000-0000-0000-000000000000']);
    assert.notEqual(r.code, 0);
    // receiver= is an anchored RE2 regex over the receivers the alert's route sends to.
    const names = async (q: string) => (await get(srv.url, `/api/v2/alerts?${q}`)).body.map((x: { labels: Record<string, string> }) => x.labels.alertname);
    assert.ok((await names('receiver=pag.*')).includes('failed_high'));
    assert.ok(!(await names('receiver=pag')).includes('failed_high'));
    assert.equal((await get(srv.url, `/api/v2/alerts?receiver=${encodeURIComponent('(')}`)).body.error.code, 'TXMON_ERR_BAD_PARAMETER');
  });
});
