/**
 * Tail probabilities of the distributions the detectors test against: normal, Poisson, negative
 * binomial, binomial and beta-binomial.
 *
 * Everything is computed in log space first and exponentiated last, so a p-value of 1e-300 (or
 * 1e-3000, which underflows a double) still has an exact, finite `log p`. The functions named
 * `…Log` return the natural log of the probability; the plain ones return the probability.
 *
 * Numerics (why these choices):
 * - pmfs use Loader's saddle-point form (`stirlerr` + `bd0`, as in R's dpois/dbinom), which keeps
 *   full relative precision for counts up to 1e7 and more, where the naive
 *   `k·ln(mu) − mu − lnΓ(k+1)` loses ~8 digits to cancellation;
 * - the regularized incomplete gamma P(a,x)/Q(a,x) uses the series for x < a+1 and the Lentz
 *   continued fraction otherwise (Numerical Recipes `gser`/`gcf`), with the Loader prefactor;
 *   the side that is small is always the side computed directly, the other is `1 − small`;
 * - the regularized incomplete beta I_x(a,b) uses the Lentz continued fraction (NR `betacf`)
 *   with the same symmetry rule and a Loader prefactor.
 * Both continued fractions need O(√max(a,b)) iterations near the centre of the distribution;
 * at the counts txmon sees (≤ 1e4 a minute) that is ≤ 100 iterations.
 */

const LN_SQRT_2PI = 0.918938533204672741780329736406; // ln √(2π)
const LN_2PI = 1.837877066409345483560659472811;
const LN2 = Math.LN2;
const EPS = 1e-15;
const FPMIN = 1e-300;

// ---------------------------------------------------------------------------------------------
// Elementary helpers
// ---------------------------------------------------------------------------------------------

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error ~1e-15). */
export function logGamma(x: number): number {
  if (x < 0.5) {
    // Reflection: Γ(x)Γ(1−x) = π / sin(πx).
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  }
  x -= 1;
  let a = 0.99999999999980993;
  const t = x + 7.5;
  a += 676.5203681218851 / (x + 1);
  a += -1259.1392167224028 / (x + 2);
  a += 771.32342877765313 / (x + 3);
  a += -176.61502916214059 / (x + 4);
  a += 12.507343278686905 / (x + 5);
  a += -0.13857109526572012 / (x + 6);
  a += 9.9843695780195716e-6 / (x + 7);
  a += 1.5056327351493116e-7 / (x + 8);
  return LN_SQRT_2PI + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** ln B(a, b). */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** ln(1 − e^l) for l ≤ 0, accurate at both ends (Mächler 2012). */
export function log1mExp(l: number): number {
  if (l >= 0) return l === 0 ? -Infinity : NaN;
  return l > -LN2 ? Math.log(-Math.expm1(l)) : Math.log1p(-Math.exp(l));
}

const SFERR_HALVES = [
  0.0, // n=0 (convention, callers handle 0 separately)
  0.1534264097200273452913848, // 0.5
  0.0810614667953272582196702, // 1.0
  0.0548141210519176538961390, // 1.5
  0.0413406959554092940938221, // 2.0
  0.03316287351993628748511048, // 2.5
  0.02767792568499833914878929, // 3.0
  0.02374616365629749597132920, // 3.5
  0.02079067210376509311152277, // 4.0
  0.01848845053267318523077934, // 4.5
  0.01664469118982119216319487, // 5.0
  0.01513497322191737887351255, // 5.5
  0.01387612882307074799874573, // 6.0
  0.01281046524292022692424986, // 6.5
  0.01189670994589177009505572, // 7.0
  0.01110455975820691732662991, // 7.5
  0.010411265261972096497478567, // 8.0
  0.009799416126158803298389475, // 8.5
  0.009255462182712732917728637, // 9.0
  0.008768700134139385462952823, // 9.5
  0.008330563433362871256469318, // 10.0
  0.007934114564314020547248100, // 10.5
  0.007573675487951840794972024, // 11.0
  0.007244554301320383179543912, // 11.5
  0.006942840107209529865664152, // 12.0
  0.006665247032707682442354394, // 12.5
  0.006408994188004207068439631, // 13.0
  0.006171712263039457647532867, // 13.5
  0.005951370112758847735624416, // 14.0
  0.005746216513010115682023589, // 14.5
  0.005554733551962801371038690, // 15.0
];

/** Stirling error: ln Γ(n+1) − [(n+½)ln n − n + ln√(2π)], accurate for all n > 0. */
export function stirlerr(n: number): number {
  if (n <= 15) {
    const nn = n + n;
    if (nn === Math.floor(nn)) return SFERR_HALVES[nn];
    return logGamma(n + 1) - (n + 0.5) * Math.log(n) + n - LN_SQRT_2PI;
  }
  const S0 = 1 / 12, S1 = 1 / 360, S2 = 1 / 1260, S3 = 1 / 1680, S4 = 1 / 1188;
  const nn = n * n;
  if (n > 500) return (S0 - S1 / nn) / n;
  if (n > 80) return (S0 - (S1 - S2 / nn) / nn) / n;
  if (n > 35) return (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / n;
  return (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n;
}

/** Deviance term x·ln(x/np) + np − x, computed without cancellation when x ≈ np (Loader). */
export function bd0(x: number, np: number): number {
  if (Math.abs(x - np) < 0.1 * (x + np)) {
    let v = (x - np) / (x + np);
    let s = (x - np) * v;
    if (Math.abs(s) < Number.MIN_VALUE) return s;
    let ej = 2 * x * v;
    v = v * v;
    for (let j = 1; j < 1000; j++) {
      ej *= v;
      const s1 = s + ej / (2 * j + 1);
      if (s1 === s) return s1;
      s = s1;
    }
  }
  return x * Math.log(x / np) + np - x;
}

/** ln( x^a e^{−x} / Γ(a+1) ): the Poisson pmf extended to real a ≥ 0. */
function logPoissonRaw(a: number, x: number): number {
  if (x === 0) return a === 0 ? 0 : -Infinity;
  if (a === 0) return -x;
  if (!Number.isFinite(x)) return -Infinity;
  return -stirlerr(a) - bd0(a, x) - 0.5 * (LN_2PI + Math.log(a));
}

/** ln( Γ(n+1)/(Γ(x+1)Γ(n−x+1)) p^x q^(n−x) ) for real 0 ≤ x ≤ n, with q = 1 − p given exactly. */
function logBinomRaw(x: number, n: number, p: number, q: number): number {
  if (p === 0) return x === 0 ? 0 : -Infinity;
  if (q === 0) return x === n ? 0 : -Infinity;
  if (x === 0) {
    if (n === 0) return 0;
    return p < 0.1 ? -bd0(n, n * q) - n * p : n * Math.log(q);
  }
  if (x === n) return q < 0.1 ? -bd0(n, n * p) - n * q : n * Math.log(p);
  if (x < 0 || x > n) return -Infinity;
  const lc = stirlerr(n) - stirlerr(x) - stirlerr(n - x) - bd0(x, n * p) - bd0(n - x, n * q);
  const lf = LN_2PI + Math.log(x) + Math.log1p(-x / n);
  return lc - 0.5 * lf;
}

// ---------------------------------------------------------------------------------------------
// Regularized incomplete gamma and beta, in log space
// ---------------------------------------------------------------------------------------------

/**
 * ln P(a, x) (lower: `upper = false`) or ln Q(a, x) (upper: `upper = true`) of the regularized
 * incomplete gamma function, a > 0, x ≥ 0.
 */
export function logGammaInc(a: number, x: number, upper: boolean): number {
  if (!(a > 0) || !(x >= 0)) return NaN;
  if (x === 0) return upper ? 0 : -Infinity;
  if (x === Infinity) return upper ? -Infinity : 0;
  const lpre = logPoissonRaw(a, x); // ln x^a e^-x / Γ(a+1)
  if (x < a + 1) {
    // Series: P = pre · Σ x^n / ((a+1)…(a+n)).
    let sum = 1;
    let del = 1;
    let ap = a;
    const maxIter = 200 + Math.ceil(30 * Math.sqrt(a));
    for (let i = 0; i < maxIter; i++) {
      ap += 1;
      del *= x / ap;
      sum += del;
      if (del < sum * EPS) break;
    }
    const logP = Math.min(0, lpre + Math.log(sum));
    return upper ? log1mExp(logP) : logP;
  }
  // Continued fraction for Q (modified Lentz): Q = a · pre · h.
  let b = x + 1 - a;
  let c = 1 / FPMIN;
  let d = 1 / b;
  let h = d;
  const maxIter = 200 + Math.ceil(30 * Math.sqrt(a));
  for (let i = 1; i <= maxIter; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = b + an / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  const logQ = Math.min(0, Math.log(a) + lpre + Math.log(h));
  return upper ? logQ : log1mExp(logQ);
}

/** Lentz continued fraction of the incomplete beta (NR `betacf`). */
function betaCf(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < FPMIN) d = FPMIN;
  d = 1 / d;
  let h = d;
  const maxIter = 200 + Math.ceil(30 * Math.sqrt(Math.max(a, b)));
  for (let m = 1; m <= maxIter; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = 1 + aa / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = 1 + aa / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return h;
}

/** ln( x^a y^b / (a·B(a,b)) ) with y = 1 − x passed exactly. */
function logBetaFront(a: number, b: number, x: number, y: number): number {
  return logBinomRaw(a, a + b, x, y) + Math.log(b / (a + b));
}

/**
 * ln I_x(a, b) (`upper = false`) or ln(1 − I_x(a, b)) = ln I_y(b, a) (`upper = true`) of the
 * regularized incomplete beta function; `y` must be 1 − x, passed separately so that a tiny
 * 1 − x keeps its precision.
 */
export function logBetaInc(a: number, b: number, x: number, y: number, upper: boolean): number {
  if (!(a > 0) || !(b > 0) || !(x >= 0) || !(y >= 0)) return NaN;
  if (x === 0) return upper ? 0 : -Infinity;
  if (y === 0) return upper ? -Infinity : 0;
  let logDirect: number; // ln of the side computed by the continued fraction
  let directIsLower: boolean;
  if (x < (a + 1) / (a + b + 2)) {
    logDirect = logBetaFront(a, b, x, y) + Math.log(betaCf(a, b, x));
    directIsLower = true;
  } else {
    logDirect = logBetaFront(b, a, y, x) + Math.log(betaCf(b, a, y));
    directIsLower = false;
  }
  logDirect = Math.min(0, logDirect);
  const wantLower = !upper;
  return wantLower === directIsLower ? logDirect : log1mExp(logDirect);
}

// ---------------------------------------------------------------------------------------------
// Normal
// ---------------------------------------------------------------------------------------------

/** ln P(Z > z) for a standard normal Z; exact to ~1e-15 relative, finite for any finite z. */
export function normalSfLog(z: number): number {
  if (Number.isNaN(z)) return NaN;
  if (z === Infinity) return -Infinity;
  if (z === -Infinity) return 0;
  // erfc(t) = Q(½, t²), so P(Z > z) = ½ Q(½, z²/2) for z ≥ 0.
  const half = logGammaInc(0.5, 0.5 * z * z, true) - LN2;
  return z >= 0 ? half : log1mExp(half);
}

/** P(Z > z), the standard normal survival function. normalSf(3) = 0.0013498980316301. */
export function normalSf(z: number): number {
  return Math.exp(normalSfLog(z));
}

/** P(Z ≤ z), the standard normal cdf. */
export function normalCdf(z: number): number {
  return Math.exp(normalSfLog(-z));
}

/**
 * Inverse of the standard normal cdf: the z with P(Z ≤ z) = p. Acklam's rational approximation
 * (relative error 1.15e-9) refined by one Halley step against {@link normalCdf}, which brings it
 * to full double precision. p = 0 → −∞, p = 1 → +∞, p outside [0, 1] → NaN.
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const pLow = 0.02425;
  let x: number;
  if (p < pLow) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - pLow) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log1p(-p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  // Halley refinement. Work on the smaller tail so that p near 1 keeps precision.
  if (p < 0.5) {
    const e = normalCdf(x) - p;
    const u = e * Math.sqrt(2 * Math.PI) * Math.exp(0.5 * x * x);
    x = x - u / (1 + 0.5 * x * u);
  } else {
    const e = normalSf(x) - (1 - p);
    const u = -e * Math.sqrt(2 * Math.PI) * Math.exp(0.5 * x * x);
    x = x - u / (1 + 0.5 * x * u);
  }
  return x;
}

/** The z whose upper tail is e^{logP}: P(Z > z) = e^{logP}; works below 1e-308 where p underflows. */
export function normalQuantileFromLogSf(logP: number): number {
  if (logP > -700) return -normalQuantile(Math.exp(logP));
  // Asymptotic start, then Newton on ln sf (its derivative is −φ(z)/sf(z) ≈ −z).
  let z = Math.sqrt(-2 * logP);
  for (let i = 0; i < 50; i++) {
    const f = normalSfLog(z) - logP;
    const dlog = -Math.exp(-0.5 * z * z - LN_SQRT_2PI - normalSfLog(z));
    const step = f / dlog;
    z -= step;
    if (Math.abs(step) < 1e-14 * z) break;
  }
  return z;
}

// ---------------------------------------------------------------------------------------------
// Poisson
// ---------------------------------------------------------------------------------------------

/** ln P(X = k), X ~ Poisson(mu). Non-integer k gives −∞. */
export function poissonPmfLog(k: number, mu: number): number {
  if (k < 0 || k !== Math.floor(k)) return -Infinity;
  return logPoissonRaw(k, mu);
}

/** P(X = k), X ~ Poisson(mu). */
export function poissonPmf(k: number, mu: number): number {
  return Math.exp(poissonPmfLog(k, mu));
}

/** ln P(X ≥ k), X ~ Poisson(mu). k is rounded up to an integer. */
export function poissonUpperTailLog(k: number, mu: number): number {
  k = Math.ceil(k);
  if (k <= 0) return 0;
  if (mu <= 0) return -Infinity;
  return logGammaInc(k, mu, false); // P(X ≥ k) = P(k, mu)
}

/** P(X ≥ k), X ~ Poisson(mu). */
export function poissonUpperTail(k: number, mu: number): number {
  return Math.exp(poissonUpperTailLog(k, mu));
}

/** ln P(X ≤ k), X ~ Poisson(mu). k is rounded down to an integer. */
export function poissonLowerTailLog(k: number, mu: number): number {
  k = Math.floor(k);
  if (k < 0) return -Infinity;
  if (mu <= 0) return 0;
  return logGammaInc(k + 1, mu, true); // P(X ≤ k) = Q(k+1, mu)
}

/** P(X ≤ k), X ~ Poisson(mu). */
export function poissonLowerTail(k: number, mu: number): number {
  return Math.exp(poissonLowerTailLog(k, mu));
}

// ---------------------------------------------------------------------------------------------
// Negative binomial (mean mu, size r: Var = mu + mu²/r; alpha = 1/r)
// ---------------------------------------------------------------------------------------------

/**
 * Beyond this size the negative binomial is the Poisson to within a variance inflation of
 * mu/r < 1e-9·mu… in practice indistinguishable, and the beta continued fraction would need
 * O(√r) iterations. Documented switch, tested for continuity.
 */
const NB_POISSON_SIZE = 1e9;

/** ln P(X = k), X ~ NB(mean mu, size r). r = ∞ gives the Poisson. */
export function nbPmfLog(k: number, mu: number, r: number): number {
  if (k < 0 || k !== Math.floor(k)) return -Infinity;
  if (!(r > 0)) return NaN;
  if (r >= NB_POISSON_SIZE) return poissonPmfLog(k, mu);
  if (mu === 0) return k === 0 ? 0 : -Infinity;
  if (k === 0) return r * (r < mu ? Math.log(r / (r + mu)) : Math.log1p(-mu / (r + mu)));
  // Γ(k+r)/(Γ(r) k!) p^r q^k = r/(r+k) · dbinom_raw(r; r+k, p, q).
  return Math.log(r / (r + k)) + logBinomRaw(r, r + k, r / (r + mu), mu / (r + mu));
}

/** P(X = k), X ~ NB(mean mu, size r). */
export function nbPmf(k: number, mu: number, r: number): number {
  return Math.exp(nbPmfLog(k, mu, r));
}

/** ln P(X ≥ k), X ~ NB(mean mu, size r). */
export function nbUpperTailLog(k: number, mu: number, r: number): number {
  k = Math.ceil(k);
  if (k <= 0) return 0;
  if (!(r > 0)) return NaN;
  if (r >= NB_POISSON_SIZE) return poissonUpperTailLog(k, mu);
  if (mu <= 0) return -Infinity;
  // P(X ≥ k) = 1 − I_p(r, k) = I_q(k, r), p = r/(r+mu), q = mu/(r+mu).
  return logBetaInc(r, k, r / (r + mu), mu / (r + mu), true);
}

/** P(X ≥ k), X ~ NB(mean mu, size r). */
export function nbUpperTail(k: number, mu: number, r: number): number {
  return Math.exp(nbUpperTailLog(k, mu, r));
}

/** ln P(X ≤ k), X ~ NB(mean mu, size r). */
export function nbLowerTailLog(k: number, mu: number, r: number): number {
  k = Math.floor(k);
  if (k < 0) return -Infinity;
  if (!(r > 0)) return NaN;
  if (r >= NB_POISSON_SIZE) return poissonLowerTailLog(k, mu);
  if (mu <= 0) return 0;
  return logBetaInc(r, k + 1, r / (r + mu), mu / (r + mu), false); // I_p(r, k+1)
}

/** P(X ≤ k), X ~ NB(mean mu, size r). */
export function nbLowerTail(k: number, mu: number, r: number): number {
  return Math.exp(nbLowerTailLog(k, mu, r));
}

/** Size r from the dispersion alpha = 1/r (alpha = 0 → Infinity, i.e. Poisson). */
export function nbSizeFromAlpha(alpha: number): number {
  return alpha > 0 ? 1 / alpha : Infinity;
}

/**
 * The q-quantile of NB(mean mu, size r): the smallest k with P(X ≤ k) ≥ q (q ≤ 0 → 0, q ≥ 1 → ∞).
 * Starts at the normal approximation, brackets the answer by doubling steps away from it, then
 * bisects: two {@link nbLowerTail} calls when the start is right, O(log distance) when heavy skew
 * puts it far off.
 */
export function nbQuantile(q: number, mu: number, r: number): number {
  if (!(q > 0) || !(mu > 0)) return 0;
  if (q >= 1) return Infinity;
  const reaches = (k: number): boolean => k >= 0 && nbLowerTail(k, mu, r) >= q;
  const start = Math.max(0, Math.floor(mu + normalQuantile(q) * Math.sqrt(mu + (mu * mu) / r)));
  // Invariant once bracketed: P(X ≤ lo) < q ≤ P(X ≤ hi) (lo = −1 stands for "below 0").
  let lo: number;
  let hi: number;
  let step = 1;
  if (reaches(start)) {
    hi = start;
    lo = Math.max(-1, hi - step);
    while (reaches(lo)) {
      hi = lo;
      step *= 2;
      lo = Math.max(-1, hi - step);
    }
  } else {
    lo = start;
    hi = lo + step;
    while (!reaches(hi)) {
      lo = hi;
      step *= 2;
      hi = lo + step;
    }
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (reaches(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

// ---------------------------------------------------------------------------------------------
// Binomial
// ---------------------------------------------------------------------------------------------

/** ln P(X = k), X ~ Binomial(n, p). */
export function binomialPmfLog(k: number, n: number, p: number): number {
  if (k < 0 || k > n || k !== Math.floor(k)) return -Infinity;
  return logBinomRaw(k, n, p, 1 - p);
}

/** P(X = k), X ~ Binomial(n, p). */
export function binomialPmf(k: number, n: number, p: number): number {
  return Math.exp(binomialPmfLog(k, n, p));
}

/** ln P(X ≥ k), X ~ Binomial(n, p). */
export function binomialUpperTailLog(k: number, n: number, p: number): number {
  k = Math.ceil(k);
  if (k <= 0) return 0;
  if (k > n) return -Infinity;
  if (p <= 0) return -Infinity;
  if (p >= 1) return 0;
  return logBetaInc(k, n - k + 1, p, 1 - p, false); // I_p(k, n−k+1)
}

/** P(X ≥ k), X ~ Binomial(n, p). */
export function binomialUpperTail(k: number, n: number, p: number): number {
  return Math.exp(binomialUpperTailLog(k, n, p));
}

/** ln P(X ≤ k), X ~ Binomial(n, p). */
export function binomialLowerTailLog(k: number, n: number, p: number): number {
  k = Math.floor(k);
  if (k < 0) return -Infinity;
  if (k >= n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return -Infinity;
  return logBetaInc(k + 1, n - k, p, 1 - p, true); // 1 − I_p(k+1, n−k)
}

/** P(X ≤ k), X ~ Binomial(n, p). */
export function binomialLowerTail(k: number, n: number, p: number): number {
  return Math.exp(binomialLowerTailLog(k, n, p));
}

// ---------------------------------------------------------------------------------------------
// Beta-binomial (overdispersed shares)
// ---------------------------------------------------------------------------------------------

/** Up to this n the beta-binomial tail is an exact sum of pmf terms; above it, an approximation. */
export const BETA_BINOMIAL_EXACT_MAX_N = 20_000;

/**
 * Beta-binomial shape parameters from the mean share `p` and the intra-class correlation
 * `rho` ∈ (0, 1): Var(X) = n p (1−p) (1 + (n−1) rho). rho → 0 is the binomial.
 */
export function betaBinomialShape(p: number, rho: number): { a: number; b: number } {
  const s = (1 - rho) / rho; // a + b
  return { a: p * s, b: (1 - p) * s };
}

/** ln P(X = k), X ~ BetaBinomial(n, a, b). */
export function betaBinomialPmfLog(k: number, n: number, a: number, b: number): number {
  if (k < 0 || k > n || k !== Math.floor(k)) return -Infinity;
  return -Math.log(n + 1) - logBeta(k + 1, n - k + 1) + logBeta(k + a, n - k + b) - logBeta(a, b);
}

/**
 * ln P(X ≥ k), X ~ BetaBinomial(n, a, b).
 *
 * n ≤ {@link BETA_BINOMIAL_EXACT_MAX_N}: exact. The sum always runs from k *away* from the mean
 * (upward when k is above the mean, else the complement is summed downward from k−1), so the
 * terms relative to pmf(k) are ≤ 1 and decay; the sum stops when a term no longer changes it.
 *
 * n > the limit: moment-matched approximation — X/n is replaced by the beta distribution with
 * the same mean and variance as X/n (exact for the beta-binomial), evaluated with a continuity
 * correction: P(X ≥ k) ≈ P(Y ≥ (k − ½)/n). Accurate when the overdispersion dominates the
 * binomial noise (n·rho ≫ 1), which is the case it exists for; as rho → 0 prefer the binomial.
 */
export function betaBinomialUpperTailLog(k: number, n: number, a: number, b: number): number {
  k = Math.ceil(k);
  if (k <= 0) return 0;
  if (k > n) return -Infinity;
  const mean = (n * a) / (a + b);
  if (n > BETA_BINOMIAL_EXACT_MAX_N) {
    const m = a / (a + b);
    const varShare = (m * (1 - m) * (a + b + n)) / (n * (a + b + 1));
    const common = (m * (1 - m)) / varShare - 1;
    const x = (k - 0.5) / n;
    return logBetaInc(m * common, (1 - m) * common, x, 1 - x, true);
  }
  if (k > mean) {
    // Sum upward from k: terms t_{j+1}/t_j = (n−j)(j+a) / ((j+1)(n−j−1+b)).
    const l0 = betaBinomialPmfLog(k, n, a, b);
    let sum = 1;
    let t = 1;
    for (let j = k; j < n; j++) {
      t *= ((n - j) * (j + a)) / ((j + 1) * (n - j - 1 + b));
      const s1 = sum + t;
      if (s1 === sum) break;
      sum = s1;
    }
    return Math.min(0, l0 + Math.log(sum));
  }
  return log1mExp(betaBinomialLowerTailLog(k - 1, n, a, b));
}

/** ln P(X ≤ k), X ~ BetaBinomial(n, a, b); exact for n ≤ the limit (summed away from the mean). */
export function betaBinomialLowerTailLog(k: number, n: number, a: number, b: number): number {
  k = Math.floor(k);
  if (k < 0) return -Infinity;
  if (k >= n) return 0;
  const mean = (n * a) / (a + b);
  if (n > BETA_BINOMIAL_EXACT_MAX_N || k >= mean) return log1mExp(betaBinomialUpperTailLog(k + 1, n, a, b));
  // Sum downward from k: t_{j−1}/t_j = j (n−j+b) / ((n−j+1)(j−1+a)).
  const l0 = betaBinomialPmfLog(k, n, a, b);
  let sum = 1;
  let t = 1;
  for (let j = k; j > 0; j--) {
    t *= (j * (n - j + b)) / ((n - j + 1) * (j - 1 + a));
    const s1 = sum + t;
    if (s1 === sum) break;
    sum = s1;
  }
  return Math.min(0, l0 + Math.log(sum));
}

/** P(X ≥ k), X ~ BetaBinomial(n, a, b). */
export function betaBinomialUpperTail(k: number, n: number, a: number, b: number): number {
  return Math.exp(betaBinomialUpperTailLog(k, n, a, b));
}

/** P(X ≤ k), X ~ BetaBinomial(n, a, b). */
export function betaBinomialLowerTail(k: number, n: number, a: number, b: number): number {
  return Math.exp(betaBinomialLowerTailLog(k, n, a, b));
}

// ---------------------------------------------------------------------------------------------
// Mid-p values
// ---------------------------------------------------------------------------------------------

/**
 * Mid-p from a tail and the point mass at k, in logs: ln( tail − ½·pmf ). For the upper tail
 * this is P(X > k) + ½P(X = k); for the lower, P(X < k) + ½P(X = k). Plain discrete tails are
 * conservative at low counts (P(X ≥ 0) = 1 even when 0 is the expected value); the mid-p is
 * closer to uniform under the null, which keeps scores comparable between quiet and busy series.
 */
export function midPLog(logTail: number, logPmf: number): number {
  if (logTail === -Infinity) return -Infinity;
  // tail ≥ pmf, so the ratio is in [0, 1] and the result ≥ ½·tail.
  return logTail + Math.log1p(-0.5 * Math.exp(logPmf - logTail));
}

/** Poisson upper mid-p: P(X > k) + ½P(X = k). */
export function poissonUpperMidP(k: number, mu: number): number {
  return Math.exp(midPLog(poissonUpperTailLog(k, mu), poissonPmfLog(k, mu)));
}

/** Poisson lower mid-p: P(X < k) + ½P(X = k). */
export function poissonLowerMidP(k: number, mu: number): number {
  return Math.exp(midPLog(poissonLowerTailLog(k, mu), poissonPmfLog(k, mu)));
}

/** Negative binomial upper mid-p: P(X > k) + ½P(X = k). */
export function nbUpperMidP(k: number, mu: number, r: number): number {
  return Math.exp(midPLog(nbUpperTailLog(k, mu, r), nbPmfLog(k, mu, r)));
}

/** Negative binomial lower mid-p: P(X < k) + ½P(X = k). */
export function nbLowerMidP(k: number, mu: number, r: number): number {
  return Math.exp(midPLog(nbLowerTailLog(k, mu, r), nbPmfLog(k, mu, r)));
}

/** Binomial upper mid-p: P(X > k) + ½P(X = k). */
export function binomialUpperMidP(k: number, n: number, p: number): number {
  return Math.exp(midPLog(binomialUpperTailLog(k, n, p), binomialPmfLog(k, n, p)));
}

/** Binomial lower mid-p: P(X < k) + ½P(X = k). */
export function binomialLowerMidP(k: number, n: number, p: number): number {
  return Math.exp(midPLog(binomialLowerTailLog(k, n, p), binomialPmfLog(k, n, p)));
}

/** Beta-binomial upper mid-p: P(X > k) + ½P(X = k). */
export function betaBinomialUpperMidP(k: number, n: number, a: number, b: number): number {
  return Math.exp(midPLog(betaBinomialUpperTailLog(k, n, a, b), betaBinomialPmfLog(k, n, a, b)));
}
