/**
 * Share test: k of n transactions had this status; is that improbable when the expected share is
 * p0? A beta-binomial (intra-minute correlation ρ, estimated per series) absorbs the extra
 * variation real traffic shows over a plain binomial. Conditioning on n is what makes a legitimate
 * volume surge harmless: twice the traffic with the same mix is no anomaly. Silent below a minimum
 * volume (3 failures out of 4 at night is not evidence).
 */
import { betaBinomialShape, betaBinomialUpperMidP, binomialUpperMidP } from './stats/distributions.ts';
import { bonferroni } from './stats/score.ts';

export interface ShareGate {
  minTotal: number;
  /** observed share / expected share at least this. */
  minRatio: number;
  /** observed count − expected count at least this. */
  minDelta: number;
  /** Absolute share increase at least this (e.g. 0.01 = one percentage point). */
  minShareDelta: number;
}

export interface ShareVerdict { p: number; ratio: number; expectedCount: number }

export function shareTest(k: number, n: number, p0: number, rho: number, gate: ShareGate, tests: number): ShareVerdict | null {
  if (n < gate.minTotal) return null;
  const p = Math.min(0.999, Math.max(p0, 0.5 / Math.max(n, 1000)));
  const expectedCount = n * p;
  const share = k / n;
  if (k - expectedCount < gate.minDelta || share / p < gate.minRatio || share - p < gate.minShareDelta) return null;
  let raw: number;
  if (rho > 1e-6) {
    const { a, b } = betaBinomialShape(p, rho);
    raw = betaBinomialUpperMidP(k, n, a, b);
  } else raw = binomialUpperMidP(k, n, p);
  return { p: bonferroni(raw, tests), ratio: share / p, expectedCount };
}

/**
 * Expected share from pooled counts of recent normal minutes (Σk / Σn, exponentially weighted) and
 * the beta-binomial ρ from the excess of the minute-to-minute variance over the binomial's.
 */
export class ShareBaseline {
  private k = 0;
  private n = 0;
  private recentK = 0;
  private recentN = 0;
  private readonly recentDecay: number;
  private excess = 0;
  private weight = 0;
  private count = 0;
  private readonly decay: number;

  constructor(halfLife = 240, recentHalfLife = 60) {
    this.decay = Math.pow(2, -1 / halfLife);
    this.recentDecay = Math.pow(2, -1 / recentHalfLife);
  }

  /** The pooled share of the recent hour or so (half-life 60 min): follows the day's slow changes of mix. */
  get recentShare(): number {
    return this.recentN > 0 ? this.recentK / this.recentN : 0;
  }

  get history(): number { return this.count; }

  get share(): number {
    return this.n > 0 ? this.k / this.n : 0;
  }

  /** ρ in [0, 0.2]; 0 until 60 minutes of evidence. */
  get rho(): number {
    if (this.count < 60 || this.weight <= 0) return 0;
    return Math.max(0, Math.min(0.2, this.excess / this.weight));
  }

  learn(k: number, n: number): void {
    if (n <= 0) return;
    const p = this.share;
    if (this.count >= 10 && p > 0 && n > 1) {
      // For a beta-binomial, E[(k − np)²] = np(1−p)(1 + (n−1)ρ): solve for ρ minute by minute.
      const v = n * p * (1 - p);
      this.excess = this.excess * this.decay + ((k - n * p) ** 2 - v) / (v * (n - 1)) * n;
      this.weight = this.weight * this.decay + n;
    }
    this.k = this.k * this.decay + k;
    this.n = this.n * this.decay + n;
    this.recentK = this.recentK * this.recentDecay + k;
    this.recentN = this.recentN * this.recentDecay + n;
    this.count++;
  }
}
