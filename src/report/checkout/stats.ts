/**
 * Count tails for the checkout analysis: the negative binomial (NB) with mean μ and dispersion α
 * (variance μ + αμ²), which becomes Poisson as α → 0. Pure and exact by summation, computed from
 * the log-pmf at the observed count outward, so very small tails do not underflow to 0 early.
 */

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; ~15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Smallest dispersion treated as NB; below it the Poisson formulas are used (they are the limit). */
const MIN_ALPHA = 1e-9;

/** log P(X = k) for X ~ NB(mean μ, dispersion α); α ≤ 1e-9 means Poisson. */
export function logPmf(k: number, mu: number, alpha: number): number {
  if (mu <= 0) return k === 0 ? 0 : -Infinity;
  if (alpha <= MIN_ALPHA) return k * Math.log(mu) - mu - logGamma(k + 1);
  const r = 1 / alpha;
  return logGamma(k + r) - logGamma(r) - logGamma(k + 1) + r * Math.log(r / (r + mu)) + k * Math.log(mu / (r + mu));
}

/** Ratio P(X = k+1) / P(X = k). */
function stepUp(k: number, mu: number, alpha: number): number {
  if (alpha <= MIN_ALPHA) return mu / (k + 1);
  const r = 1 / alpha;
  return ((k + r) / (k + 1)) * (mu / (r + mu));
}

/** P(X ≤ x). */
export function lowerTail(x: number, mu: number, alpha: number): number {
  if (x < 0) return 0;
  if (mu <= 0) return 1;
  let term = Math.exp(logPmf(x, mu, alpha));
  let sum = term;
  for (let k = x; k > 0; k--) {
    term /= stepUp(k - 1, mu, alpha); // P(k-1) = P(k) / (P(k)/P(k-1))
    sum += term;
    if (term < sum * 1e-17 && k - 1 < mu) break;
  }
  return Math.min(1, sum);
}

/** P(X ≥ x). */
export function upperTail(x: number, mu: number, alpha: number): number {
  if (x <= 0) return 1;
  if (mu <= 0) return 0;
  let term = Math.exp(logPmf(x, mu, alpha));
  let sum = term;
  for (let k = x; k < x + 1e7; k++) {
    term *= stepUp(k, mu, alpha);
    sum += term;
    if (term < sum * 1e-17 && k > mu) break;
  }
  return Math.min(1, sum);
}

/** Smallest k with P(X ≤ k) ≥ q: the q-quantile of NB(μ, α). */
export function quantile(q: number, mu: number, alpha: number): number {
  if (mu <= 0) return 0;
  let k = 0;
  let term = Math.exp(logPmf(0, mu, alpha));
  let cdf = term;
  // Start at 0 when the mass there is representable, else walk up from a safe point below the mean.
  if (term === 0) {
    const sd = Math.sqrt(mu + alpha * mu * mu);
    k = Math.max(0, Math.floor(mu - 12 * sd));
    cdf = lowerTail(k, mu, alpha);
    term = Math.exp(logPmf(k, mu, alpha));
  }
  while (cdf < q && k < 1e7) {
    term *= stepUp(k, mu, alpha);
    k++;
    cdf += term;
  }
  return k;
}
