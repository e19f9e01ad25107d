/**
 * Every notification link opens a page (issue #18 item 1): the webhook's generatorURL
 * (/alerts/<id>) and /alerts?fingerprint=… answer the alert page; its data endpoint carries the
 * series with the expected band and the alert span, evidence with rounded numbers, history,
 * labels and the receivers notified.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHttpSink } from '../src/notify/channels/test-sink.ts';
import { get, minuteRows, normalMinute, post, startServer, warmupRows } from './helpers/server.ts';

const T0 = Date.UTC(2025, 6, 1, 10, 0);
const WARM = 90;

async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('the webhook link opens the alert page; the page data has chart, evidence, history, receivers', async () => {
  const sink = await startHttpSink();
  const s = await startServer({
    config: {
      alerting: {
        receivers: [{ name: 'hook', webhook_configs: [{ url: `${sink.url}/hook` }] }],
        route: { receiver: 'hook', group_by: ['alertname', 'scope'], group_wait: '0s', group_interval: '1m', repeat_interval: '4h' },
      },
    },
  });
  try {
    assert.equal((await post(s.url, '/api/v1/transactions', warmupRows(T0, WARM))).status, 200);
    const r = await post(s.url, '/api/v1/transactions', minuteRows(T0 + WARM * 60_000, { ...normalMinute(WARM), failed: 40, approved: 5 }));
    assert.equal(r.body.should_alert, true);
    await until(() => sink.requests.length > 0, 'a notification');
    const alert = (sink.requests[0].body as { alerts: Array<{ generatorURL: string; fingerprint: string }> }).alerts[0];
    // A new alert is notified in the evaluation that stores it: its link names it by fingerprint.
    assert.ok(alert.generatorURL.startsWith(`${s.url}/alerts`), `link ${alert.generatorURL} points at the server (${s.url})`);

    const page = await get(alert.generatorURL, '');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(page.text, /<script type="module" src="\/assets\/alert\.js">/);
    assert.equal((await get(s.url, `/alerts?fingerprint=${alert.fingerprint}`)).status, 200);
    assert.equal((await get(s.url, '/favicon.ico')).status, 200);

    const id = String((await get(s.url, '/api/v1/alerts')).body.alerts.find((a: { fingerprint: string }) => a.fingerprint === alert.fingerprint).id);
    assert.equal((await get(s.url, `/alerts/${id}`)).status, 200);
    await until(async () => (await get(s.url, `/api/v1/alert-page?id=${id}`)).body.notified?.some((n: { state: string }) => n.state === 'delivered'), 'the delivery recorded');
    const data = (await get(s.url, `/api/v1/alert-page?id=${id}`)).body;
    assert.equal(String(data.alert.id), id);
    assert.equal(data.alert.labels.scope, 'all');
    const labels = data.evidence.map((e: { label: string }) => e.label);
    for (const l of ['summary', 'observed', 'expected', 'anomaly score']) assert.ok(labels.includes(l), `evidence has ${l}`);
    for (const e of data.evidence) assert.doesNotMatch(e.value, /\d+\.\d{4,}/, `rounded: ${e.value}`);
    assert.ok(data.history.length >= 1 && data.history[0].to, 'state history');
    assert.equal(data.notified[0].integration, 'hook/webhook[0]');
    assert.ok(data.notified[0].delivered_at, 'delivered, with the time');
    const names = data.chart.series.map((x: { name: string }) => x.name);
    assert.deepEqual(names, ['band low', 'normal band', 'expected', 'observed']);
    const area = data.chart.series[3].markArea.data[0];
    assert.equal(area[0].name, `alert #${id}`);
    assert.ok(area[0].xAxis <= Date.parse(data.alert.starts_at) + 60_000, 'the span starts at the alert');

    const byFp = (await get(s.url, `/api/v1/alert-page?fingerprint=${alert.fingerprint}`)).body;
    assert.equal(String(byFp.alert.id), id);
    const missing = await get(s.url, '/api/v1/alert-page?id=999999');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'TXMON_ERR_NOT_FOUND');
  } finally {
    await s.close();
    await sink.close();
  }
});
