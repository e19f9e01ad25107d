import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../domain/prng.ts';
import { SortedWindow } from './robust.ts';
import { lowerTailScale, TailCalibrator, upperTailScale } from './tail.ts';

test('TailCalibrator: for Exp(1) data the tail p ≈ e^{-t}', () => {
  const rng = new Rng(4);
  const c = new TailCalibrator({ window: 4096 });
  for (let i = 0; i < 4096; i++) c.add(-Math.log(rng.uniform()));
  for (const t of [3, 6, 10]) {
    const lp = c.logSf(t);
    assert.ok(Math.abs(lp - -t) < 0.25 * t, `t=${t} ln p=${lp}`);
  }
  assert.equal(c.logSf(0.1), 0); // below the median
  assert.ok(c.logSf(1.5) < 0 && c.logSf(1.5) > Math.log(0.2));
});

test('TailCalibrator: silent until minCount, monotone, robust to a few outliers', () => {
  const rng = new Rng(8);
  const c = new TailCalibrator({ minCount: 64 });
  for (let i = 0; i < 63; i++) c.add(Math.abs(rng.normal()));
  assert.equal(c.logSf(100), 0);
  for (let i = 0; i < 1000; i++) c.add(Math.abs(rng.normal()));
  let prev = 0;
  for (let t = 0; t < 20; t += 0.25) {
    const lp = c.logSf(t);
    assert.ok(lp <= prev + 1e-12, `t=${t}`);
    prev = lp;
  }
  const before = c.logSf(6);
  for (let i = 0; i < 5; i++) c.add(1000); // an incident in the history
  const after = c.logSf(6);
  assert.ok(after < Math.log(1e-4), `6σ still surprising after outliers: ln p ${after} (before ${before})`);
});

test('TailCalibrator: constant history → p = 1 for the constant, ≈ 0 for anything larger', () => {
  const c = new TailCalibrator();
  for (let i = 0; i < 200; i++) c.add(0);
  assert.equal(c.logSf(0), 0);
  assert.ok(c.logSf(1e-6) < -100);
});

test('tail scales stay positive on quantised data and ignore the top 1%', () => {
  const w = new SortedWindow(1000);
  for (let i = 0; i < 1000; i++) w.push(i % 20 === 0 ? 5 : i % 7 === 0 ? 4 : 1); // ties
  const u = w.quantile(0.9);
  assert.ok(upperTailScale(w, u) > 0.5, `β=${upperTailScale(w, u)}`);
  const l = w.quantile(0.1);
  assert.equal(lowerTailScale(w, l), 0); // nothing below the 10th percentile
  const e = new SortedWindow(2000);
  const rng = new Rng(2);
  for (let i = 0; i < 2000; i++) e.push(-Math.log(rng.uniform()) * 3);
  const b = upperTailScale(e, e.quantile(0.9));
  assert.ok(b > 2.4 && b < 4, `β≈3, got ${b}`);
});
