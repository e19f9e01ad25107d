import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { TxmonError } from '../domain/errors.ts';
import { defaultAlertingConfig, formatDuration, parseAlertingConfig, parseDuration } from './config.ts';

test('parseDuration reads Prometheus durations', () => {
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('5m'), 300_000);
  assert.equal(parseDuration('4h'), 14_400_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('1d'), 86_400_000);
  assert.equal(parseDuration('1w'), 604_800_000);
  assert.equal(parseDuration('0'), 0);
  assert.equal(parseDuration('0s'), 0);
  for (const bad of ['', '5', '5 m', 'm', '1.5h', '30m1h', '-5s', '5min']) assert.equal(parseDuration(bad), null, bad);
  assert.equal(formatDuration(5_400_000), '1h30m');
  assert.equal(formatDuration(0), '0s');
});

const EXAMPLE = `
external_url: https://txmon.example.com/
receivers:
  - name: default
    log_configs: [{}]
  - name: oncall
    pagerduty_configs:
      - routing_key: '\${PAGERDUTY_ROUTING_KEY}'
    slack_configs:
      - webhook_url: '\${SLACK_WEBHOOK_URL}'
        channel: '#payments-alerts'
        send_resolved: true
  - name: risk
    webhook_configs:
      - url: https://risk.example.com/hooks/txmon
        send_resolved: false
        max_alerts: 20
        timeout: 5s
    email_configs:
      - to: [risk@example.com]
        from: txmon@example.com
        host: smtp.example.com
        port: 587
        auth: { user: txmon, pass: '\${SMTP_PASSWORD}' }
route:
  receiver: default
  group_by: [alertname, scope]
  routes:
    - matchers: ['severity="critical"']
      receiver: oncall
      group_wait: 10s
      continue: true
    - matchers: ['alertname=~"auth_code_.*|denied_.*"']
      receiver: risk
      group_by: ['...']
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [alertname, scope]
delivery:
  max_attempts: 8
`;

test('parseAlertingConfig fills defaults and converts durations', () => {
  const c = parseAlertingConfig(parseYaml(EXAMPLE));
  assert.equal(c.externalUrl, 'https://txmon.example.com');
  assert.deepEqual(c.receivers.map((r) => [r.name, r.integrations.map((i) => i.type)]), [
    ['default', ['log']],
    ['oncall', ['slack', 'pagerduty']],
    ['risk', ['webhook', 'email']],
  ]);
  const [slack, pd] = c.receivers[1].integrations;
  assert.equal(slack.type === 'slack' && slack.webhookUrl, '${SLACK_WEBHOOK_URL}', 'env references are kept for the channel factory');
  assert.equal(slack.timeoutMs, 10_000);
  assert.equal(pd.type === 'pagerduty' && pd.url, 'https://events.pagerduty.com/v2/enqueue');
  const [hook, mail] = c.receivers[2].integrations;
  assert.deepEqual(hook.type === 'webhook' && [hook.sendResolved, hook.maxAlerts, hook.timeoutMs], [false, 20, 5000]);
  assert.deepEqual(mail.type === 'email' && [mail.port, mail.secure, mail.to, mail.sendResolved], [587, false, ['risk@example.com'], true]);
  assert.deepEqual([c.route.receiver, c.route.groupBy, c.route.groupWaitMs, c.route.groupIntervalMs, c.route.repeatIntervalMs], ['default', ['alertname', 'scope'], 30_000, 300_000, 14_400_000]);
  assert.equal(c.route.routes[0].groupWaitMs, 10_000);
  assert.equal(c.route.routes[0].groupIntervalMs, undefined, 'unset child options stay unset (inherited in routing)');
  assert.equal(c.route.routes[0].continue, true);
  assert.deepEqual(c.route.routes[1].groupBy, ['...']);
  assert.equal(c.inhibitRules[0].equal.length, 2);
  assert.deepEqual(c.delivery, { initialBackoffMs: 1000, maxBackoffMs: 300_000, maxAttempts: 8, giveUpAfterMs: 86_400_000 });
});

function configError(input: unknown, field: string, message: RegExp): void {
  assert.throws(
    () => parseAlertingConfig(input),
    (e: unknown) => {
      assert.ok(e instanceof TxmonError, String(e));
      assert.equal(e.code, 'TXMON_ERR_CONFIG');
      assert.equal(e.detail?.field, field, e.message);
      assert.match(e.message, message);
      return true;
    },
  );
}

const ok = { receivers: [{ name: 'default', log_configs: [{}] }], route: { receiver: 'default' } };

test('config validation errors name the key path and what was expected', () => {
  configError({ ...ok, receivers: [] }, 'alerting.receivers', /alerting\.receivers: must not have fewer than 1 items|alerting\.receivers: .*1/);
  configError({ receivers: ok.receivers }, 'alerting', /missing required key "route"/);
  configError({ ...ok, route: { receiver: 'default', group_wait: '5 min' } }, 'alerting.route.group_wait', /"5 min" is not a duration/);
  configError({ ...ok, route: { receiver: 'default', routes: [{ receiver: 'nobody' }] } }, 'alerting.route.routes[0].receiver', /receiver "nobody" is not defined/);
  configError({ ...ok, route: { receiver: 'default', routes: [{ routes: [{ matchers: ['sev'] }] }] } }, 'alerting.route.routes[0].routes[0].matchers[0]', /expected an operator/);
  configError({ ...ok, route: { receiver: 'default', routes: [{ recevier: 'x' }] } }, 'alerting.route.routes[0]', /unknown key "recevier"/);
  configError({ ...ok, route: { receiver: 'default', routes: [{ continue: 'yes' }] } }, 'alerting.route.routes[0].continue', /must be boolean/);
  configError({ ...ok, route: {} }, 'alerting.route.receiver', /root route must name a receiver/);
  configError({ ...ok, route: { receiver: 'default', matchers: ['a="b"'] } }, 'alerting.route.matchers', /root route must not have matchers/);
  configError({ ...ok, route: { receiver: 'default', group_by: ['...', 'scope'] } }, 'alerting.route.group_by', /"\.\.\." \(group by all labels\) cannot be combined/);
  configError({ ...ok, route: { receiver: 'default', group_by: ['bad-name'] } }, 'alerting.route.group_by[0]', /"bad-name" is not a valid label name/);
  configError({ ...ok, route: { receiver: 'default', repeat_interval: '0s' } }, 'alerting.route.repeat_interval', /must be greater than 0/);
  configError({ ...ok, receivers: [...ok.receivers, { name: 'default' }] }, 'alerting.receivers[1].name', /used twice/);
  configError({ ...ok, receivers: [{ name: 'default', slack_configs: [{ channel: '#x' }] }] }, 'alerting.receivers[0].slack_configs[0]', /missing required key "webhook_url"/);
  configError({ ...ok, receivers: [{ name: 'default', webhook_configs: [{ url: 'http://x', timeout: 'soon' }] }] }, 'alerting.receivers[0].webhook_configs[0].timeout', /"soon" is not a duration/);
  configError({ ...ok, receivers: [{ name: 'default', webhook_configs: [{ url: 'http://x', bearer_token: 'a', basic_auth: { username: 'u', password: 'p' } }] }] }, 'alerting.receivers[0].webhook_configs[0]', /cannot both be set/);
  configError({ ...ok, receivers: [{ name: 'default', email_configs: [{ to: 3, from: 'a@b', host: 'h' }] }] }, 'alerting.receivers[0].email_configs[0].to', /must be a string or a non-empty list of strings/);
  configError({ ...ok, inhibit_rules: [{ source_matchers: [], target_matchers: ['a="b"'] }] }, 'alerting.inhibit_rules[0].source_matchers', /at least one matcher/);
  configError({ ...ok, inhibit_rules: [{ source_matchers: ['a="b"'], target_matchers: ['c=~"("'] }] }, 'alerting.inhibit_rules[0].target_matchers[0]', /regex "\(" is invalid/);
  configError({ ...ok, delivery: { initial_backoff: '10m', max_backoff: '1m' } }, 'alerting.delivery.max_backoff', /must be at least initial_backoff \(10m\)/);
  configError('nope', 'alerting', /must be object/);
});

test('default config: a log receiver, plus integrations switched on by env vars', () => {
  const plain = defaultAlertingConfig({});
  assert.deepEqual(plain.receivers.map((r) => [r.name, r.integrations.map((i) => i.type)]), [['default', ['log']]]);
  assert.equal(plain.route.receiver, 'default');
  // no_data mutes sales_low; a critical <status>_high mutes a warning sales_low (same scope).
  assert.equal(plain.inhibitRules.length, 2);
  assert.deepEqual(plain.inhibitRules.map((r) => r.equal), [['scope'], ['scope']]);
  const withEnv = defaultAlertingConfig({ TXMON_WEBHOOK_URL: 'http://hook', TXMON_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/x', TXMON_EXTERNAL_URL: 'http://me:9' });
  assert.deepEqual(withEnv.receivers[0].integrations.map((i) => i.type), ['slack', 'webhook', 'log']);
  assert.equal(withEnv.externalUrl, 'http://me:9');
});

test('the complete example in docs/alerting.md is valid', async (t) => {
  const { readFile } = await import('node:fs/promises');
  let md: string;
  try {
    md = await readFile(new URL('../../docs/alerting.md', import.meta.url), 'utf8');
  } catch {
    t.skip('docs/alerting.md absent');
    return;
  }
  const block = /### Complete example\s+```yaml\n([\s\S]*?)```/.exec(md);
  assert.ok(block, 'complete example block present');
  const c = parseAlertingConfig((parseYaml(block[1]) as { alerting: unknown }).alerting);
  assert.deepEqual(c.receivers.map((r) => r.name), ['default', 'oncall', 'risk', 'blackhole']);
  assert.equal(c.route.routes.length, 3);
  assert.equal(c.inhibitRules.length, 2);
});

test('outbox_retention: default 7 days, a duration, never shorter than the notification log a restart reads back', () => {
  assert.equal(parseAlertingConfig(ok).outboxRetentionMs, 7 * 86_400_000);
  assert.equal(parseAlertingConfig({ ...ok, outbox_retention: '3d' }).outboxRetentionMs, 3 * 86_400_000);
  assert.equal(parseAlertingConfig({ ...ok, outbox_retention: '4h30m' }).outboxRetentionMs, 16_200_000, 'the defaults need 30s + 5m + 4h');
  configError({ ...ok, outbox_retention: '7 days' }, 'alerting.outbox_retention', /^alerting\.outbox_retention: "7 days" is not a duration$/);
  configError({ ...ok, outbox_retention: '0' }, 'alerting.outbox_retention', /must be greater than 0/);
  configError({ ...ok, outbox_retention: 7 }, 'alerting.outbox_retention', /alerting\.outbox_retention: must be string/);
  configError({ ...ok, outbox_retention: '1h' }, 'alerting.outbox_retention', /must be at least 4h5m30s \(the longest group_wait \+ group_interval \+ repeat_interval of the routes\)/);
  // A child route's repeat_interval counts, with what it inherits.
  configError(
    { ...ok, outbox_retention: '1d', route: { receiver: 'default', routes: [{ matchers: ['a="b"'], repeat_interval: '2d' }] } },
    'alerting.outbox_retention', /must be at least 2d5m30s/,
  );
  // Unset, it grows with a long repeat_interval instead of failing.
  assert.equal(parseAlertingConfig({ ...ok, route: { receiver: 'default', group_wait: '0s', group_interval: '1h', repeat_interval: '10d' } }).outboxRetentionMs, 10 * 86_400_000 + 3_600_000);
});
