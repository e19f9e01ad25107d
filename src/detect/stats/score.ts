/**
 * One scale for every test: a tail probability p becomes an anomaly score in [0, 100] that means
 * the same for a count, a share or a latency, on a quiet series or a busy one.
 *
 * The score is piecewise in s = −log10 p (monotone decreasing in p, continuous):
 *
 *   p ≥ 0.05            →  0                  (not unusual at all)
 *   0.05 > p ≥ 1e-4     →  0 … 50, linear in s (≈ 18.5 points per decade)
 *   1e-4 > p ≥ 1e-7     →  50 … 80, linear in s (10 points per decade)
 *   p < 1e-7            →  100 − 20·e^{−(s−7)/3} (→ 100, never reaching it: big tails stay ordered)
 *
 * Thresholds: {@link WARNING_SCORE} = 50 ⇔ p = 1e-4 and {@link CRITICAL_SCORE} = 80 ⇔ p = 1e-7,
 * {@link INFO_SCORE} = 20 ⇔ p ≈ 4.1e-3. Why these p: a series scored every minute produces a
 * p ≤ 1e-4 by chance about once a week (10 080 minutes) and p ≤ 1e-7 about once in 19 years, per
 * test. With many series tested each minute, adjust first ({@link bonferroni}) so that the
 * family-wise rate, not the per-series rate, is what the thresholds bound.
 */

export const SCORE_ZERO_P = 0.05;
export const WARNING_SCORE = 50;
export const CRITICAL_SCORE = 80;
export const INFO_SCORE = 20;

const S0 = -Math.log10(SCORE_ZERO_P); // 1.301
const S_WARN = 4;
const S_CRIT = 7;
const TAIL_DECADES = 3;

/** Score in [0, 100) from −log10 p (s ≥ 0); NaN → 0. */
export function scoreFromLog10P(s: number): number {
  if (!(s > S0)) return 0;
  if (s <= S_WARN) return (WARNING_SCORE * (s - S0)) / (S_WARN - S0);
  if (s <= S_CRIT) return WARNING_SCORE + ((CRITICAL_SCORE - WARNING_SCORE) * (s - S_WARN)) / (S_CRIT - S_WARN);
  return 100 - (100 - CRITICAL_SCORE) * Math.exp(-(s - S_CRIT) / TAIL_DECADES);
}

/** Score in [0, 100) from a tail probability p. */
export function scoreFromP(p: number): number {
  return scoreFromLog10P(-Math.log10(p));
}

/** Score from a natural-log probability (what the `…Log` tail functions return). */
export function scoreFromLogP(logP: number): number {
  return scoreFromLog10P(-logP / Math.LN10);
}

/** Inverse of {@link scoreFromP} on (0, 100): the p that maps to `score` (score ≤ 0 → 0.05). */
export function pFromScore(score: number): number {
  if (score <= 0) return SCORE_ZERO_P;
  if (score >= 100) return 0;
  let s: number;
  if (score <= WARNING_SCORE) s = S0 + (score / WARNING_SCORE) * (S_WARN - S0);
  else if (score <= CRITICAL_SCORE) s = S_WARN + ((score - WARNING_SCORE) / (CRITICAL_SCORE - WARNING_SCORE)) * (S_CRIT - S_WARN);
  else s = S_CRIT - TAIL_DECADES * Math.log((100 - score) / (100 - CRITICAL_SCORE));
  return Math.pow(10, -s);
}

/** Severity of a score: ≥ 80 critical, ≥ 50 warning, ≥ 20 info, else none. */
export function severityFromScore(score: number): 'none' | 'info' | 'warning' | 'critical' {
  if (score >= CRITICAL_SCORE) return 'critical';
  if (score >= WARNING_SCORE) return 'warning';
  if (score >= INFO_SCORE) return 'info';
  return 'none';
}

/**
 * Bonferroni adjustment for m tests (e.g. the series tested in one minute): min(1, m·p).
 * Controls the family-wise false-alarm rate whatever the dependence between series.
 */
export function bonferroni(p: number, m: number): number {
  return m <= 1 ? p : Math.min(1, p * m);
}
