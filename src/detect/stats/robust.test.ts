import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../domain/prng.ts';
import { Ewma, mad, MAD_SCALE, meanVariance, median, quantile, RollingWindow, SortedWindow, trimmedMean } from './robust.ts';

test('median, quantile (type 7), MAD and trimmed mean on small known inputs', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
  assert.equal(quantile([1, 2, 3, 4, 5], 0.25), 2);
  assert.equal(quantile([10, 20], 0.3), 13);
  assert.equal(quantile([5, 1, 9], 0), 1);
  assert.equal(quantile([5, 1, 9], 1), 9);
  // deviations from 3 of [1,2,3,4,100] = [2,1,0,1,97] → median 1
  assert.equal(mad([1, 2, 3, 4, 100], undefined, 1), 1);
  assert.ok(Math.abs(mad([1, 2, 3, 4, 100]) - MAD_SCALE) < 1e-15);
  assert.equal(trimmedMean([1, 2, 3, 4, 100], 0.2), 3);
  assert.equal(trimmedMean([1, 2, 3, 4, 100], 0), 22);
  assert.equal(trimmedMean([1, 2, 3, 4, 100], 0.5), 3);
  const input = [3, 1, 2];
  median(input);
  assert.deepEqual(input, [3, 1, 2], 'inputs are not modified');
});

test('MAD estimates σ for normal data', () => {
  const rng = new Rng(7);
  const xs = Array.from({ length: 20000 }, () => 10 + 3 * rng.normal());
  assert.ok(Math.abs(mad(xs) - 3) < 0.1, `mad=${mad(xs)}`);
});

test('RollingWindow: mean/variance equal a batch recomputation over a long stream, no drift', () => {
  const rng = new Rng(1);
  const w = new RollingWindow(50);
  const ref: number[] = [];
  for (let i = 0; i < 100_000; i++) {
    const x = 1e9 + rng.normal() * (i % 7 === 0 ? 1000 : 1); // large offset: cancellation bait
    const evicted = w.push(x);
    ref.push(x);
    if (ref.length > 50) assert.equal(evicted, ref.shift());
    if ((i % 997 === 0 && i > 0) || i === 99_999) {
      const mv = meanVariance(ref);
      assert.ok(Math.abs(w.mean() - mv.mean) < 1e-6, `mean at ${i}`);
      assert.ok(Math.abs(w.variance() - mv.variance) <= 1e-6 * mv.variance + 1e-6, `variance at ${i}: ${w.variance()} vs ${mv.variance}`);
    }
  }
  assert.equal(w.size, 50);
  assert.ok(w.full);
  assert.equal(w.last(), ref[49]);
  assert.deepEqual(Array.from(w.values()), ref);
});

test('RollingWindow: constant values give variance exactly 0; small windows report NaN', () => {
  const w = new RollingWindow(4);
  assert.ok(Number.isNaN(w.mean()));
  w.push(5);
  assert.ok(Number.isNaN(w.variance()));
  for (let i = 0; i < 20; i++) w.push(0.1);
  assert.equal(w.variance(), 0);
  assert.throws(() => new RollingWindow(0), RangeError);
});

test('SortedWindow keeps sorted order and rank counts under eviction', () => {
  const rng = new Rng(3);
  const w = new SortedWindow(64);
  const ref: number[] = [];
  for (let i = 0; i < 5000; i++) {
    const x = Math.round(rng.normal() * 5); // many ties
    w.push(x);
    ref.push(x);
    if (ref.length > 64) ref.shift();
    if (i % 101 === 0) {
      const s = [...ref].sort((a, b) => a - b);
      assert.equal(w.median(), quantile(s, 0.5));
      assert.equal(w.quantile(0.9), quantile(s, 0.9));
      assert.equal(w.min(), s[0]);
      assert.equal(w.max(), s[s.length - 1]);
      assert.equal(w.countAtLeast(2), s.filter((v) => v >= 2).length);
      assert.equal(w.countAtMost(-1), s.filter((v) => v <= -1).length);
      assert.equal(w.get(0), ref[0]);
    }
  }
});

test('Ewma: half-life weighting, mean and variance converge', () => {
  const e = new Ewma(10);
  assert.ok(Math.abs(e.alpha - (1 - Math.pow(0.5, 0.1))) < 1e-15);
  const rng = new Rng(11);
  for (let i = 0; i < 20000; i++) e.update(5 + 2 * rng.normal());
  assert.ok(Math.abs(e.mean - 5) < 1.0);
  assert.ok(Math.abs(e.std - 2) < 0.6, `std ${e.std}`);
  // A step: after one half-life the mean has moved about half-way.
  const s = new Ewma(10);
  for (let i = 0; i < 1000; i++) s.update(0);
  for (let i = 0; i < 10; i++) s.update(100);
  assert.ok(Math.abs(s.mean - 50) < 1e-9, `mean ${s.mean}`);
  s.update(NaN);
  assert.equal(s.count, 1010);
});
