/**
 * Count test: is this minute's count improbable under a negative binomial around the expected
 * count (Var = μ + αμ², α estimated per series)? Count-aware, so 3 failures when 0.06 are
 * expected and 300 when 250 are expected are judged on their own terms. Mid-p tails keep small
 * counts from being too conservative. A practical-effect gate (minimum ratio and absolute change)
 * keeps huge series from alerting on statistically significant but meaningless wiggles, and spares
 * the tail computation on ordinary minutes.
 */
import type { Direction } from '../domain/types.ts';
import { nbLowerMidP, nbSizeFromAlpha, nbUpperMidP, poissonLowerMidP, poissonUpperMidP } from './stats/distributions.ts';
import { bonferroni } from './stats/score.ts';

export interface CountGate {
  /** observed/expected at least this (up) or at most 1/this (down). */
  minRatio: number;
  /** |observed − expected| at least this many transactions. */
  minDelta: number;
}

export interface CountVerdict { p: number; ratio: number; delta: number }

/** One-sided mid-p of `observed` under NB(μ, α), or null when the effect gate is not passed. */
export function countTest(observed: number, mu: number, alpha: number, direction: Direction, gate: CountGate, tests: number): CountVerdict | null {
  const m = Math.max(mu, 1e-3);
  const delta = observed - m;
  const ratio = observed / m;
  if (direction === 'up') {
    if (delta < gate.minDelta || ratio < gate.minRatio) return null;
  } else if (-delta < gate.minDelta || ratio > 1 / gate.minRatio) return null;
  const r = nbSizeFromAlpha(alpha);
  const raw = Number.isFinite(r)
    ? direction === 'up' ? nbUpperMidP(observed, m, r) : nbLowerMidP(observed, m, r)
    : direction === 'up' ? poissonUpperMidP(observed, m) : poissonLowerMidP(observed, m);
  return { p: bonferroni(raw, tests), ratio, delta };
}

/**
 * Per-series overdispersion α from residuals of normal minutes: EWMA of ((x − μ)² − μ) over EWMA
 * of μ², clamped to [0, 2]. Starts Poisson (α = 0) and moves only with evidence.
 */
export class Dispersion {
  private num = 0;
  private den = 0;
  private n = 0;
  private readonly decay: number;

  constructor(halfLife = 720) {
    this.decay = Math.pow(2, -1 / halfLife);
  }

  update(x: number, mu: number): void {
    this.num = this.num * this.decay + ((x - mu) * (x - mu) - mu);
    this.den = this.den * this.decay + mu * mu;
    this.n++;
  }

  get alpha(): number {
    if (this.n < 30 || this.den <= 0) return 0;
    // Shrink toward Poisson while evidence is thin.
    const raw = Math.max(0, Math.min(2, this.num / this.den));
    return (raw * this.n) / (this.n + 60);
  }
}
