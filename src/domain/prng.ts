/**
 * Seeded random numbers, for whatever must be random and reproducible: the simulator, the
 * synthetic checkout days of the tests, retry jitter in tests and replays, fuzzing.
 *
 * Counter-based for the simulator:
 * Every random quantity of the simulation is keyed by a few integers (seed, scope index, minute,
 * component, purpose tag) that are hashed into a 32-bit seed for a tiny sequential generator. So
 * the count of any (seed, scope, minute, status) can be computed on its own, in any order — the
 * live demo generates "now" without replaying history — and changing one rate (an incident) does
 * not shift the draws of any other cell.
 */

/** MurmurHash3's 32-bit finaliser: a bijective avalanche mix. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Hashes four 32-bit words into one 32-bit value. Numbers are reduced modulo 2^32 first, so pass
 * non-negative integers below 2^32 (epoch minutes are ≈ 3e7 for the next centuries).
 */
export function hash4(a: number, b: number, c: number, d: number): number {
  let h = fmix32((a ^ 0x3c6ef372) >>> 0);
  h = fmix32((h + Math.imul((b ^ 0x9e3779b9) >>> 0, 0x85ebca6b)) >>> 0);
  h = fmix32((h + Math.imul((c ^ 0x7f4a7c15) >>> 0, 0xc2b2ae35)) >>> 0);
  h = fmix32((h + Math.imul((d ^ 0x165667b1) >>> 0, 0x27d4eb2f)) >>> 0);
  return h;
}

const INV_2_32 = 1 / 4294967296;
const TWO_PI = 2 * Math.PI;

/**
 * A small sequential generator (mulberry32) restarted from a hashed key for each cell. One instance
 * is reused for many cells via `reset`, so the hot loop allocates nothing.
 */
export class Rng {
  private state: number;

  constructor(seed = 0) {
    this.state = seed >>> 0;
  }

  /** Restarts the stream from a 32-bit key (usually a `hash4` result). */
  reset(key: number): this {
    this.state = key >>> 0;
    return this;
  }

  /** Next raw 32-bit unsigned integer. */
  nextU32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in the open interval (0, 1): never 0, so logs are safe. */
  uniform(): number {
    return (this.nextU32() + 0.5) * INV_2_32;
  }

  /** Uniform in [lo, hi). */
  between(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Integer uniform in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor((hi - lo + 1) * this.uniform());
  }

  /** Standard normal (Box–Muller, one value per call). */
  normal(): number {
    return Math.sqrt(-2 * Math.log(this.uniform())) * Math.cos(TWO_PI * this.uniform());
  }

  /** Gamma(shape, scale 1) by Marsaglia–Tsang; shape < 1 uses the boost u^(1/shape). */
  gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * Math.pow(this.uniform(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = this.normal();
      let v = 1 + c * x;
      if (v <= 0) continue;
      v = v * v * v;
      const u = this.uniform();
      const x2 = x * x;
      if (u < 1 - 0.0331 * x2 * x2) return d * v;
      if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /**
   * Poisson(lambda): inversion for small means, Hörmann's PTRS transformed rejection (the
   * algorithm numpy uses) from 12 up, so the cost does not grow with the mean.
   */
  poisson(lambda: number): number {
    if (!(lambda > 0)) return 0;
    if (lambda < 12) {
      let p = Math.exp(-lambda);
      let f = p;
      const u = this.uniform();
      let k = 0;
      while (u > f && k < 200) {
        k++;
        p *= lambda / k;
        f += p;
      }
      return k;
    }
    const slam = Math.sqrt(lambda);
    const loglam = Math.log(lambda);
    const b = 0.931 + 2.53 * slam;
    const a = -0.059 + 0.02483 * b;
    const invalpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const U = this.uniform() - 0.5;
      const V = this.uniform();
      const us = 0.5 - Math.abs(U);
      const k = Math.floor(((2 * a) / us + b) * U + lambda + 0.43);
      if (us >= 0.07 && V <= vr) return k;
      if (k < 0 || (us < 0.013 && V > us)) continue;
      if (Math.log(V) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -lambda + k * loglam - logFactorial(k)) return k;
    }
  }

  /**
   * Gamma–Poisson mixture (negative binomial) with mean `lambda` and gamma shape `shape`:
   * variance = lambda + lambda² / shape. `shape` = Infinity gives a plain Poisson.
   */
  negBinomial(lambda: number, shape: number): number {
    if (!(lambda > 0)) return 0;
    if (shape === Infinity) return this.poisson(lambda);
    return this.poisson((lambda * this.gamma(shape)) / shape);
  }
}

const LOG_FACT_TABLE = (() => {
  const t = new Float64Array(128);
  for (let i = 2; i < 128; i++) t[i] = t[i - 1] + Math.log(i);
  return t;
})();

/** ln(n!) — a table below 128, Stirling's series above (error < 1e-12 there). */
export function logFactorial(n: number): number {
  if (n < 128) return LOG_FACT_TABLE[n];
  const inv = 1 / n;
  return n * Math.log(n) - n + 0.5 * Math.log(TWO_PI * n) + inv / 12 - (inv * inv * inv) / 360;
}

/**
 * A uniform [0, 1) source from a seed: the same mulberry32 stream as `new Rng(seed).nextU32()`
 * scaled to [0, 1); same seed, same sequence. For retry jitter in tests and replays, fuzzing and
 * synthetic data.
 */
export function seededRandom(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.nextU32() * INV_2_32;
}
