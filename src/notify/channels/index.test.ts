import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAlertingConfig } from '../../alerting/config.ts';
import { TxmonError } from '../../domain/errors.ts';
import { createAllChannels, createChannel, INTEGRATION_KINDS, interpolateEnv, notificationFor } from './index.ts';
import { LogChannel } from './log.ts';
import { sampleAlert, sampleNotification, startHttpSink } from './test-sink.ts';

test('interpolateEnv: ${VAR}, ${VAR:-fallback}, $$, and a precise error for a missing variable', () => {
  const env = { HOOK: 'https://hooks.example/x', EMPTY: '' };
  assert.equal(interpolateEnv('${HOOK}', env), 'https://hooks.example/x');
  assert.equal(interpolateEnv('${HOOK}/a?b=${MISSING:-c}', env), 'https://hooks.example/x/a?b=c');
  assert.equal(interpolateEnv('${EMPTY:-d}', env), 'd');
  assert.equal(interpolateEnv('pa$$word $x', env), 'pa$word $x');
  assert.throws(
    () => interpolateEnv('${NOPE}', env, 'alerting.receivers[0].slack_configs[0].webhook_url'),
    (e: unknown) => e instanceof TxmonError && e.code === 'TXMON_ERR_CONFIG' && e.message === 'alerting.receivers[0].slack_configs[0].webhook_url: environment variable NOPE is not set (referenced as ${NOPE})',
  );
});

test('createAllChannels builds every integration from config with env references resolved', async (t) => {
  const sink = await startHttpSink();
  t.after(() => sink.close());
  const cfg = parseAlertingConfig({
    receivers: [
      { name: 'default', log_configs: [{}] },
      {
        name: 'oncall',
        webhook_configs: [{ url: '${HOOK_URL}/w', send_resolved: false, headers: { 'X-Token': '${TOKEN}' } }],
        slack_configs: [{ webhook_url: '${HOOK_URL}/s' }],
        pagerduty_configs: [{ routing_key: '${PD_KEY}', url: '${HOOK_URL}/pd' }],
        email_configs: [{ to: 'a@example.com, b@example.com', from: 'txmon@example.com', host: 'localhost' }],
      },
    ],
    route: { receiver: 'default' },
  }, { integrationKinds: INTEGRATION_KINDS });
  const lines: unknown[] = [];
  const env = { HOOK_URL: sink.url, TOKEN: 't0k', PD_KEY: 'k3y' };
  const all = createAllChannels(cfg.receivers, env, { logger: { info: (o, m) => lines.push([o, m]) } });
  const oncall = all.get('oncall')!;
  assert.deepEqual(oncall.map((i) => i.name), ['oncall/slack[0]', 'oncall/pagerduty[0]', 'oncall/webhook[0]', 'oncall/email[0]']);
  assert.deepEqual(oncall.map((i) => i.channel.type), ['slack', 'pagerduty', 'webhook', 'email']);
  assert.equal(oncall[2].sendResolved, false);
  const n = sampleNotification();
  for (const i of oncall.slice(0, 3)) assert.equal((await i.channel.send(n)).ok, true);
  assert.deepEqual(sink.requests.map((r) => r.path), ['/s', '/pd', '/w']);
  assert.equal(sink.requests[2].headers['x-token'], 't0k');
  assert.equal((sink.requests[1].body as { routing_key: string }).routing_key, 'k3y');
  const log = all.get('default')![0];
  assert.ok(log.channel instanceof LogChannel);
  assert.equal((await log.channel.send(n)).ok, true);
  assert.equal(lines.length, 1);
  assert.equal((lines[0] as [unknown, string])[1], '[FIRING:1] failed_high scope=all');

  assert.throws(() => createAllChannels(cfg.receivers, {}), /alerting\.receivers\[1\]\.slack_configs\[0\]\.webhook_url: environment variable HOOK_URL is not set/);
  assert.throws(
    () => createChannel({ type: 'webhook', sendResolved: true, timeoutMs: 1, url: 'ftp://x', maxAlerts: 0, headers: {} }, {}, {}, 'w'),
    /w\.url: must be an absolute http\(s\) URL/,
  );
});

test('notificationFor follows send_resolved like Alertmanager', () => {
  const firing = sampleAlert();
  const resolved = sampleAlert({ fingerprint: 'r1', status: 'resolved', endsAt: '2025-07-15T15:00:00.000Z' });
  const mixed = sampleNotification([firing, resolved]);
  assert.equal(notificationFor({ sendResolved: true }, mixed), mixed);
  const onlyFiring = notificationFor({ sendResolved: false }, mixed)!;
  assert.deepEqual(onlyFiring.alerts.map((a) => a.fingerprint), [firing.fingerprint]);
  assert.equal(onlyFiring.id, mixed.id);
  assert.equal(notificationFor({ sendResolved: false }, sampleNotification([resolved])), null);
});
