/**
 * Sustained shift: log-likelihood-ratio CUSUM (Page 1954) on counts and shares, for slow
 * degradations no single minute shows. Each minute adds the log-likelihood ratio of "shifted"
 * (μ·shift, or share·shift) versus "as expected"; the sum, floored at 0, crosses h only when the
 * evidence for the shift has built up. Being a likelihood ratio, it is count-aware by construction:
 * one failure when 0.06 are expected adds ≈ 1.9, a quiet minute subtracts the expected excess.
 * e^−h bounds the false-alarm odds of one excursion; h = 12 ≈ 6·10⁻⁶.
 */
export interface CusumConfig {
  h: number;
  countShift: number;
  shareShift: number;
  dropShift: number;
  criticalAfterMinutes: number;
  /** Share shift the chart looks for while the expected share is not seasonal (short history). */
  shortHistoryShareShift: number;
  /** Consecutive minutes back at or below normal (increment ≤ 0) after which the chart restarts at 0. */
  resetAfterMinutes: number;
}

/**
 * One chart: the statistic plus what its current excursion saw (the run), so that a finding can
 * report the quantity the test judged — the mean over the run against the expected mean over the
 * same minutes — rather than the current minute, which may already be back to normal.
 */
export class LlrCusum {
  value = 0;
  /** Minutes in the current excursion (since the statistic left 0). */
  run = 0;
  /** Consecutive minutes in alarm (statistic above h). */
  alarmed = 0;
  /** Consecutive minutes back at normal (observed at or beyond expected on the safe side). */
  quiet = 0;
  /** First minute of the current excursion. */
  start = 0;
  /** The last increment added (> 0: this minute still supports the shift). */
  last = 0;
  /** Run sums: observed and expected totals and their weights (n for shares, 1 per minute for counts). */
  observed = 0;
  expected = 0;
  weight = 0;

  /** An independent chart in the same state (to look one step ahead without changing this one). */
  copy(): LlrCusum {
    const c = new LlrCusum();
    c.value = this.value;
    c.run = this.run;
    c.alarmed = this.alarmed;
    c.quiet = this.quiet;
    c.start = this.start;
    c.last = this.last;
    c.observed = this.observed;
    c.expected = this.expected;
    c.weight = this.weight;
    return c;
  }

  /** Mean observed value over the run (share: Σk/Σn; count: Σx / minutes). */
  get runObserved(): number { return this.weight > 0 ? this.observed / this.weight : 0; }
  /** Mean expected value over the same minutes. */
  get runExpected(): number { return this.weight > 0 ? this.expected / this.weight : 0; }

  /**
   * Adds one minute: its LLR increment and what was observed and expected (totals over `weight`);
   * returns true while the statistic is above h.
   *
   * - One minute adds at most h/3: a single spike is the point tests' job, and must not leave a
   *   "sustained" alarm behind it.
   * - The statistic is capped at 1.5·h, so the alarm clears soon once the shift ends instead of
   *   paying back an arbitrarily large sum.
   * - It restarts at 0 after `resetAfter` consecutive minutes back at normal (`normal`: observed
   *   at or below expected for a rise, at or above for a drop): an alarm must not outlive its
   *   evidence (a plain CUSUM keeps alarming for as long as it takes the normal minutes to pay
   *   back the cap — 30–40 min on a rare status). "Back at normal" is the expected value, not the
   *   chart's break-even between normal and shifted: a shift that hovers in between (a slow drift)
   *   keeps its chart, and its alert, instead of flapping.
   */
  add(increment: number, h: number, minute = 0, observed = 0, expected = 0, weight = 0, resetAfter = Infinity, normal = increment <= 0): boolean {
    const wasAtRest = this.value === 0;
    this.last = increment;
    this.quiet = normal ? this.quiet + 1 : 0;
    this.value = Math.min(1.5 * h, Math.max(0, this.value + Math.min(increment, h / 3)));
    if (this.quiet >= resetAfter) this.value = 0;
    if (this.value === 0) {
      this.run = 0;
      this.alarmed = 0;
      this.observed = this.expected = this.weight = 0;
      return false;
    }
    if (wasAtRest) {
      this.start = minute;
      this.run = 0;
      this.observed = this.expected = this.weight = 0;
    }
    this.run++;
    this.observed += observed;
    this.expected += expected;
    this.weight += weight;
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
