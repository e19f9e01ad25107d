import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TxmonError } from '../domain/errors.ts';
import { alertingConfigOf } from './service.ts';

test('alertingConfigOf: defaults when nothing is routed; delivery / retention keys still apply on top', () => {
  const plain = alertingConfigOf({}, {});
  assert.deepEqual(plain.receivers.map((r) => r.name), ['default']);
  assert.equal(plain.outboxRetentionMs, 7 * 86_400_000);
  const tuned = alertingConfigOf({ outbox_retention: '2d', delivery: { max_attempts: 3 } }, {});
  assert.deepEqual(tuned.receivers.map((r) => r.name), ['default'], 'still the default receiver');
  assert.equal(tuned.outboxRetentionMs, 2 * 86_400_000);
  assert.equal(tuned.delivery.maxAttempts, 3);
  assert.throws(() => alertingConfigOf({ outbox_retention: 'a week' }, {}), (e: unknown) => e instanceof TxmonError && /alerting\.outbox_retention: "a week" is not a duration/.test(e.message));
  // A section that routes must be complete: no silent defaults for a half-written route.
  assert.throws(() => alertingConfigOf({ route: { receiver: 'x' } }, {}), /missing required key "receivers"/);
});

test("alertingConfigOf: links use the server's public URL (the one setting); the deprecated section key / TXMON_EXTERNAL_URL only without it", () => {
  // resolveConfig folds alerting.external_url and TXMON_EXTERNAL_URL into the public URL when
  // server.public_url / TXMON_PUBLIC_URL are unset (test/first-contact.test.ts); given one, it wins.
  const publicUrl = 'https://txmon.example/';
  assert.equal(alertingConfigOf({}, {}, publicUrl).externalUrl, 'https://txmon.example');
  assert.equal(alertingConfigOf({}, {}).externalUrl, 'http://localhost:8080', 'no public URL: the placeholder until the service listens');
  assert.equal(alertingConfigOf({}, { TXMON_EXTERNAL_URL: 'http://env:9' }, publicUrl).externalUrl, 'https://txmon.example');
  assert.equal(alertingConfigOf({}, { TXMON_EXTERNAL_URL: 'http://env:9' }).externalUrl, 'http://env:9');
  assert.equal(alertingConfigOf({ external_url: 'http://own' }, {}, publicUrl).externalUrl, 'https://txmon.example');
  assert.equal(alertingConfigOf({ external_url: 'http://own' }, {}).externalUrl, 'http://own');
  const routed = { receivers: [{ name: 'r' }], route: { receiver: 'r' } };
  assert.equal(alertingConfigOf(routed, {}, publicUrl).externalUrl, 'https://txmon.example');
});