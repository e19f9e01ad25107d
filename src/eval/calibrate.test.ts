import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../domain/prng.ts';
import { BulkCalibrator } from './calibrate.ts';

function filled(values: number[], params = {}): BulkCalibrator {
  const c = new BulkCalibrator(params);
  for (const v of values) c.add(v);
  return c;
}

test('silent until minCount values; 0 at or below the median; monotone and continuous above it', () => {
  const rng = new Rng(1);
  const exp = Array.from({ length: 1024 }, () => -Math.log(1 - rng.uniform()));
  assert.equal(filled(exp.slice(0, 23)).logSf(50), 0);
  const c = filled(exp);
  assert.equal(c.logSf(c.median()), 0);
  assert.equal(c.logSf(0), 0);
  let prev = 0;
  for (let t = 0; t < 40; t += 0.01) {
    const lp = c.logSf(t);
    assert.ok(lp <= prev + 1e-12, `not monotone at ${t}`);
    assert.ok(prev - lp < 0.05, `jump at ${t}: ${prev} → ${lp}`);
    prev = lp;
  }
});

test('an exponential statistic gets p within a factor of the truth in the bulk, conservative in the tail', () => {
  const rng = new Rng(2);
  const c = filled(Array.from({ length: 1024 }, () => -Math.log(1 - rng.uniform())));
  // True P(T ≥ t) = e^{-t}; the tail is widened twice, so p is larger (conservative) out there.
  assert.ok(Math.abs(Math.exp(c.logSf(1.6)) - Math.exp(-1.6)) < 0.05);
  const lp10 = c.logSf(10);
  assert.ok(lp10 > -10 && lp10 < -4, `ln p at t = 10: ${lp10}`);
});

test('frequent anomalies do not teach the bulk that they are normal', () => {
  const rng = new Rng(3);
  // 12 % of the statistic's values are anomalies 20× the usual size.
  const values = Array.from({ length: 1024 }, (_, i) => (i % 8 === 0 ? 20 : 1) * -Math.log(1 - rng.uniform()));
  const c = filled(values, { floorDiscount: 0 });
  assert.ok(c.logSf(20) < Math.log(1e-3), `ln p of a typical anomaly: ${c.logSf(20)}`);
});

test('the conformal floor: what the series produces routinely cannot look like a one-in-a-million event', () => {
  const rng = new Rng(4);
  const values = Array.from({ length: 1024 }, (_, i) => (i % 50 === 0 ? 30 : -Math.log(1 - rng.uniform())));
  const floor = filled(values);
  const none = filled(values, { floorDiscount: 0 });
  // 21 earlier values ≥ 30: p ≥ 22/1025/10.
  assert.ok(Math.abs(floor.logSf(30) - Math.log(22 / 1025 / 10)) < 1e-9);
  assert.ok(none.logSf(30) < floor.logSf(30) - 5);
  // Beyond anything seen the floor does not apply.
  assert.equal(floor.logSf(200), none.logSf(200));
});

test('quantised statistics (mostly zero) fall back to the empirical upper tail', () => {
  const values = Array.from({ length: 1000 }, (_, i) => (i % 20 === 0 ? 1 : 0));
  const c = filled(values);
  const p1 = Math.exp(c.logSf(1));
  assert.ok(p1 > 0.01 && p1 < 0.2, `P(T ≥ 1) = ${p1}`); // 5 % of the values are 1
  assert.ok(c.logSf(5) < c.logSf(1));
});
