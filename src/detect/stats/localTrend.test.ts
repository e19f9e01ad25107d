import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LocalTrend } from './localTrend.ts';

test('a steady ramp is followed without the lag of a moving average', () => {
  const t = new LocalTrend(30, 60);
  for (let m = 0; m < 240; m++) t.update(m, 100 + 0.5 * m);
  const truth = 100 + 0.5 * 240;
  // An EWMA with a 30-minute half-life lags a 0.5/min ramp by ≈ 0.5 × 43 ≈ 21; the damped trend (φ = 0.99: a trend is not projected for ever) by about half that.
  assert.ok(Math.abs(t.expected(240) - truth) < 12, `expected ${t.expected(240)} vs ${truth}`);
});

test('a flat noisy series gives its level and no trend to speak of', () => {
  const t = new LocalTrend(30, 60);
  for (let m = 0; m < 600; m++) t.update(m, 50 + ((m * 7919) % 11) - 5);
  assert.ok(Math.abs(t.expected(600) - 50) < 3, `expected ${t.expected(600)}`);
  assert.ok(Math.abs(t.expected(660) - t.expected(600)) < 3, 'no runaway projection an hour ahead');
});

test('gaps are bridged by the damped trend; never below zero; older minutes ignored', () => {
  const t = new LocalTrend(30, 60);
  for (let m = 0; m < 120; m++) t.update(m, Math.max(0, 200 - 2 * m));
  assert.equal(t.expected(10_000) >= 0, true);
  const before = t.expected(130);
  t.update(50, 1000);
  assert.equal(t.expected(130), before, 'a minute older than the last learned changes nothing');
  assert.equal(new LocalTrend(30, 60).expected(5), 0);
});
