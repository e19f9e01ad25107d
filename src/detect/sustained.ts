/**
 * Sustained shift: log-likelihood-ratio CUSUM (Page 1954) on counts and shares, for slow
 * degradations no single minute shows. Each minute adds the log-likelihood ratio of "shifted"
 * (μ·shift, or share·shift) versus "as expected"; the sum, floored at 0, crosses h only when the
 * evidence for the shift has built up. Being a likelihood ratio, it is count-aware by construction:
 * one failure when 0.06 are expected adds ≈ 1.9, a quiet minute subtracts the expected excess.
 * e^−h bounds the false-alarm odds of one excursion; h = 12 ≈ 6·10⁻⁶.
 */
export interface CusumConfig { h: number; countShift: number; shareShift: number; dropShift: number; criticalAfterMinutes: number }

export class LlrCusum {
  value = 0;
  /** Minutes in the current excursion (since the statistic left 0). */
  run = 0;
  /** Consecutive minutes in alarm (statistic above h). */
  alarmed = 0;

  /** An independent chart in the same state (to look one step ahead without changing this one). */
  copy(): LlrCusum {
    const c = new LlrCusum();
    c.value = this.value;
    c.run = this.run;
    c.alarmed = this.alarmed;
    return c;
  }

  /**
   * Adds one increment; returns true while the statistic is above h. It is capped at 1.5·h so that
   * once the shift ends the alarm clears within a few normal minutes instead of paying back an
   * arbitrarily large sum — and stays on, without flapping, while the shift lasts.
   */
  add(increment: number, h: number): boolean {
    // One minute adds at most h/3: a single spike is the point tests' job, and must not leave a
    // "sustained" alarm behind it.
    this.value = Math.min(1.5 * h, Math.max(0, this.value + Math.min(increment, h / 3)));
    this.run = this.value > 0 ? this.run + 1 : 0;
    this.alarmed = this.value > h ? this.alarmed + 1 : 0;
    return this.value > h;
  }
}

/** Poisson LLR increment of count x for μ → μ·shift, deflated by overdispersion. */
export function countIncrement(x: number, mu: number, shift: number, alpha: number): number {
  const m = Math.max(mu, 0.02);
  const m1 = shift > 1 ? Math.max(m * shift, m + 1) : m * shift;
  return (x * Math.log(m1 / m) - (m1 - m)) / (1 + alpha * m);
}

/** Binomial LLR increment of k of n for p → p·shift, deflated by the beta-binomial ρ. */
export function shareIncrement(k: number, n: number, p: number, shift: number, rho: number): number {
  if (n <= 0) return 0;
  const p0 = Math.min(0.99, Math.max(p, 1e-4));
  const p1 = Math.min(0.995, p0 * shift);
  // Deflation capped at 4×: beyond that the chart would barely move in either direction.
  return (k * Math.log(p1 / p0) + (n - k) * Math.log((1 - p1) / (1 - p0))) / (1 + Math.min((n - 1) * rho, 3));
}
