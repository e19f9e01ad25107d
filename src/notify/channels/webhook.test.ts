import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WebhookIntegration } from './webhookConfig.ts';
import { sampleAlert, sampleNotification, startHttpSink } from './test-sink.ts';
import { WebhookChannel, webhookPayload } from './webhook.ts';

function cfg(url: string, over: Partial<WebhookIntegration> = {}): WebhookIntegration {
  return { type: 'webhook', sendResolved: true, timeoutMs: 2000, url, maxAlerts: 0, headers: {}, ...over };
}

test('webhook posts the Alertmanager v4 payload field by field, with Idempotency-Key', async (t) => {
  const sink = await startHttpSink();
  t.after(() => sink.close());
  const resolved = sampleAlert({ fingerprint: 'ffff000011112222', status: 'resolved', severity: 'warning', endsAt: '2025-07-15T14:20:00.000Z', labels: { alertname: 'failed_high', scope: 'all', severity: 'warning', status: 'failed' } });
  const n = sampleNotification([sampleAlert(), resolved]);
  const r = await new WebhookChannel(cfg(`${sink.url}/hook`, { headers: { 'X-Team': 'payments' }, bearerToken: 's3cret' })).send(n);
  assert.equal(r.ok, true, r.detail);
  assert.equal(r.status, 200);
  assert.equal(sink.requests.length, 1);
  const req = sink.requests[0];
  assert.equal(req.method, 'POST');
  assert.equal(req.path, '/hook');
  assert.equal(req.headers['content-type'], 'application/json');
  assert.equal(req.headers['idempotency-key'], n.id);
  assert.equal(req.headers['x-team'], 'payments');
  assert.equal(req.headers.authorization, 'Bearer s3cret');
  const body = req.body as Record<string, unknown>;
  // Order as Alertmanager's Go encoder writes it.
  assert.deepEqual(Object.keys(body), ['receiver', 'status', 'alerts', 'groupLabels', 'commonLabels', 'commonAnnotations', 'externalURL', 'version', 'groupKey', 'truncatedAlerts']);
  assert.equal(body.version, '4');
  assert.equal(body.receiver, 'oncall');
  assert.equal(body.status, 'firing');
  assert.equal(body.groupKey, '{}/{severity="critical"}:{alertname="failed_high", scope="all"}');
  assert.equal(body.truncatedAlerts, 0);
  assert.equal(body.externalURL, 'http://txmon.example:8080');
  assert.deepEqual(body.groupLabels, { alertname: 'failed_high', scope: 'all' });
  assert.deepEqual(body.commonLabels, { alertname: 'failed_high', scope: 'all', status: 'failed' });
  assert.deepEqual(body.commonAnnotations, {
    description: sampleAlert().annotations.description,
    expected: '3.1',
    observed: '42',
    score: '97',
    summary: sampleAlert().annotations.summary,
  });
  const alerts = body.alerts as Record<string, unknown>[];
  assert.equal(alerts.length, 2);
  for (const a of alerts) assert.deepEqual(Object.keys(a), ['status', 'labels', 'annotations', 'startsAt', 'endsAt', 'generatorURL', 'fingerprint']);
  assert.deepEqual(alerts[0], {
    status: 'firing',
    labels: sampleAlert().labels,
    annotations: sampleAlert().annotations,
    startsAt: '2025-07-15T14:05:00.000Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://txmon.example:8080/alerts/17',
    fingerprint: 'a1b2c3d4e5f60718',
  });
  assert.equal(alerts[1].status, 'resolved');
  assert.equal(alerts[1].endsAt, '2025-07-15T14:20:00.000Z');
});

test('webhook max_alerts truncates and counts the rest; basic auth header', async (t) => {
  const sink = await startHttpSink();
  t.after(() => sink.close());
  const alerts = [0, 1, 2].map((i) => sampleAlert({ fingerprint: `f${i}` }));
  const n = { ...sampleNotification(alerts), truncatedAlerts: 4 };
  const r = await new WebhookChannel(cfg(sink.url, { maxAlerts: 2, basicAuth: { username: 'u', password: 'p:w' } })).send(n);
  assert.equal(r.ok, true);
  const body = sink.requests[0].body as { alerts: unknown[]; truncatedAlerts: number };
  assert.equal(body.alerts.length, 2);
  assert.equal(body.truncatedAlerts, 5);
  assert.equal(sink.requests[0].headers.authorization, `Basic ${Buffer.from('u:p:w').toString('base64')}`);
  assert.equal(webhookPayload(sampleNotification()).truncatedAlerts, 0);
});

test('webhook failure classification: 500 and 429 retryable, 400 permanent, refused retryable, timeout retryable', async (t) => {
  const sink = await startHttpSink();
  t.after(() => sink.close());
  const ch = new WebhookChannel(cfg(sink.url, { timeoutMs: 300 }));
  const n = sampleNotification();

  sink.replies.push({ status: 500, body: 'boom' });
  let r = await ch.send(n);
  assert.deepEqual([r.ok, r.retryable, r.status], [false, true, 500]);
  assert.match(r.detail, /HTTP 500 boom/);

  sink.replies.push({ status: 429, headers: { 'retry-after': '7' } });
  r = await ch.send(n);
  assert.deepEqual([r.ok, r.retryable, r.status, r.retryAfterMs], [false, true, 429, 7000]);

  sink.replies.push({ status: 400, body: 'bad payload' });
  r = await ch.send(n);
  assert.deepEqual([r.ok, r.retryable, r.status], [false, false, 400]);

  sink.replies.push({ status: 200, delayMs: 1500 });
  r = await ch.send(n);
  assert.deepEqual([r.ok, r.retryable], [false, true]);
  assert.match(r.detail, /timed out/);

  // Retries carry the same idempotency key.
  const keys = sink.requests.map((q) => q.headers['idempotency-key']);
  assert.equal(new Set(keys).size, 1);

  const closed = await startHttpSink();
  const url = closed.url;
  await closed.close();
  r = await new WebhookChannel(cfg(url)).send(n);
  assert.deepEqual([r.ok, r.retryable], [false, true]);
  assert.match(r.detail, /ECONNREFUSED/);
});

test('webhook send honours an already-aborted caller signal', async (t) => {
  const sink = await startHttpSink();
  t.after(() => sink.close());
  const r = await new WebhookChannel(cfg(sink.url)).send(sampleNotification(), AbortSignal.abort());
  assert.deepEqual([r.ok, r.retryable], [false, true]);
  assert.equal(sink.requests.length, 0);
});
