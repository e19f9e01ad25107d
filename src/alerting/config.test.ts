import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertConfigError } from '../../test/helpers/configError.ts';
import { formatDuration, parseAlertingConfig, parseDuration } from './config.ts';

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

function configError(input: unknown, field: string, message: RegExp): void {
  assertConfigError(() => parseAlertingConfig(input), field, message);
}

const ok = { receivers: [{ name: 'default' }], route: { receiver: 'default' } };

test('config validation errors name the key path and what was expected', () => {
  configError({ ...ok, receivers: [{ name: 'default', log_configs: [{}] }] }, 'alerting.receivers[0]', /unknown key "log_configs"/);
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
  configError({ ...ok, inhibit_rules: [{ source_matchers: [], target_matchers: ['a="b"'] }] }, 'alerting.inhibit_rules[0].source_matchers', /at least one matcher/);
  configError({ ...ok, inhibit_rules: [{ source_matchers: ['a="b"'], target_matchers: ['c=~"("'] }] }, 'alerting.inhibit_rules[0].target_matchers[0]', /regex "\(" is invalid/);
  configError({ ...ok, delivery: { initial_backoff: '10m', max_backoff: '1m' } }, 'alerting.delivery.max_backoff', /must be at least initial_backoff \(10m\)/);
  configError('nope', 'alerting', /must be object/);
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
