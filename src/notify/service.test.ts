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
