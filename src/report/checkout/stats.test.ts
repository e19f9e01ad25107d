import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logGamma, lowerTail, quantile, upperTail } from './stats.ts';

const close = (a: number, b: number, rel = 1e-9): void => assert.ok(Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b), 1e-300), `${a} ≈ ${b}`);

test('logGamma matches factorials', () => {
  assert.ok(Math.abs(logGamma(1)) < 1e-12 && Math.abs(logGamma(2)) < 1e-12);
  close(logGamma(6), Math.log(120));
  close(logGamma(0.5), Math.log(Math.sqrt(Math.PI)));
});

test('Poisson tails (α = 0) match closed forms', () => {
  close(lowerTail(0, 10, 0), Math.exp(-10));
  close(lowerTail(2, 3, 0), Math.exp(-3) * (1 + 3 + 4.5));
  close(upperTail(1, 3, 0), 1 - Math.exp(-3));
  // Far tail does not underflow to 0: P(X = 0 | μ = 800) = e^-800 ≈ 3.7e-348 is below double range,
  // but P(X ≤ 600 | 800) is representable.
  assert.ok(lowerTail(600, 800, 0) > 0 && lowerTail(600, 800, 0) < 1e-12);
});

test('negative binomial tails: geometric case and wider than Poisson', () => {
  // α = 1 → r = 1: geometric with p = 1/(1+μ); P(X = 0) = 1/(1+μ), P(X ≥ k) = (μ/(1+μ))^k.
  close(lowerTail(0, 4, 1), 0.2);
  close(upperTail(3, 4, 1), 0.8 ** 3);
  assert.ok(lowerTail(10, 30, 0.05) > lowerTail(10, 30, 0));
  close(lowerTail(7, 12, 0.1) + upperTail(8, 12, 0.1), 1, 1e-12);
});

test('quantile inverts the cdf', () => {
  for (const [mu, a] of [[0.5, 0], [30, 0.02], [400, 0.05], [5000, 0.01]] as const) {
    const q = quantile(0.975, mu, a);
    assert.ok(lowerTail(q, mu, a) >= 0.975 && (q === 0 || lowerTail(q - 1, mu, a) < 0.975), `mu=${mu}`);
  }
});
