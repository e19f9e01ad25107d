import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { PagerDutyIntegration } from './pagerdutyConfig.ts';
import { PagerDutyChannel, pagerDutyEvent, type PagerDutyEvent } from './pagerduty.ts';
import { sampleAlert, sampleNotification, startHttpSink } from './test-sink.ts';

function cfg(url: string, over: Partial<PagerDutyIntegration> = {}): PagerDutyIntegration {
  return { type: 'pagerduty', sendResolved: true, timeoutMs: 2000, routingKey: 'R0UT1NGKEY', url, client: 'txmon', ...over };
}

test('pagerduty trigger then resolve share one dedup_key; 202 is success', async (t) => {
  const sink = await startHttpSink({ status: 202, body: '{"status":"success","message":"Event processed","dedup_key":"x"}', headers: { 'content-type': 'application/json' } });
  t.after(() => sink.close());
  const ch = new PagerDutyChannel(cfg(`${sink.url}/v2/enqueue`, { component: 'acquirer', group: 'payments', class: 'anomaly' }));
  const firing = sampleNotification();
  const resolved = sampleNotification([sampleAlert({ status: 'resolved', endsAt: '2025-07-15T14:30:00.000Z' })]);
  assert.notEqual(firing.id, resolved.id);
  const r1 = await ch.send(firing);
  const r2 = await ch.send(resolved);
  assert.deepEqual([r1.ok, r1.status, r2.ok, r2.status], [true, 202, true, 202]);
  const [trig, res] = sink.requests.map((q) => q.body as PagerDutyEvent);
  assert.equal(sink.requests[0].path, '/v2/enqueue');
  assert.equal(trig.event_action, 'trigger');
  assert.equal(res.event_action, 'resolve');
  assert.equal(trig.dedup_key, res.dedup_key);
  assert.equal(trig.dedup_key, createHash('sha256').update(firing.groupKey).digest('hex'));
  assert.equal(trig.routing_key, 'R0UT1NGKEY');
  assert.equal(res.routing_key, 'R0UT1NGKEY');
  assert.equal(res.payload, undefined);
  const p = trig.payload!;
  assert.equal(p.severity, 'critical');
  assert.equal(p.source, 'txmon scope=all');
  assert.equal(p.component, 'acquirer');
  assert.equal(p.group, 'payments');
  assert.equal(p.class, 'anomaly');
  assert.equal(p.timestamp, '2025-07-15T14:05:00.000Z');
  assert.match(p.summary, /^\[FIRING:1\] failed_high scope=all — failed transactions 42\/min/);
  const details = p.custom_details as { alerts: { observed: string; expected: string; explanation: string }[]; firing: number };
  assert.equal(details.firing, 1);
  assert.equal(details.alerts[0].observed, '42');
  assert.equal(details.alerts[0].expected, '3.1');
  assert.match(details.alerts[0].explanation, /Poisson/);
  assert.deepEqual(trig.links, [
    { href: 'http://txmon.example:8080/alerts/17', text: 'Alert in txmon' },
    { href: 'http://txmon.example:8080', text: 'txmon dashboard' },
  ]);
  assert.equal(trig.client, 'txmon');
  assert.equal(trig.client_url, 'http://txmon.example:8080');
});

test('pagerduty severity mapping and summary length cap', () => {
  const base = { routingKey: 'k', client: 'txmon' };
  const sev = (s: 'warning' | 'info' | 'none') =>
    pagerDutyEvent(sampleNotification([sampleAlert({ severity: s })]), base).payload!.severity;
  assert.equal(sev('warning'), 'warning');
  assert.equal(sev('info'), 'info');
  assert.equal(sev('none'), 'info');
  const long = pagerDutyEvent(sampleNotification([sampleAlert({ annotations: { summary: 'x'.repeat(5000) } })]), base);
  assert.equal(Array.from(long.payload!.summary).length, 1024);
  const testEv = pagerDutyEvent(sampleNotification(undefined, { test: true }), base);
  assert.notEqual(testEv.dedup_key, pagerDutyEvent(sampleNotification(), base).dedup_key, 'test events never touch real incidents');
});

test('pagerduty failures: 400 invalid event permanent, 429 retryable, 500 retryable', async (t) => {
  const sink = await startHttpSink();
  t.after(() => sink.close());
  const ch = new PagerDutyChannel(cfg(sink.url));
  sink.replies.push({ status: 400, body: '{"status":"invalid event","errors":["Event object is invalid"]}' });
  sink.replies.push({ status: 429, body: '{}' });
  sink.replies.push({ status: 500, body: '' });
  const [a, b, c] = [await ch.send(sampleNotification()), await ch.send(sampleNotification()), await ch.send(sampleNotification())];
  assert.deepEqual([a.ok, a.retryable, a.status], [false, false, 400]);
  assert.match(a.detail, /invalid event/);
  assert.deepEqual([b.retryable, b.status, b.retryAfterMs], [true, 429, undefined]);
  assert.deepEqual([c.retryable, c.status], [true, 500]);
});
