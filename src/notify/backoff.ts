/**
 * Retry timing for notification delivery: exponential backoff with full jitter
 * (delay = random × min(max, initial × 2^attempt), see AWS "Exponential Backoff and Jitter"),
 * honouring a server's Retry-After when it asks for longer. Pure: the random source is injected
 * (use `seededRandom` from domain/prng.ts in tests and replays).
 */
import type { DeliveryResult } from './types.ts';

export interface BackoffOptions {
  /** Cap of the first retry's delay, ms. Default 1000. */
  initialMs?: number;
  /** Largest delay, ms. Default 300000 (5 min). */
  maxMs?: number;
  /** Growth per attempt. Default 2. */
  factor?: number;
  /** Uniform [0, 1) source. Required so callers choose: seededRandom(seed) or Math.random at the edge. */
  random: () => number;
  /** Cap on an honoured Retry-After, ms (a server must not park us for days). Default 1 h. */
  maxRetryAfterMs?: number;
}

/**
 * Delay before retry number `attempt` (0 = the first retry, after the first failed send).
 * Full jitter in [0, min(maxMs, initialMs × factor^attempt)); when `retryAfterMs` is larger,
 * it wins (capped at maxRetryAfterMs).
 */
export function backoffDelay(attempt: number, opts: BackoffOptions, retryAfterMs?: number): number {
  const initial = opts.initialMs ?? 1000;
  const max = opts.maxMs ?? 300_000;
  const factor = opts.factor ?? 2;
  const ceiling = Math.min(max, initial * Math.pow(factor, Math.max(0, attempt)));
  const jittered = Math.floor(opts.random() * ceiling);
  if (retryAfterMs !== undefined && retryAfterMs > jittered) return Math.min(retryAfterMs, opts.maxRetryAfterMs ?? 3_600_000);
  return jittered;
}

export interface RetryPolicy extends BackoffOptions {
  /** Total attempts including the first. Default 12. */
  maxAttempts?: number;
  /** Give up when the next attempt would start later than this after the first, ms. Default 24 h. */
  giveUpAfterMs?: number;
}

export type RetryDecision =
  | { action: 'done' }
  | { action: 'retry'; delayMs: number; nextAttemptAt: number }
  | { action: 'give_up'; reason: string };

/**
 * What to do after attempt number `attempts` (1 = the first send) ended with `result`:
 * done on success, give up on a permanent failure or when attempts / time run out,
 * else retry after a backoff delay.
 */
export function planRetry(result: DeliveryResult, attempts: number, firstAttemptAt: number, now: number, policy: RetryPolicy): RetryDecision {
  if (result.ok) return { action: 'done' };
  if (!result.retryable) return { action: 'give_up', reason: `permanent failure: ${result.detail}` };
  const maxAttempts = policy.maxAttempts ?? 12;
  if (attempts >= maxAttempts) return { action: 'give_up', reason: `${attempts} attempts failed, last: ${result.detail}` };
  const delayMs = backoffDelay(attempts - 1, policy, result.retryAfterMs);
  const nextAttemptAt = now + delayMs;
  const giveUpAfter = policy.giveUpAfterMs ?? 86_400_000;
  if (nextAttemptAt - firstAttemptAt > giveUpAfter) {
    return { action: 'give_up', reason: `retrying beyond ${Math.round(giveUpAfter / 60_000)} min, last: ${result.detail}` };
  }
  return { action: 'retry', delayMs, nextAttemptAt };
}
