import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  betaBinomialLowerTail,
  betaBinomialShape,
  betaBinomialUpperMidP,
  betaBinomialUpperTail,
  betaBinomialUpperTailLog,
  BETA_BINOMIAL_EXACT_MAX_N,
  binomialLowerMidP,
  binomialLowerTail,
  binomialPmf,
  binomialUpperMidP,
  binomialUpperTail,
  binomialUpperTailLog,
  logGamma,
  nbLowerTail,
  nbQuantile,
  nbPmf,
  nbSizeFromAlpha,
  nbUpperMidP,
  nbUpperTail,
  nbUpperTailLog,
  normalCdf,
  normalQuantile,
  normalQuantileFromLogSf,
  normalSf,
  normalSfLog,
  poissonLowerMidP,
  poissonLowerTail,
  poissonLowerTailLog,
  poissonPmf,
  poissonPmfLog,
  poissonUpperMidP,
  poissonUpperTail,
  poissonUpperTailLog,
} from './distributions.ts';

/** |a − b| ≤ rel·|b| (+ a tiny absolute slack for zeros). */
function close(a: number, b: number, rel: number, msg = ''): void {
  const ok = Math.abs(a - b) <= rel * Math.abs(b) + 1e-300;
  assert.ok(ok, `${msg} got ${a}, expected ${b} (rel ${Math.abs(a - b) / Math.abs(b)})`);
}

// ---- independent references (not using the module's numerics) --------------------------------

/** ln n! by Stirling's series with enough terms for n ≥ 20, exact log-sum below. */
function lnFact(n: number): number {
  if (n < 20) {
    let s = 0;
    for (let i = 2; i <= n; i++) s += Math.log(i);
    return s;
  }
  const n2 = n * n;
  return (n + 0.5) * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * n) - 1 / (360 * n * n2) + 1 / (1260 * n2 * n2 * n);
}

/** P(X ≥ k) for Poisson by direct summation from pmf(0) = e^{−mu} (mu ≤ 700). */
function poissonUpperDirect(k: number, mu: number): number {
  let pmf = Math.exp(-mu);
  let below = 0;
  for (let j = 0; j < k; j++) {
    below += pmf;
    pmf *= mu / (j + 1);
  }
  // Sum the upper tail directly too, to keep precision when it is tiny.
  let upper = 0;
  for (let j = k; j < k + 5000; j++) {
    upper += pmf;
    pmf *= mu / (j + 1);
    if (pmf < upper * 1e-18) break;
  }
  return upper;
}

function poissonLowerDirect(k: number, mu: number): number {
  let pmf = Math.exp(-mu);
  let s = 0;
  for (let j = 0; j <= k; j++) {
    s += pmf;
    pmf *= mu / (j + 1);
  }
  return s;
}

/**
 * ln pmf(k) for Poisson without the cancellation of k·ln(mu) − lnΓ(k+1) at large k: written as
 * k·log1p((mu−k)/k) + k − mu − [lnΓ(k+1) − (k+½)ln k + k] − ½ln k, with Stirling's series.
 */
function poissonLogPmfRef(k: number, mu: number): number {
  if (k < 20) return k * Math.log(mu) - mu - lnFact(k);
  const k2 = k * k;
  const corr = 0.5 * Math.log(2 * Math.PI) + 1 / (12 * k) - 1 / (360 * k * k2) + 1 / (1260 * k2 * k2 * k);
  return k * Math.log1p((mu - k) / k) + k - mu - corr - 0.5 * Math.log(k);
}

/** ln P(X ≥ k), Poisson, by summing pmf terms relative to pmf(k) (k above the mean). */
function poissonUpperLogDirect(k: number, mu: number): number {
  const l0 = poissonLogPmfRef(k, mu);
  let t = 1;
  let s = 1;
  for (let j = k + 1; j < k + 200_000; j++) {
    t *= mu / j;
    s += t;
    if (t < s * 1e-18) break;
  }
  return l0 + Math.log(s);
}

/** ln P(X ≤ k), Poisson, by summing downward from pmf(k) (k below the mean). */
function poissonLowerLogDirect(k: number, mu: number): number {
  const l0 = poissonLogPmfRef(k, mu);
  let t = 1;
  let s = 1;
  for (let j = k; j > 0; j--) {
    t *= j / mu;
    s += t;
    if (t < s * 1e-18) break;
  }
  return l0 + Math.log(s);
}

function binomialUpperDirect(k: number, n: number, p: number): number {
  let s = 0;
  for (let j = k; j <= n; j++) s += Math.exp(lnFact(n) - lnFact(j) - lnFact(n - j) + j * Math.log(p) + (n - j) * Math.log1p(-p));
  return s;
}

function nbPmfsDirect(mu: number, r: number, upTo: number): number[] {
  const q = mu / (r + mu);
  const out = [Math.pow(r / (r + mu), r)];
  for (let k = 0; k < upTo; k++) out.push((out[k] * (k + r) * q) / (k + 1));
  return out;
}

// ---- normal --------------------------------------------------------------------------------

test('normalSf matches known values', () => {
  close(normalSf(3), 0.0013498980316301, 1e-12);
  close(normalSf(1.96), 0.024997895148220435, 1e-12);
  close(normalSf(5), 2.866515718791939e-7, 1e-12);
  close(normalSf(10), 7.619853024160527e-24, 1e-12);
  close(normalSf(0), 0.5, 1e-15);
  close(normalSf(-3), 1 - 0.0013498980316301, 1e-14);
  close(normalCdf(1.96), 1 - 0.024997895148220435, 1e-14);
});

test('normalSfLog stays exact in the extreme tail (p far below 1e-308)', () => {
  for (const z of [30, 40, 50, 100, 1000]) {
    const z2 = z * z;
    const asym = -z2 / 2 - Math.log(z * Math.sqrt(2 * Math.PI)) + Math.log(1 - 1 / z2 + 3 / (z2 * z2) - 15 / (z2 * z2 * z2) + 105 / (z2 * z2 * z2 * z2));
    close(normalSfLog(z), asym, 1e-12, `z=${z}`);
  }
  assert.equal(normalSf(40), 0); // underflows as a number, but…
  assert.ok(Number.isFinite(normalSfLog(40)) && normalSfLog(40) < -800);
});

test('normalQuantile inverts normalCdf over 1e-300 … 1 − 1e-12', () => {
  close(normalQuantile(0.975), 1.959963984540054, 1e-13);
  close(normalQuantile(1e-10), -6.361340902404056, 1e-12);
  assert.equal(normalQuantile(0.5), 0);
  for (let e = -300; e <= -1; e += 7) {
    const p = Math.pow(10, e);
    const z = normalQuantile(p);
    close(normalCdf(z), p, 1e-11, `p=${p}`);
  }
  for (const p of [0.6, 0.9, 0.99, 1 - 1e-6, 1 - 1e-12]) close(normalSf(normalQuantile(p)), 1 - p, 1e-6, `p=${p}`);
  assert.equal(normalQuantile(0), -Infinity);
  assert.equal(normalQuantile(1), Infinity);
  assert.ok(Number.isNaN(normalQuantile(1.5)));
});

test('normalQuantileFromLogSf handles p below the double range', () => {
  for (const lp of [-2, -50, -800, -5000]) close(normalSfLog(normalQuantileFromLogSf(lp)), lp, 1e-12, `logP=${lp}`);
});

// ---- Poisson ---------------------------------------------------------------------------------

test('Poisson tails at low rate (λ = 0.06)', () => {
  close(poissonUpperTail(1, 0.06), -Math.expm1(-0.06), 1e-14);
  const p3 = 1 - Math.exp(-0.06) * (1 + 0.06 + 0.0018);
  close(poissonUpperTail(3, 0.06), poissonUpperDirect(3, 0.06), 1e-13);
  close(poissonUpperTail(3, 0.06), p3, 1e-9); // the naive 1 − … form loses digits, hence 1e-9
  close(poissonUpperTail(3, 0.06), 3.441824024472e-5, 1e-11);
  assert.equal(poissonUpperTail(0, 0.06), 1);
  close(poissonLowerTail(0, 0.06), Math.exp(-0.06), 1e-14);
});

test('Poisson(116) lower tail P(X ≤ 80) and a grid against direct summation', () => {
  close(poissonLowerTail(80, 116), poissonLowerDirect(80, 116), 1e-12);
  close(poissonLowerTail(80, 116), 2.566044138e-4, 1e-8);
  for (const mu of [0.5, 3, 17.5, 116, 400]) {
    for (const k of [0, 1, 2, Math.floor(mu / 2), Math.floor(mu), Math.ceil(mu * 1.5) + 3, Math.ceil(mu * 3) + 10]) {
      close(poissonUpperTail(k, mu), k === 0 ? 1 : poissonUpperDirect(k, mu), 1e-11, `P(X≥${k}; ${mu})`);
      close(poissonLowerTail(k, mu), poissonLowerDirect(k, mu), 1e-11, `P(X≤${k}; ${mu})`);
    }
  }
});

test('Poisson identity upper(k) + lower(k−1) = 1 and upper − pmf = P(X > k), up to mu = 1e7', () => {
  for (const mu of [0.01, 1, 42, 1e3, 1e5, 1e7]) {
    const sd = Math.sqrt(mu);
    for (const dz of [-3, -1, 0, 0.5, 2, 4]) {
      const k = Math.max(1, Math.round(mu + dz * sd));
      const up = poissonUpperTail(k, mu);
      const lo = poissonLowerTail(k - 1, mu);
      close(up + lo, 1, 1e-12, `mu=${mu} k=${k}`);
      close(poissonUpperTail(k + 1, mu), up - poissonPmf(k, mu), 1e-9, `mu=${mu} k=${k}`);
    }
  }
});

test('Poisson large-argument tails match direct log-space summation (mu 1e6, 1e7)', () => {
  for (const [mu, dz] of [[1e6, 3], [1e6, 10], [1e7, 2], [1e7, 6]] as const) {
    const k = Math.round(mu + dz * Math.sqrt(mu));
    close(poissonUpperTailLog(k, mu), poissonUpperLogDirect(k, mu), 1e-9, `upper mu=${mu} k=${k}`);
    const kl = Math.round(mu - dz * Math.sqrt(mu));
    close(poissonLowerTailLog(kl, mu), poissonLowerLogDirect(kl, mu), 1e-9, `lower mu=${mu} k=${kl}`);
  }
});

test('Poisson extreme tails do not underflow in log space', () => {
  // P(X ≥ 200; 1) ≈ e^{-1}/200! ≈ 1e-375: 0 as a number, exact as a log.
  close(poissonUpperTailLog(200, 1), poissonUpperLogDirect(200, 1), 1e-12);
  assert.equal(poissonUpperTail(200, 1), 0);
  // ~1e-30: representable, must be accurate.
  close(poissonUpperTail(30, 0.5), Math.exp(poissonUpperLogDirect(30, 0.5)), 1e-11);
  const lp = poissonUpperTailLog(30, 0.5) / Math.LN10;
  assert.ok(lp < -30 && lp > -50, `log10 p = ${lp}`);
  close(poissonLowerTailLog(0, 5000), -5000, 1e-15);
  close(poissonLowerTailLog(10, 1e5), poissonLowerLogDirect(10, 1e5), 1e-10);
});

test('Poisson tails are monotone in k and in mu', () => {
  let prev = 1;
  for (let k = 0; k < 300; k++) {
    const p = poissonUpperTail(k, 100);
    assert.ok(p <= prev, `k=${k}`);
    prev = p;
  }
  prev = 0;
  for (let mu = 1; mu < 400; mu *= 1.1) {
    const p = poissonUpperTail(100, mu);
    assert.ok(p >= prev, `mu=${mu}`);
    prev = p;
  }
});

test('Poisson pmf is precise at large counts', () => {
  const k = 10_000_000;
  close(poissonPmfLog(k, k), -0.5 * Math.log(2 * Math.PI * k) - 1 / (12 * k), 1e-12);
  assert.equal(poissonPmfLog(2.5, 3), -Infinity);
});

test('Poisson mid-p', () => {
  close(poissonUpperMidP(0, 2), 1 - 0.5 * Math.exp(-2), 1e-14);
  close(poissonUpperMidP(5, 2), poissonUpperTail(6, 2) + 0.5 * poissonPmf(5, 2), 1e-12);
  close(poissonLowerMidP(5, 2), poissonLowerTail(4, 2) + 0.5 * poissonPmf(5, 2), 1e-12);
  // mid-p < plain tail (less conservative)
  assert.ok(poissonUpperMidP(3, 0.06) < poissonUpperTail(3, 0.06));
});

// ---- negative binomial ------------------------------------------------------------------------

test('NB with r = 1 is geometric: P(X ≥ k) = (mu/(1+mu))^k', () => {
  for (const mu of [0.3, 5, 200]) {
    for (const k of [1, 3, 10, 50]) close(nbUpperTail(k, mu, 1), Math.pow(mu / (1 + mu), k), 1e-12, `mu=${mu} k=${k}`);
  }
});

test('NB tails match direct summation of the pmf', () => {
  for (const [mu, r] of [[10, 2.5], [100, 20], [3, 0.5], [500, 50]] as const) {
    const pmfs = nbPmfsDirect(mu, r, Math.ceil(mu * 6 + 200));
    for (const k of [0, 1, Math.floor(mu / 3), Math.floor(mu), Math.ceil(mu * 2), Math.ceil(mu * 4)]) {
      let lower = 0;
      for (let j = 0; j <= k; j++) lower += pmfs[j];
      let upper = 0;
      for (let j = k; j < pmfs.length; j++) upper += pmfs[j];
      close(nbLowerTail(k, mu, r), lower, 1e-10, `lower mu=${mu} r=${r} k=${k}`);
      close(nbUpperTail(k, mu, r), upper, 1e-9, `upper mu=${mu} r=${r} k=${k}`);
      close(nbPmf(k, mu, r), pmfs[k], 1e-11, `pmf mu=${mu} r=${r} k=${k}`);
    }
  }
});

test('NB degenerates to Poisson as r grows, continuously across the Poisson switch', () => {
  const mu = 100;
  const k = 130;
  const pois = poissonUpperTail(k, mu);
  let prevErr = Infinity;
  for (const r of [10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8]) {
    const err = Math.abs(nbUpperTail(k, mu, r) - pois) / pois;
    assert.ok(err < prevErr, `r=${r} err=${err}`);
    prevErr = err;
  }
  assert.ok(prevErr < 1e-5);
  close(nbUpperTail(k, mu, 0.99e9), nbUpperTail(k, mu, 1.01e9), 1e-6);
  close(nbUpperTail(k, mu, Infinity), pois, 1e-15);
  // Overdispersion makes a high count less surprising.
  assert.ok(nbUpperTail(k, mu, 10) > pois);
});

test('NB extreme tails stay finite in log space, and identities hold at large mu', () => {
  const l = nbUpperTailLog(5000, 10, 50);
  assert.ok(Number.isFinite(l) && l < -2000, `log p = ${l}`);
  for (const [mu, r] of [[1e5, 100], [1e6, 1e4]] as const) {
    const k = Math.round(mu * 1.05);
    close(nbUpperTail(k, mu, r) + nbLowerTail(k - 1, mu, r), 1, 1e-12, `mu=${mu}`);
  }
  close(nbUpperMidP(4, 3, 2), nbUpperTail(5, 3, 2) + 0.5 * nbPmf(4, 3, 2), 1e-12);
});

test('NB quantile inverts the cdf: the smallest k with P(X ≤ k) ≥ q', () => {
  for (const [mu, alpha] of [[0.5, 0], [30, 0.02], [400, 0.05], [5000, 0.01], [2, 1.5], [0.1, 0.3]] as const) {
    const r = nbSizeFromAlpha(alpha);
    for (const q of [0.001, 0.025, 0.5, 0.975, 0.999]) {
      const k = nbQuantile(q, mu, r);
      assert.ok(nbLowerTail(k, mu, r) >= q && (k === 0 || nbLowerTail(k - 1, mu, r) < q), `q=${q} mu=${mu} alpha=${alpha}: k=${k}`);
    }
  }
  // Geometric (r = 1, mu = 4): P(X ≤ k) = 1 − 0.8^{k+1}; P(X ≤ 2) = 0.488, P(X ≤ 3) = 0.590.
  assert.equal(nbQuantile(0.5, 4, 1), 3);
  assert.equal(nbQuantile(0, 10, 1), 0);
  assert.equal(nbQuantile(1, 10, 1), Infinity);
});

// ---- binomial -------------------------------------------------------------------------------

test('Binomial(10, 0.5) tails are the exact rationals', () => {
  const c = [1, 10, 45, 120, 210, 252, 210, 120, 45, 10, 1];
  for (let k = 0; k <= 10; k++) {
    let up = 0;
    for (let j = k; j <= 10; j++) up += c[j];
    let lo = 0;
    for (let j = 0; j <= k; j++) lo += c[j];
    close(binomialUpperTail(k, 10, 0.5), up / 1024, 1e-13, `≥${k}`);
    close(binomialLowerTail(k, 10, 0.5), lo / 1024, 1e-13, `≤${k}`);
    close(binomialPmf(k, 10, 0.5), c[k] / 1024, 1e-13, `=${k}`);
  }
  assert.equal(binomialUpperTail(11, 10, 0.5), 0);
  assert.equal(binomialLowerTail(10, 10, 0.5), 1);
});

test('Binomial tails against direct sums, extreme tail in logs, identities at n = 1e7', () => {
  for (const [n, p] of [[1000, 0.01], [200, 0.3], [5000, 0.002]] as const) {
    for (const k of [1, Math.ceil(n * p), Math.ceil(n * p * 2) + 2, Math.ceil(n * p * 4) + 5]) close(binomialUpperTail(k, n, p), binomialUpperDirect(k, n, p), 1e-10, `n=${n} p=${p} k=${k}`);
  }
  // 60 failures out of 100 at p = 0.01: ~1e-90.
  const l = binomialUpperTailLog(60, 100, 0.01) / Math.LN10;
  assert.ok(l < -85 && l > -100, `log10 p = ${l}`);
  close(binomialUpperTail(60, 100, 0.01), binomialUpperDirect(60, 100, 0.01), 1e-9);
  const n = 10_000_000;
  const k = 1_003_000;
  close(binomialUpperTail(k, n, 0.1) + binomialLowerTail(k - 1, n, 0.1), 1, 1e-12);
  close(binomialUpperMidP(3, 10, 0.2), binomialUpperTail(4, 10, 0.2) + 0.5 * binomialPmf(3, 10, 0.2), 1e-12);
  close(binomialLowerMidP(3, 10, 0.2), binomialLowerTail(2, 10, 0.2) + 0.5 * binomialPmf(3, 10, 0.2), 1e-12);
});

// ---- beta-binomial --------------------------------------------------------------------------

test('beta-binomial with a = b = 1 is uniform on 0..n', () => {
  for (const n of [10, 500]) {
    for (const k of [0, 1, Math.floor(n / 3), Math.floor(n / 2) + 1, n]) {
      close(betaBinomialUpperTail(k, n, 1, 1), (n - k + 1) / (n + 1), 1e-11, `n=${n} k=${k}`);
      close(betaBinomialLowerTail(k, n, 1, 1), (k + 1) / (n + 1), 1e-11, `n=${n} k=${k}`);
    }
  }
  // Moment-matched approximation above the exact limit.
  const n = BETA_BINOMIAL_EXACT_MAX_N * 5;
  for (const k of [Math.floor(n / 10), Math.floor(n / 2), Math.floor(n * 0.9)]) close(betaBinomialUpperTail(k, n, 1, 1), (n - k + 1) / (n + 1), 1e-3, `approx k=${k}`);
});

test('beta-binomial → binomial as rho → 0, heavier tail when overdispersed', () => {
  const { a, b } = betaBinomialShape(0.05, 1e-7);
  close(betaBinomialUpperTail(15, 100, a, b), binomialUpperTail(15, 100, 0.05), 1e-4);
  const od = betaBinomialShape(0.05, 0.05);
  assert.ok(betaBinomialUpperTail(15, 100, od.a, od.b) > 10 * binomialUpperTail(15, 100, 0.05));
  close(betaBinomialUpperTail(15, 100, od.a, od.b) + betaBinomialLowerTail(14, 100, od.a, od.b), 1, 1e-12);
  const l = betaBinomialUpperTailLog(990, 1000, a, b);
  assert.ok(Number.isFinite(l) && l < -1000);
  assert.ok(betaBinomialUpperMidP(15, 100, od.a, od.b) < betaBinomialUpperTail(15, 100, od.a, od.b));
});

test('logGamma matches factorials and the half-integer values', () => {
  close(logGamma(0.5), 0.5 * Math.log(Math.PI), 1e-14);
  close(logGamma(11), Math.log(3628800), 1e-14);
  close(logGamma(1e7 + 1), lnFact(1e7), 1e-13);
});
