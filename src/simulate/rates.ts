/**
 * The baseline traffic model: expected counts per minute for each status of a scope, before noise
 * and incidents. Calibrated on /work/shared/data/cloudwalk (3 days of per-minute counts, one scope):
 * approved ≈ 116/min, denied ≈ 7/min split between auth codes 51 and 59, reversed and refunded
 * ≈ 1/min, backend_reversed and failed near zero outside incidents.
 *
 * Denied is modelled as two components, one per auth code, so the auth-code mix comes out of the
 * same draws as the status counts: denied = d51 + d59, "00" = approved.
 */
import type { EpochMinute } from '../domain/types.ts';
import { KNOWN_STATUSES } from '../domain/types.ts';
import { minuteOfDay, minuteOfWeek } from '../domain/time.ts';
import { Rng, hash4 } from '../domain/prng.ts';

/** The simulated components, in the order of every rate / count vector of this folder. */
export const COMPONENTS = [
  'approved',
  'denied_51',
  'denied_59',
  'failed',
  'reversed',
  'backend_reversed',
  'refunded',
  'processing',
] as const;
export const N_COMPONENTS = COMPONENTS.length;

/** Component indexes. */
export const C = {
  approved: 0,
  d51: 1,
  d59: 2,
  failed: 3,
  reversed: 4,
  backendReversed: 5,
  refunded: 6,
  processing: 7,
} as const;

/** Statuses written per minute (all of the domain's known statuses, zeros included). */
export const SIM_STATUSES: readonly string[] = KNOWN_STATUSES;
/** Auth codes written per minute: "00" approved, "51" insufficient funds, "59" suspected fraud. */
export const SIM_AUTH_CODES = ['00', '51', '59'] as const;

/**
 * Weekly-average expected counts per minute at the reference size (volume multiplier 1).
 * Real data: approved 116.8/min; in minutes without incidents denied ≈ 6.0/min of which 42 % are
 * code 51 and 58 % code 59 (over all minutes 7/min, bursts being mostly 51); reversed 0.99,
 * refunded 1.02; failed and backend_reversed are 0 outside their storms (their 0.06 and 0.19
 * averages come from the storms, which the incident model adds back).
 */
export const BASE_RATES: readonly number[] = [116, 3.0, 4.2, 0.03, 1.0, 0.1, 1.0, 0.01];

/**
 * Gamma shape of the gamma–Poisson mixture per component (variance = λ + λ²/shape); Infinity =
 * Poisson. Real approved is close to Poisson in quiet minutes (var/mean ≈ 0.85), denied slightly
 * overdispersed, the rare statuses Poisson.
 */
export const DISPERSION: readonly number[] = [500, 20, 20, Infinity, Infinity, Infinity, Infinity, Infinity];

/**
 * Relative activity per hour of the day (UTC), anchored at the middle of each hour and joined by
 * cosine interpolation: a retail day with a 3–5 a.m. trough (≈ 30/min at the reference size) and a
 * flat daytime plateau (≈ 150–160/min on weekdays).
 *
 * Note: the 3 days of real data are flat (no daily rhythm at all); the retail shape follows the
 * product brief. Use rhythm 'flat' to reproduce the real file's shape.
 */
export const HOURLY_PROFILE: readonly number[] = [
  0.55, 0.4, 0.28, 0.22, 0.2, 0.24, 0.42, 0.68, 0.88, 0.96, 0.99, 1.0,
  1.0, 0.99, 0.97, 0.96, 0.97, 0.98, 0.99, 0.97, 0.93, 0.86, 0.77, 0.66,
];

/** Relative activity per day of the week, Monday first, anchored at noon. */
export const WEEKLY_PROFILE: readonly number[] = [1.0, 1.0, 1.0, 1.0, 1.04, 0.92, 0.82];

/**
 * Relative activity per hour of the day for the `strong` rhythm (anchored mid-hour, cosine-joined):
 * a night trough at 6 % of the peak (04:30), a morning ramp, a daytime plateau at ≈ 60 % and an
 * evening rise to the peak at 20:30 — the shape of consumer card payments in the one-day exports.
 */
export const STRONG_HOURLY_PROFILE: readonly number[] = [
  0.3, 0.17, 0.1, 0.07, 0.06, 0.075, 0.14, 0.26, 0.4, 0.5, 0.56, 0.6,
  0.64, 0.63, 0.61, 0.62, 0.66, 0.73, 0.83, 0.94, 1.0, 0.93, 0.74, 0.5,
];

/**
 * Denied share of approved + denied per hour of the day for the `strong` rhythm (anchored mid-hour,
 * cosine-joined): 4 % through the day, rising from 17 h to ≈ 10.5 % late in the evening, easing
 * back over the night — more declines (insufficient funds, risk rules) when people pay in the
 * evening. The other rhythms keep the fixed mix of `BASE_RATES` (≈ 5.8 %).
 */
export const STRONG_DENIED_SHARE: readonly number[] = [
  0.095, 0.085, 0.075, 0.065, 0.058, 0.05, 0.044, 0.041, 0.04, 0.04, 0.04, 0.04,
  0.04, 0.04, 0.04, 0.04, 0.041, 0.045, 0.052, 0.062, 0.075, 0.09, 0.105, 0.105,
];

/**
 * Daily and weekly rhythm: 'retail' (default), 'flat' (constant, like the real sample) or 'strong'
 * (deep night trough, evening peak, denied share moving with the time of day).
 */
export type Rhythm = 'retail' | 'flat' | 'strong';

/** The rhythms, in the order help texts list them. */
export const RHYTHMS: readonly Rhythm[] = ['retail', 'flat', 'strong'];

function cosInterp(a: number, b: number, t: number): number {
  const w = (1 - Math.cos(Math.PI * t)) / 2;
  return a + (b - a) * w;
}

/** A 24-anchor hourly profile at a minute of the day (anchors mid-hour, cosine-joined). */
function hourlyAt(profile: readonly number[], mod: number): number {
  const x = mod / 60 - 0.5;
  const i = Math.floor(x);
  return cosInterp(profile[(i + 24) % 24], profile[(i + 25) % 24], x - i);
}

/** Rhythm factor per minute of the week for an hourly profile, mean exactly 1 (so BASE_RATES are weekly means). */
function weekTable(hourlyProfile: readonly number[]): Float64Array {
  const t = new Float64Array(10080);
  let sum = 0;
  for (let m = 0; m < 10080; m++) {
    const x = (m % 1440) / 60 - 0.5;
    const i = Math.floor(x);
    const hourly = cosInterp(hourlyProfile[(i + 24) % 24], hourlyProfile[(i + 25) % 24], x - i);
    const y = m / 1440 - 0.5;
    const j = Math.floor(y);
    const weekly = cosInterp(WEEKLY_PROFILE[(j + 7) % 7], WEEKLY_PROFILE[(j + 8) % 7], y - j);
    t[m] = hourly * weekly;
    sum += t[m];
  }
  const mean = sum / 10080;
  for (let m = 0; m < 10080; m++) t[m] /= mean;
  return t;
}

const RETAIL_TABLE: Float64Array = weekTable(HOURLY_PROFILE);
const STRONG_TABLE: Float64Array = weekTable(STRONG_HOURLY_PROFILE);

/** Odds of denied vs approved in `BASE_RATES` (the fixed mix of the other rhythms). */
const BASE_DENIED_ODDS = (BASE_RATES[C.d51] + BASE_RATES[C.d59]) / BASE_RATES[C.approved];

/** Multiplier of the denied components per minute of the day under the strong rhythm. */
const STRONG_DENIED_MIX: Float64Array = (() => {
  const t = new Float64Array(1440);
  for (let m = 0; m < 1440; m++) {
    const share = hourlyAt(STRONG_DENIED_SHARE, m);
    t[m] = share / (1 - share) / BASE_DENIED_ODDS;
  }
  return t;
})();

/** Relative activity (weekly mean 1) at an epoch minute. */
export function rhythmFactor(minute: EpochMinute, rhythm: Rhythm = 'retail'): number {
  return rhythm === 'flat' ? 1 : rhythm === 'strong' ? STRONG_TABLE[minuteOfWeek(minute)] : RETAIL_TABLE[minuteOfWeek(minute)];
}

/**
 * Multiplier of the denied rate (both auth codes) at a minute: 1 for 'retail' and 'flat'; under
 * 'strong' it turns the fixed mix into `STRONG_DENIED_SHARE` of approved + denied at that time of day.
 */
export function deniedMix(minute: EpochMinute, rhythm: Rhythm = 'retail'): number {
  return rhythm === 'strong' ? STRONG_DENIED_MIX[minuteOfDay(minute)] : 1;
}

/**
 * Baseline expected count of one status at a minute, for a scope of volume multiplier `size`.
 * `denied` is the sum of its auth-code components; unknown statuses are 0.
 */
export function expectedRate(status: string, minute: EpochMinute, size = 1, rhythm: Rhythm = 'retail'): number {
  const f = rhythmFactor(minute, rhythm) * size;
  switch (status) {
    case 'approved': return BASE_RATES[C.approved] * f;
    case 'denied': return (BASE_RATES[C.d51] + BASE_RATES[C.d59]) * f * deniedMix(minute, rhythm);
    case 'failed': return BASE_RATES[C.failed] * f;
    case 'reversed': return BASE_RATES[C.reversed] * f;
    case 'backend_reversed': return BASE_RATES[C.backendReversed] * f;
    case 'refunded': return BASE_RATES[C.refunded] * f;
    case 'processing': return BASE_RATES[C.processing] * f;
    default: return 0;
  }
}

/** Baseline expected counts of every simulated status at a minute (see `expectedRate`). */
export function expectedRates(minute: EpochMinute, size = 1, rhythm: Rhythm = 'retail'): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of SIM_STATUSES) out[s] = expectedRate(s, minute, size, rhythm);
  return out;
}

/** Folds a component vector into status counts (denied = d51 + d59). */
export function componentsToStatuses(v: ArrayLike<number>): Record<string, number> {
  return {
    approved: v[C.approved],
    denied: v[C.d51] + v[C.d59],
    failed: v[C.failed],
    reversed: v[C.reversed],
    backend_reversed: v[C.backendReversed],
    refunded: v[C.refunded],
    processing: v[C.processing],
  };
}

/** What distinguishes one simulated scope from another. */
export interface ScopeProfile {
  id: string;
  /** Volume multiplier relative to the reference size (before `volumeScale`). */
  size: number;
  /** Multiplier of the denied rate: merchants differ in how often their customers are declined. */
  deniedFactor: number;
}

/** Purpose tags mixed into hashes so independent uses of the same integers never collide. */
export const TAG = {
  count: 0x10000,
  scope: 0x20000,
  dayLevel: 0x30000,
  schedule: 0x40000,
  demo: 0x50000,
  rare: 0x60000,
} as const;

/**
 * Scope profiles for `count` scopes: one scope `all` of size 1, or `pos-01`… with lognormal sizes
 * (median 1, σ 0.6, clamped to [0.15, 5]) and lognormal denied factors (σ 0.15, clamped to
 * [0.7, 1.4]), deterministic by seed and independent of `count` (pos-03 is the same with 5 or 50).
 */
export function scopeProfiles(seed: number, count: number): ScopeProfile[] {
  if (count === 1) return [{ id: 'all', size: 1, deniedFactor: 1 }];
  const width = Math.max(2, String(count).length);
  const rng = new Rng();
  const out: ScopeProfile[] = [];
  for (let i = 0; i < count; i++) {
    rng.reset(hash4(seed, i, 0, TAG.scope));
    const size = Math.min(5, Math.max(0.15, Math.exp(0.6 * rng.normal())));
    const deniedFactor = Math.min(1.4, Math.max(0.7, Math.exp(0.15 * rng.normal())));
    out.push({ id: `pos-${String(i + 1).padStart(width, '0')}`, size, deniedFactor });
  }
  return out;
}

/**
 * Slow day-to-day level of a scope: a lognormal factor (σ 0.04) per day, anchored at noon and
 * cosine-interpolated, so the expected rate stays smooth while days differ a little. This is the
 * standard-normal anchor of one day; `dayLevelFrom` joins two of them.
 */
export function dayAnchor(seed: number, scopeIndex: number, day: number, rng: Rng): number {
  return rng.reset(hash4(seed, scopeIndex, (day + 0x40000000) >>> 0, TAG.dayLevel)).normal();
}

/**
 * Day level at a minute from the anchors of the day before and after it (see `dayAnchor`):
 * exp(σ · cosine interpolation of the two), σ = 0.04, `frac` = position between the two noons.
 */
export function dayLevelFrom(a: number, b: number, frac: number): number {
  return Math.exp(0.04 * cosInterp(a, b, frac));
}
