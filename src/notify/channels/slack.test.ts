import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SlackIntegration } from './slackConfig.ts';
import { SlackChannel, slackEscape, slackPayload } from './slack.ts';
import { sampleAlert, sampleNotification, startHttpSink } from './test-sink.ts';

function cfg(url: string, over: Partial<SlackIntegration> = {}): SlackIntegration {
  return { type: 'slack', sendResolved: true, timeoutMs: 2000, webhookUrl: url, maxAlerts: 5, ...over };
}
type Block = { type: string; text?: { text: string }; fields?: { text: string }[]; elements?: { text?: string | { text: string }; url?: string; style?: string }[] };

test('slack posts Block Kit with severity icon and text, observed vs expected, explanation, link button', async (t) => {
  const sink = await startHttpSink({ status: 200, body: 'ok' });
  t.after(() => sink.close());
  const r = await new SlackChannel(cfg(`${sink.url}/services/T/B/X`, { channel: '#payments' })).send(sampleNotification());
  assert.equal(r.ok, true, r.detail);
  const body = sink.requests[0].body as { text: string; blocks: Block[]; channel: string };
  assert.equal(sink.requests[0].path, '/services/T/B/X');
  assert.equal(body.channel, '#payments');
  assert.match(body.text, /^🔴 CRITICAL: failed_high scope=all — failed transactions 42\/min/);
  const header = body.blocks[0];
  assert.equal(header.type, 'header');
  assert.equal(header.text?.text, '🔴 CRITICAL · failed_high scope=all');
  const section = body.blocks.find((b) => b.type === 'section');
  assert.ok(section);
  assert.match(section.text!.text, /🔴 CRITICAL \*failed transactions 42\/min, expected 3\.1\*/);
  assert.deepEqual(section.fields!.map((f) => f.text.split('\n')[0]), ['*Observed*', '*Expected*', '*Score*', '*Since*']);
  assert.equal(section.fields![0].text, '*Observed*\n42');
  assert.equal(section.fields![1].text, '*Expected*\n3.1');
  const explanation = body.blocks.find((b) => b.type === 'context' && JSON.stringify(b).includes('Poisson'));
  assert.ok(explanation, 'explanation context block');
  const actions = body.blocks.find((b) => b.type === 'actions');
  assert.ok(actions);
  assert.equal(actions.elements![0].url, 'http://txmon.example:8080/alerts/17');
  assert.equal(actions.elements![0].style, 'danger');
  assert.equal(actions.elements![1].url, 'http://txmon.example:8080');
});

test('slack resolved message says ✅ RESOLVED, warning says 🟠 WARNING; extra alerts are counted', () => {
  const resolved = sampleNotification([sampleAlert({ status: 'resolved', endsAt: '2025-07-15T14:30:00.000Z' })]);
  const p = slackPayload(resolved, { maxAlerts: 5 });
  assert.equal((p.blocks[0] as Block).text?.text, '✅ RESOLVED · failed_high scope=all');
  assert.match(p.text, /^✅ RESOLVED/);
  assert.ok(JSON.stringify(p.blocks).includes('*Ended*\\n2025-07-15T14:30:00.000Z'));

  const warn = (i: number) => sampleAlert({ fingerprint: `w${i}`, severity: 'warning', labels: { alertname: 'x', scope: 'all', severity: 'warning' } });
  const many = sampleNotification([0, 1, 2, 3].map(warn));
  const q = slackPayload(many, { maxAlerts: 2 });
  assert.match((q.blocks[0] as Block).text!.text, /^🟠 WARNING/);
  assert.equal(q.blocks.filter((b) => b.type === 'section').length, 2);
  assert.ok(JSON.stringify(q.blocks).includes('…and 2 more alerts'));
  assert.ok(q.blocks.length <= 50);
});

test('slack escapes mrkdwn control characters and marks test notifications', () => {
  assert.equal(slackEscape('a <b> & c'), 'a &lt;b&gt; &amp; c');
  const n = sampleNotification([sampleAlert({ annotations: { summary: '<!channel> & co' } })], { test: true });
  const p = slackPayload(n, { maxAlerts: 5 });
  assert.ok(JSON.stringify(p.blocks).includes('&lt;!channel&gt; &amp; co'));
  assert.match((p.blocks[0] as Block).text!.text, /^🧪 TEST 🔴 CRITICAL/);
});

test('slack failures: 404 no_service permanent, 429 with HTTP-date Retry-After retryable, 503 retryable', async (t) => {
  const sink = await startHttpSink();
  t.after(() => sink.close());
  const now = Date.parse('2025-07-15T14:00:00Z');
  const ch = new SlackChannel(cfg(sink.url), { now: () => now });
  sink.replies.push({ status: 404, body: 'no_service' });
  let r = await ch.send(sampleNotification());
  assert.deepEqual([r.ok, r.retryable, r.status], [false, false, 404]);
  assert.match(r.detail, /no_service/);
  sink.replies.push({ status: 429, headers: { 'retry-after': 'Tue, 15 Jul 2025 14:00:30 GMT' } });
  r = await ch.send(sampleNotification());
  assert.deepEqual([r.retryable, r.retryAfterMs], [true, 30_000]);
  sink.replies.push({ status: 503 });
  r = await ch.send(sampleNotification());
  assert.deepEqual([r.ok, r.retryable], [false, true]);
  assert.ok(!r.detail.includes(sink.url), 'the secret URL is not echoed');
});

test('the fallback text is escaped like the blocks: a label cannot ping <!channel> or inject a link', () => {
  const evil = sampleAlert({
    labels: { alertname: 'failed_count_high', scope: '<!channel> & <https://evil.example|click>', severity: 'critical', status: 'failed' },
    annotations: { ...sampleAlert().annotations, summary: 'failed <!here> 42/min' },
  });
  const p = slackPayload(sampleNotification([evil]), { maxAlerts: 5 });
  assert.ok(!/<!channel>|<!here>|<https:/.test(p.text), p.text);
  assert.match(p.text, /&lt;!channel&gt; &amp; &lt;https:\/\/evil\.example\|click&gt;|&lt;!here&gt;/);
});
