import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bonferroni, CRITICAL_SCORE, INFO_SCORE, pFromScore, scoreFromLogP, scoreFromP, severityFromScore, WARNING_SCORE } from './score.ts';

test('score anchors: 0 at p ≥ 0.05, 50 at 1e-4, 80 at 1e-7, below 100 always', () => {
  assert.equal(scoreFromP(1), 0);
  assert.equal(scoreFromP(0.05), 0);
  assert.equal(scoreFromP(0.2), 0);
  assert.ok(Math.abs(scoreFromP(1e-4) - WARNING_SCORE) < 1e-9);
  assert.ok(Math.abs(scoreFromP(1e-7) - CRITICAL_SCORE) < 1e-9);
  assert.ok(scoreFromP(1e-30) < 100 && scoreFromP(1e-30) > 99);
  assert.equal(scoreFromP(0), 100);
  assert.equal(scoreFromP(NaN), 0);
  assert.ok(Math.abs(scoreFromLogP(Math.log(1e-4)) - 50) < 1e-9);
  assert.ok(scoreFromLogP(-5000) > 99.99); // p below the double range still scores
});

test('score is monotone in p and pFromScore inverts it', () => {
  let prev = -1;
  for (let e = 0; e <= 40; e += 0.05) {
    const s = scoreFromP(Math.pow(10, -e));
    assert.ok(s >= prev, `non-monotone at 1e-${e}`);
    prev = s;
  }
  for (const score of [1, 20, 49.9, 50, 65, 80, 95, 99.9]) {
    assert.ok(Math.abs(scoreFromP(pFromScore(score)) - score) < 1e-9, `score ${score}`);
  }
  assert.equal(severityFromScore(CRITICAL_SCORE), 'critical');
  assert.equal(severityFromScore(WARNING_SCORE), 'warning');
  assert.equal(severityFromScore(INFO_SCORE), 'info');
  assert.equal(severityFromScore(5), 'none');
});

test('Bonferroni adjustment', () => {
  assert.ok(Math.abs(bonferroni(1e-6, 100) - 1e-4) < 1e-18);
  assert.equal(bonferroni(0.1, 100), 1);
  assert.equal(bonferroni(0.01, 1), 0.01);
});
