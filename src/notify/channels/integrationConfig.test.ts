import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { defaultAlertingConfig, parseAlertingConfig } from '../../alerting/config.ts';
import { assertConfigError } from '../../../test/helpers/configError.ts';
import { INTEGRATION_KINDS } from './index.ts';

/** The alerting section with every integration kind of the channels. */
const parse = (input: unknown) => parseAlertingConfig(input, { integrationKinds: INTEGRATION_KINDS });

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
  const c = parse(parseYaml(EXAMPLE));
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
  assertConfigError(() => parse(input), field, message);
}

const ok = { receivers: [{ name: 'default', log_configs: [{}] }], route: { receiver: 'default' } };

test('integration config errors name the key path and what was expected', () => {
  // Two Authorization headers are reported before a bad common key, as they always were.
  configError({ ...ok, receivers: [{ name: 'default', alertmanager_configs: [{ urls: ['http://x'], timeout: 'soon', bearer_token: 'a', basic_auth: { username: 'u', password: 'p' } }] }] }, 'alerting.receivers[0].alertmanager_configs[0]', /cannot both be set/);
  configError({ ...ok, receivers: [{ name: 'default', slack_configs: [{ channel: '#x' }] }] }, 'alerting.receivers[0].slack_configs[0]', /missing required key "webhook_url"/);
  configError({ ...ok, receivers: [{ name: 'default', webhook_configs: [{ url: 'http://x', timeout: 'soon' }] }] }, 'alerting.receivers[0].webhook_configs[0].timeout', /"soon" is not a duration/);
  configError({ ...ok, receivers: [{ name: 'default', webhook_configs: [{ url: 'http://x', bearer_token: 'a', basic_auth: { username: 'u', password: 'p' } }] }] }, 'alerting.receivers[0].webhook_configs[0]', /cannot both be set/);
  configError({ ...ok, receivers: [{ name: 'default', email_configs: [{ to: 3, from: 'a@b', host: 'h' }] }] }, 'alerting.receivers[0].email_configs[0].to', /must be a string or a non-empty list of strings/);
});

test('default config: a log receiver, plus integrations switched on by env vars', () => {
  const plain = defaultAlertingConfig({}, { integrationKinds: INTEGRATION_KINDS });
  assert.deepEqual(plain.receivers.map((r) => [r.name, r.integrations.map((i) => i.type)]), [['default', ['log']]]);
  assert.equal(plain.route.receiver, 'default');
  // no_data mutes sales_low; a critical <status>_high mutes a warning sales_low (same scope).
  assert.equal(plain.inhibitRules.length, 2);
  assert.deepEqual(plain.inhibitRules.map((r) => r.equal), [['scope'], ['scope']]);
  const withEnv = defaultAlertingConfig({ TXMON_WEBHOOK_URL: 'http://hook', TXMON_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/x', TXMON_EXTERNAL_URL: 'http://me:9' }, { integrationKinds: INTEGRATION_KINDS });
  assert.deepEqual(withEnv.receivers[0].integrations.map((i) => i.type), ['slack', 'webhook', 'log']);
  assert.equal(withEnv.externalUrl, 'http://me:9');
});

test('the complete example in docs/alerting.md is valid', async (t) => {
  const { readFile } = await import('node:fs/promises');
  let md: string;
  try {
    md = await readFile(new URL('../../../docs/alerting.md', import.meta.url), 'utf8');
  } catch {
    t.skip('docs/alerting.md absent');
    return;
  }
  const block = /### Complete example\s+```yaml\n([\s\S]*?)```/.exec(md);
  assert.ok(block, 'complete example block present');
  const c = parse((parseYaml(block[1]) as { alerting: unknown }).alerting);
  assert.deepEqual(c.receivers.map((r) => r.name), ['default', 'oncall', 'risk', 'blackhole']);
  assert.equal(c.route.routes.length, 3);
  assert.equal(c.inhibitRules.length, 2);
});
