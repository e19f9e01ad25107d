import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, fmix32, hash4, logFactorial, seededRandom } from './prng.ts';

function moments(draw: () => number, n: number): { mean: number; variance: number } {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const x = draw();
    s += x;
    s2 += x * x;
  }
  const mean = s / n;
  return { mean, variance: s2 / n - mean * mean };
}

test('hash4 is deterministic and sensitive to every argument', () => {
  const h = hash4(1, 2, 3, 4);
  assert.equal(h, hash4(1, 2, 3, 4));
  assert.ok(h >= 0 && h < 2 ** 32 && Number.isInteger(h));
  const others = [hash4(0, 2, 3, 4), hash4(1, 0, 3, 4), hash4(1, 2, 0, 4), hash4(1, 2, 3, 0), hash4(2, 1, 3, 4)];
  for (const o of others) assert.notEqual(o, h);
  // Consecutive minutes must not give correlated streams: about half the bits flip.
  let flips = 0;
  for (let m = 0; m < 1000; m++) flips += popcount(hash4(7, 0, m, 0) ^ hash4(7, 0, m + 1, 0));
  assert.ok(Math.abs(flips / 1000 - 16) < 1, `mean flipped bits ${flips / 1000}`);
  assert.equal(fmix32(0), 0);
});

function popcount(x: number): number {
  let n = 0;
  for (let v = x >>> 0; v; v >>>= 1) n += v & 1;
  return n;
}

test('Rng.reset replays the same stream', () => {
  const r = new Rng();
  const a = [r.reset(42).uniform(), r.uniform(), r.uniform()];
  const b = [r.reset(42).uniform(), r.uniform(), r.uniform()];
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, [r.reset(43).uniform(), r.uniform(), r.uniform()]);
});

test('uniform stays inside (0, 1) with mean 1/2', () => {
  const r = new Rng(1);
  let min = 1;
  let max = 0;
  const m = moments(() => {
    const u = r.uniform();
    min = Math.min(min, u);
    max = Math.max(max, u);
    return u;
  }, 100_000);
  assert.ok(min > 0 && max < 1);
  assert.ok(Math.abs(m.mean - 0.5) < 0.005);
  assert.ok(Math.abs(m.variance - 1 / 12) < 0.002);
});

test('poisson has mean = variance = lambda, for the inversion and PTRS branches', () => {
  const r = new Rng(3);
  for (const lambda of [0.06, 1, 7, 11.9, 12, 30, 116, 2000]) {
    const { mean, variance } = moments(() => r.poisson(lambda), 40_000);
    assert.ok(Math.abs(mean - lambda) < 4 * Math.sqrt(lambda / 40_000) + 1e-9, `mean ${mean} for ${lambda}`);
    assert.ok(Math.abs(variance / lambda - 1) < 0.05, `variance ${variance} for ${lambda}`);
  }
  assert.equal(r.poisson(0), 0);
  assert.equal(r.poisson(-1), 0);
  assert.equal(r.poisson(Number.NaN), 0);
});

test('poisson gives integers ≥ 0', () => {
  const r = new Rng(5);
  for (let i = 0; i < 5000; i++) {
    const k = r.poisson(i % 2 ? 3.3 : 140);
    assert.ok(Number.isInteger(k) && k >= 0);
  }
});

test('gamma has mean = shape and variance = shape (scale 1)', () => {
  const r = new Rng(11);
  for (const shape of [0.5, 1, 20, 500]) {
    const { mean, variance } = moments(() => r.gamma(shape), 40_000);
    assert.ok(Math.abs(mean / shape - 1) < 0.03, `mean ${mean} for ${shape}`);
    assert.ok(Math.abs(variance / shape - 1) < 0.06, `variance ${variance} for ${shape}`);
  }
});

test('negBinomial is overdispersed: variance = λ + λ²/shape', () => {
  const r = new Rng(13);
  const { mean, variance } = moments(() => r.negBinomial(7, 20), 60_000);
  assert.ok(Math.abs(mean - 7) < 0.06, `mean ${mean}`);
  const expected = 7 + 49 / 20;
  assert.ok(Math.abs(variance / expected - 1) < 0.06, `variance ${variance}, expected ${expected}`);
  const p = moments(() => r.negBinomial(7, Infinity), 60_000);
  assert.ok(Math.abs(p.variance / 7 - 1) < 0.05, 'shape Infinity is Poisson');
});

test('logFactorial matches the exact sum on both sides of the table', () => {
  let exact = 0;
  for (let n = 1; n <= 400; n++) {
    exact += Math.log(n);
    assert.ok(Math.abs(logFactorial(n) - exact) < 1e-9 * Math.max(1, exact), `n=${n}`);
  }
  assert.equal(logFactorial(0), 0);
});

test('seededRandom is deterministic and uniform-ish in [0,1)', () => {
  const a = seededRandom(42);
  const b = seededRandom(42);
  const xs = Array.from({ length: 10_000 }, () => a());
  assert.deepEqual(xs.slice(0, 5), Array.from({ length: 5 }, () => b()));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.02, `mean ${mean}`);
  assert.notDeepEqual(xs.slice(0, 5), Array.from({ length: 5 }, seededRandom(43)));
});
