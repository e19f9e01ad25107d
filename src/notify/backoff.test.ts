import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../domain/prng.ts';
import { backoffDelay, planRetry } from './backoff.ts';

test('full jitter stays below the exponential ceiling, and the cap holds', () => {
  const opts = { initialMs: 1000, maxMs: 60_000, random: seededRandom(7) };
  for (let attempt = 0; attempt < 12; attempt++) {
    const ceiling = Math.min(60_000, 1000 * 2 ** attempt);
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(attempt, opts);
      assert.ok(d >= 0 && d < ceiling, `attempt ${attempt}: ${d} < ${ceiling}`);
    }
  }
  // Extremes of the random source hit the bounds.
  assert.equal(backoffDelay(3, { initialMs: 1000, random: () => 0 }), 0);
  assert.equal(backoffDelay(3, { initialMs: 1000, random: () => 0.999999 }), 7999);
  assert.equal(backoffDelay(30, { initialMs: 1000, maxMs: 300_000, random: () => 0.5 }), 150_000);
});

test('Retry-After wins when larger, capped', () => {
  const opts = { initialMs: 1000, random: () => 0.5 };
  assert.equal(backoffDelay(0, opts, 30_000), 30_000);
  assert.equal(backoffDelay(0, opts, 10), 500, 'a smaller Retry-After does not shorten backoff');
  assert.equal(backoffDelay(0, { ...opts, maxRetryAfterMs: 60_000 }, 86_400_000), 60_000);
});

test('planRetry: done, permanent give-up, retry with delay, give up after attempts or time', () => {
  const policy = { initialMs: 1000, maxMs: 60_000, maxAttempts: 3, giveUpAfterMs: 3_600_000, random: () => 0.5 };
  const t0 = 1_000_000;
  assert.deepEqual(planRetry({ ok: true, retryable: false, detail: '' }, 1, t0, t0, policy), { action: 'done' });
  assert.equal(planRetry({ ok: false, retryable: false, status: 400, detail: 'x: HTTP 400' }, 1, t0, t0, policy).action, 'give_up');
  assert.deepEqual(planRetry({ ok: false, retryable: true, detail: 'x' }, 1, t0, t0, policy), { action: 'retry', delayMs: 500, nextAttemptAt: t0 + 500 });
  assert.deepEqual(planRetry({ ok: false, retryable: true, detail: 'x' }, 2, t0, t0, policy), { action: 'retry', delayMs: 1000, nextAttemptAt: t0 + 1000 });
  assert.equal(planRetry({ ok: false, retryable: true, detail: 'x' }, 3, t0, t0, policy).action, 'give_up');
  const late = planRetry({ ok: false, retryable: true, retryAfterMs: 7_200_000, detail: 'x' }, 1, t0, t0, { ...policy, maxRetryAfterMs: 7_200_000 });
  assert.equal(late.action, 'give_up');
});
