/**
 * Synthetic checkout days with known, injected episodes: the ground truth for testing the analysis
 * (and for demos). Pure and seeded: the same spec gives the same rows.
 *
 * Each hour's count is negative binomial around a daily profile (gamma–Poisson mixture), the way
 * real sales scatter from day to day. Yesterday and same_day_last_week are single draws; the two
 * averages are means of 7 and 30 draws scaled by `averageLevel` (the real files' averages sit at
 * ≈ 0.65× a single day).
 */
import type { CheckoutRow } from '../../src/domain/checkout.ts';
import { hourLabel } from '../../src/checkout/parse.ts';
import { seededRandom } from '../../src/domain/prng.ts';

/** A typical POS day (sales per hour, 00h..23h): quiet night, morning ramp, busy day, evening tail. */
export const TYPICAL_PROFILE: readonly number[] = Object.freeze([
  8, 3, 1, 0.6, 0.4, 1.5, 3.5, 8, 15, 28, 44, 44, 40, 38, 37, 40, 38, 32, 26, 33, 27, 29, 22, 13,
]);

/** An injected episode: hours start..end (inclusive) of today multiplied by `factor` (0 = outage). */
export interface InjectedEpisode {
  start: number;
  end: number;
  factor: number;
}

export interface SyntheticCheckoutSpec {
  seed: number;
  /** Mean sales per hour of a normal day (24 values); default {@link TYPICAL_PROFILE}. */
  profile?: readonly number[];
  /** Day-to-day overdispersion α of the hourly counts (variance μ + αμ²); default 0.02. */
  dispersion?: number;
  /** Level of the two average baselines relative to a single day; default 0.65. */
  averageLevel?: number;
  /** Episodes injected into today only. */
  episodes?: readonly InjectedEpisode[];
}

function normal(rand: () => number): number {
  // Box–Muller; 1 - u keeps the log argument in (0, 1].
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** Gamma(shape k, scale 1) by Marsaglia–Tsang. */
function gamma(k: number, rand: () => number): number {
  if (k < 1) return gamma(k + 1, rand) * Math.pow(rand(), 1 / k);
  const d = k - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rand);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rand();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

function poisson(mu: number, rand: () => number): number {
  if (mu <= 0) return 0;
  if (mu > 500) return Math.max(0, Math.round(mu + Math.sqrt(mu) * normal(rand)));
  // Inversion by sequential search.
  let k = 0;
  let p = Math.exp(-mu);
  let cdf = p;
  const u = rand();
  while (u > cdf && k < 10_000) {
    k++;
    p *= mu / k;
    cdf += p;
  }
  return k;
}

/** One draw of NB(mean μ, dispersion α) as a gamma–Poisson mixture. */
export function negBinomial(mu: number, alpha: number, rand: () => number): number {
  if (alpha <= 0) return poisson(mu, rand);
  const r = 1 / alpha;
  return poisson(gamma(r, rand) * (mu / r), rand);
}

/** Generates 24 checkout rows with the given injected episodes. */
export function synthesizeCheckout(spec: SyntheticCheckoutSpec): CheckoutRow[] {
  const rand = seededRandom(spec.seed);
  const profile = spec.profile ?? TYPICAL_PROFILE;
  if (profile.length !== 24) throw new RangeError('profile must have 24 hourly values');
  const alpha = spec.dispersion ?? 0.02;
  const level = spec.averageLevel ?? 0.65;
  const day = (h: number): number => negBinomial(profile[h], alpha, rand);
  const mean = (h: number, n: number): number => {
    let s = 0;
    for (let i = 0; i < n; i++) s += day(h);
    return Math.round((s / n) * level * 100) / 100;
  };
  const rows: CheckoutRow[] = [];
  for (let h = 0; h < 24; h++) {
    const factor = (spec.episodes ?? []).reduce((f, e) => (h >= e.start && h <= e.end ? f * e.factor : f), 1);
    rows.push({
      hour: h,
      today: negBinomial(profile[h] * factor, alpha, rand),
      yesterday: day(h),
      same_day_last_week: day(h),
      avg_last_week: mean(h, 7),
      avg_last_month: mean(h, 30),
    });
  }
  return rows;
}

/** Writes rows in the checkout CSV format. */
export function checkoutRowsToCsv(rows: readonly CheckoutRow[]): string {
  const lines = ['time,today,yesterday,same_day_last_week,avg_last_week,avg_last_month'];
  for (const r of rows) lines.push([hourLabel(r.hour), r.today, r.yesterday, r.same_day_last_week, r.avg_last_week, r.avg_last_month].join(','));
  return lines.join('\n') + '\n';
}
