import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AlertmanagerIntegration } from './alertmanagerConfig.ts';
import { parseAlertingConfig } from '../../alerting/config.ts';
import { sampleAlert, sampleNotification, startHttpSink } from './test-sink.ts';
import { AlertmanagerChannel } from './alertmanager.ts';
import { INTEGRATION_KINDS } from './index.ts';

const integrationKinds = INTEGRATION_KINDS;

function cfg(urls: string[], over: Partial<AlertmanagerIntegration> = {}): AlertmanagerIntegration {
  return { type: 'alertmanager', sendResolved: true, timeoutMs: 2000, urls, resendIntervalMs: 60_000, headers: {}, ...over };
}

test('alertmanager_configs parse: urls, resend_interval, auth; bad values name the key', () => {
  const c = parseAlertingConfig({
    receivers: [{ name: 'am', alertmanager_configs: [{ urls: ['http://am:9093/'], resend_interval: '30s', basic_auth: { username: 'u', password: 'p' } }] }],
    route: { receiver: 'am' },
  }, { integrationKinds });
  const i = c.receivers[0].integrations[0] as AlertmanagerIntegration;
  assert.equal(i.type, 'alertmanager');
  assert.deepEqual(i.urls, ['http://am:9093']);
  assert.equal(i.resendIntervalMs, 30_000);
  assert.throws(() => parseAlertingConfig({ receivers: [{ name: 'am', alertmanager_configs: [{ urls: [] }] }], route: { receiver: 'am' } }, { integrationKinds }), /alertmanager_configs\[0\]\.urls/);
  assert.throws(() => parseAlertingConfig({ receivers: [{ name: 'am', alertmanager_configs: [{ urls: ['http://x'], resend_interval: 'soon' }] }], route: { receiver: 'am' } }, { integrationKinds }), /resend_interval/);
});

test('posts PostableAlerts to every <url>/api/v2/alerts with auth; firing ends 4 × resend_interval ahead; refresh re-posts only what still fires', async (t) => {
  const a = await startHttpSink();
  const b = await startHttpSink();
  t.after(() => Promise.all([a.close(), b.close()]));
  let now = Date.UTC(2026, 0, 1, 12, 0);
  const ch = new AlertmanagerChannel(cfg([a.url, `${b.url}/`.replace(/\/$/, '')], { bearerToken: 'tok', resendIntervalMs: 10_000 }), { now: () => now });
  const firing = sampleAlert();
  const r = await ch.send(sampleNotification([firing]));
  assert.equal(r.ok, true, r.detail);
  for (const sink of [a, b]) {
    assert.equal(sink.requests.length, 1);
    assert.equal(sink.requests[0].path, '/api/v2/alerts');
    assert.equal(sink.requests[0].headers.authorization, 'Bearer tok');
    const [posted] = sink.requests[0].body as Array<Record<string, any>>;
    assert.deepEqual(Object.keys(posted), ['labels', 'annotations', 'startsAt', 'endsAt', 'generatorURL']);
    assert.deepEqual(posted.labels, firing.labels);
    assert.equal(posted.endsAt, new Date(now + 40_000).toISOString());
    assert.equal(posted.generatorURL, firing.generatorURL);
    assert.equal(posted.annotations.summary, firing.annotations.summary);
    assert.equal(posted.annotations.explanation, firing.annotations.description);
    assert.match(posted.annotations.observed_vs_expected, /^observed \S+ vs expected \S+$/);
  }
  assert.deepEqual(ch.firing, [firing.fingerprint]);
  now += 10_000;
  assert.equal((await ch.refresh(new Set([firing.fingerprint])))?.ok, true);
  assert.equal(a.requests.length, 2);
  assert.equal((a.requests[1].body as Array<{ endsAt: string }>)[0].endsAt, new Date(now + 40_000).toISOString());
  assert.equal(await ch.refresh(new Set([firing.fingerprint])), null, 'not again before resend_interval');
  now += 10_000;
  assert.equal(await ch.refresh(new Set()), null, 'resolved in txmon: forgotten, nothing posted');
  assert.deepEqual(ch.firing, []);

  // A resolved alert goes out once with its real end.
  const resolved = sampleAlert({ status: 'resolved', startsAt: '2026-01-01T11:00:00.000Z', endsAt: '2026-01-01T12:00:05.000Z' });
  await ch.send(sampleNotification([resolved]));
  assert.equal((a.requests.at(-1)!.body as Array<{ endsAt: string }>)[0].endsAt, '2026-01-01T12:00:05.000Z');
  // Resolved at a minute ahead of the wall clock: ends now, so Alertmanager resolves it now.
  await ch.send(sampleNotification([{ ...resolved, endsAt: '2026-01-01T13:00:00.000Z' }]));
  assert.equal((a.requests.at(-1)!.body as Array<{ endsAt: string }>)[0].endsAt, new Date(now).toISOString());
});

test('one Alertmanager failing makes the delivery retryable (5xx) or permanent (4xx)', async (t) => {
  const ok = await startHttpSink();
  const down = await startHttpSink({ status: 503, body: 'unavailable' });
  const bad = await startHttpSink({ status: 400, body: 'bad alert' });
  t.after(() => Promise.all([ok.close(), down.close(), bad.close()]));
  const r1 = await new AlertmanagerChannel(cfg([ok.url, down.url], { basicAuth: { username: 'u', password: 'p' } })).send(sampleNotification());
  assert.equal(r1.ok, false);
  assert.equal(r1.retryable, true);
  assert.equal(ok.requests[0].headers.authorization, `Basic ${Buffer.from('u:p').toString('base64')}`);
  const r2 = await new AlertmanagerChannel(cfg([bad.url])).send(sampleNotification());
  assert.equal(r2.ok, false);
  assert.equal(r2.retryable, false);
  assert.match(r2.detail, /400/);
});
