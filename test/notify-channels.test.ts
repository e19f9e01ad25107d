/**
 * Every channel through the real server, configured in YAML form: Slack and PagerDuty against a
 * recording HTTP server, email against a real SMTP server (smtp-server). Firing, then resolved.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHttpSink, startSmtpSink } from '../src/notify/channels/test-sink.ts';
import type { VirtualClock } from '../src/domain/clock.ts';
import { minuteRows, normalMinute, post, startServer, warmupRows } from './helpers/server.ts';

const T0 = Date.UTC(2025, 6, 1, 10, 0);
const min = (i: number) => T0 + i * 60_000;

async function until(cond: () => boolean, what: string, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('slack, pagerduty and email receive firing and resolved notifications', async () => {
  const sink = await startHttpSink({ status: 202, body: '{"status":"success"}' });
  const smtp = await startSmtpSink();
  const s = await startServer({
    config: {
      alerting: {
        external_url: 'http://txmon.test',
        receivers: [{
          name: 'oncall',
          slack_configs: [{ webhook_url: `${sink.url}/slack` }],
          pagerduty_configs: [{ routing_key: 'R0UT1NGKEY', url: `${sink.url}/pd` }],
          email_configs: [{ to: 'ops@example.com', from: 'txmon@example.com', host: '127.0.0.1', port: smtp.port }],
        }],
        route: {
          receiver: 'oncall', group_by: ['alertname', 'scope'], group_wait: '0s', group_interval: '1m',
          routes: [{ matchers: ['alertname="failed_share_high"'], receiver: 'oncall', continue: false, group_by: ['...'] }],
        },
        inhibit_rules: [{ source_matchers: ['metric="count"'], target_matchers: ['metric="share"'], equal: ['scope'] }],
      },
    },
  });
  try {
    await post(s.url, '/api/v1/transactions', warmupRows(T0, 90));
    await post(s.url, '/api/v1/transactions', minuteRows(min(90), { ...normalMinute(90), failed: 40 }));
    await until(() => sink.requests.length >= 2 && smtp.mails.length >= 1, 'firing notifications');
    const slack = sink.requests.filter((r) => r.path === '/slack');
    const pd = sink.requests.filter((r) => r.path === '/pd');
    assert.equal(slack.length, 1);
    assert.equal(pd.length, 1);
    const pdBody = pd[0].body as { event_action: string; dedup_key: string; routing_key: string; payload: { severity: string } };
    assert.equal(pdBody.event_action, 'trigger');
    assert.equal(pdBody.routing_key, 'R0UT1NGKEY');
    assert.equal(pdBody.payload.severity, 'critical');
    assert.ok(Array.isArray((slack[0].body as { blocks: unknown[] }).blocks));
    assert.match(smtp.mails[0].raw, /Subject: .*FIRING/i);

    for (let i = 91; i <= 95; i++) await post(s.url, '/api/v1/transactions', minuteRows(min(i), normalMinute(i)));
    (s.clock as VirtualClock).advance(60_000);
    await s.service.ctx.notifications!.flush();
    await until(() => sink.requests.filter((r) => r.path === '/pd').length >= 2 && smtp.mails.length >= 2, 'resolved notifications');
    const pd2 = sink.requests.filter((r) => r.path === '/pd')[1].body as { event_action: string; dedup_key: string };
    assert.equal(pd2.event_action, 'resolve');
    assert.equal(pd2.dedup_key, pdBody.dedup_key, 'PagerDuty resolves the incident it opened');
    const ids = smtp.mails.map((m) => /Message-ID: (<[^>]+>)/i.exec(m.raw)?.[1]);
    assert.equal(new Set(ids).size, 2, 'each email its own Message-ID');
  } finally {
    await s.close();
    await sink.close();
    await smtp.close();
  }
});
