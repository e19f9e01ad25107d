/**
 * POS checkout analysis: is today anomalous against its baselines, when, how badly, and what did
 * it cost? Pure: rows in, verdict out (no I/O, no clock, no randomness).
 *
 * Method (docs/checkout.md explains it with the example files):
 * 1. Level calibration. `yesterday` and `same_day_last_week` are single days, like today.
 *    The two averages describe the shape of a day well (they are smooth) but may sit at another
 *    level (in the example files ≈ 0.6–0.7× a single day, e.g. because the averaging window holds
 *    quieter days). Each average is scaled by (mean daily total of the two single days) /
 *    (its own daily total), clamped to [1/3, 3]. Today is never used for this: the expectation
 *    must not learn from the day it judges.
 * 2. Expected sales per hour μ = the mean of the two middle values of the four calibrated baselines
 *    (the interquartile mean of four). One baseline that carries an incident (yesterday's outage)
 *    or an odd high value is discarded at that hour, yet two values are averaged, so μ is less
 *    jumpy than a plain median.
 * 3. Count-aware test. Today's count at hour h ~ NB(μ, α_h), variance μ + α_h μ², with
 *    α_h = α + (s_h / μ)². α is the overdispersion, estimated from how well the baselines predict
 *    each other: each single-day baseline is predicted by the median of the other three, and α is
 *    set so that the median over busy hours of (b − m)²/(m + αm²) equals the χ²₁ median. s_h, half
 *    the gap between the two middle baselines, adds the hour's own uncertainty about μ. A quiet night
 *    hour (μ ≈ 1) is thus judged like a Poisson count, a busy hour with its wider scatter.
 * 4. Episodes. Consecutive hours that deviate the same way (one-sided p < 0.05, or ≥ 20% off with
 *    p < 0.2) or have near-zero sales while sales are expected form a candidate run; the run is
 *    tested on its summed counts (NB moment-matched) and by its strongest hour with a Bonferroni
 *    factor. Severity comes from that p-value (p < 1e-4 warning, p < 1e-6 critical), a practical
 *    gate (≥ 5 sales and ≥ 20% off, else at most info), and a rule: near-zero sales over hours that
 *    together expect ≥ 8 sales is an outage, critical. Surges are capped at warning: extra sales
 *    need a look, not a page. Measured on 1000 synthetic normal days per α
 *    (test/helpers/checkoutSynthetic.ts): a day is wrongly called anomalous 0.4% (α = 0), 0.7%
 *    (0.02), 2.9% (0.05), 4.8% (0.1) of the time; a warning threshold of 1e-3 gave 3–9% (numbers
 *    and recall in docs/checkout.md).
 */
import { nbLowerTail, nbQuantile, nbSizeFromAlpha, nbUpperTail } from '../detect/stats/distributions.ts';
import { median } from '../detect/stats/robust.ts';
import type { CheckoutRow } from '../domain/checkout.ts';
import { SEVERITY_RANK, maxSeverity, type Direction, type Severity } from '../domain/types.ts';
import { BASELINE_NAMES, hourLabel, hourRangeLabel, type BaselineName } from './parse.ts';

/** Tunables of the analysis; every field has a documented default ({@link DEFAULT_CHECKOUT_OPTIONS}). */
export interface CheckoutAnalyzeOptions {
  /** One-sided p below which an hour joins a candidate run. */
  pCandidate: number;
  /** p below which a run is reported at all (info). */
  pInfo: number;
  /** p below which a run is a warning. */
  pWarning: number;
  /** p below which a run is critical. */
  pCritical: number;
  /** A run must differ by at least this many sales to be more than info. */
  minAbsDelta: number;
  /** …and by at least this fraction of the expectation. */
  minRelDelta: number;
  /** An hour has near-zero sales when observed ≤ this × expected (and expected ≥ 2). */
  nearZeroRatio: number;
  /** Near-zero hours of a run must together expect at least this many sales to be an outage. */
  minOutageExpected: number;
  /** Highest severity a surge can have. */
  surgeMaxSeverity: Severity;
  /** Bounds of the estimated overdispersion α. */
  dispersionFloor: number;
  dispersionCeiling: number;
  /** α used when fewer than 4 hours are busy enough (μ ≥ 5) to estimate it. */
  dispersionPrior: number;
  /** Bounds of the level calibration factor of the averages. */
  calibrationMin: number;
  calibrationMax: number;
}

export const DEFAULT_CHECKOUT_OPTIONS: Readonly<CheckoutAnalyzeOptions> = Object.freeze({
  pCandidate: 0.05,
  pInfo: 0.01,
  pWarning: 1e-4,
  pCritical: 1e-6,
  minAbsDelta: 5,
  minRelDelta: 0.2,
  nearZeroRatio: 0.1,
  minOutageExpected: 8,
  surgeMaxSeverity: 'warning',
  dispersionFloor: 0.02,
  dispersionCeiling: 0.5,
  dispersionPrior: 0.05,
  calibrationMin: 1 / 3,
  calibrationMax: 3,
});

/** Never expect exactly zero: a sale where all baselines had none is unusual, not impossible. */
const MU_FLOOR = 0.1;

export type EpisodeKind = 'outage' | 'drop' | 'surge';

/** The verdict on one hour. */
export interface HourAssessment {
  hour: number;
  /** "08h" */
  label: string;
  observed: number;
  /** Robust expectation μ (calibrated baselines, interquartile mean). */
  expected: number;
  /** The file's baselines, as given. */
  baselines: Record<BaselineName, number>;
  /** The baselines after level calibration. */
  calibrated: Record<BaselineName, number>;
  /** The two middle calibrated baselines [low, high]: the plausible range of μ. */
  expectedRange: [number, number];
  /** Central 95% band of today's count under NB(μ, α_h). */
  band: [number, number];
  /** observed / expected. */
  ratio: number;
  /** observed − expected. */
  delta: number;
  direction: Direction;
  /** One-sided NB tail in the direction of the deviation. */
  pValue: number;
  /** 0..100, from the p-value (p = 1e-8 → 100). */
  score: number;
  /** α_h used for this hour. */
  dispersion: number;
  /** Near-zero sales while sales are expected. */
  nearZero: boolean;
  /** This hour's own severity (the single-hour test, same gates as episodes). */
  severity: Severity;
  /** Index into `episodes` when the hour belongs to one. */
  episode: number | null;
}

/** Sales lost (drop, outage) or extra (surge) against the baseline, with a range. */
export interface Impact {
  /** Against μ. Positive: sales lost for drops/outages, extra sales for surges. */
  estimate: number;
  /** 95% range: the estimate ± 1.96 × the standard deviation of the hours' normal total (≥ 0). */
  low: number;
  high: number;
}

/** Consecutive anomalous hours merged. */
export interface Episode {
  startHour: number;
  endHour: number;
  /** "14h–18h" */
  label: string;
  hours: number;
  kind: EpisodeKind;
  direction: Direction;
  severity: Severity;
  score: number;
  pValue: number;
  observed: number;
  expected: number;
  ratio: number;
  delta: number;
  impact: Impact;
  /** Hour range with near-zero sales inside the episode, e.g. "15h–17h", or null. */
  nearZeroLabel: string | null;
  message: string;
}

/** A single-day baseline that is itself far from the other baselines at some hours. */
export interface BaselineNote {
  baseline: BaselineName;
  startHour: number;
  endHour: number;
  label: string;
  direction: Direction;
  values: number[];
  /** What the other three calibrated baselines suggested at those hours (their median). */
  others: number[];
  /** Whether today deviates the same way at an overlapping hour (a recurring problem?). */
  todayAlike: boolean;
  message: string;
}

export interface DayVerdict {
  anomalous: boolean;
  /** Highest episode severity, 'none' when nothing was found. */
  severity: Severity;
  observedTotal: number;
  expectedTotal: number;
  /** observedTotal / expectedTotal. */
  ratio: number;
  /** Sales lost in episodes of warning or above (against μ), with a range. */
  lostSales: Impact;
  /** Extra sales in surge episodes of warning or above. */
  extraSales: Impact;
}

export interface CheckoutModel {
  /** Multiplier applied to each baseline (1 for the single days). */
  calibration: Record<BaselineName, number>;
  /** Mean daily total of yesterday and same_day_last_week: the level the averages are scaled to. */
  referenceLevel: number;
  /** Estimated day-to-day overdispersion α. */
  dispersion: number;
  /** Number of busy hours the dispersion was estimated from (0 = prior used). */
  dispersionHours: number;
  options: CheckoutAnalyzeOptions;
}

export interface CheckoutAnalysis {
  source: string;
  hours: HourAssessment[];
  episodes: Episode[];
  baselineNotes: BaselineNote[];
  day: DayVerdict;
  model: CheckoutModel;
  /** Plain-words conclusion for the analyst: "<source>: ANOMALOUS (critical). <details>" */
  conclusion: string;
  /** The sentences of the conclusion after its headline (reports print them under the verdict). */
  conclusionDetails: string[];
}

/**
 * 0..100 from a p-value: −log10(p) × 12.5, rounded, so p = 1e-8 scores 100. Not the detectors'
 * scale (detect/stats/score.ts: 50 at p = 1e-4, 80 at 1e-7, never 100), on purpose: the checkout
 * reports and their JSON (schema txmon.checkout.v1) publish this linear one, and checkout
 * severities come from the p thresholds, not from the score.
 */
function checkoutScore(p: number): number {
  if (!(p > 0)) return 100;
  return Math.max(0, Math.min(100, Math.round(-Math.log10(p) * 12.5)));
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

/**
 * One-sided tail of X ~ NB(mean μ, dispersion α) (variance μ + αμ², Poisson at α = 0) in the
 * direction of the deviation: P(X ≤ observed) down, P(X ≥ observed) up.
 */
function tail(observed: number, mu: number, alpha: number, direction: Direction): number {
  const size = nbSizeFromAlpha(alpha);
  return Math.min(1, direction === 'down' ? nbLowerTail(observed, mu, size) : nbUpperTail(observed, mu, size));
}

function severityFromP(p: number, o: CheckoutAnalyzeOptions): Severity {
  if (p < o.pCritical) return 'critical';
  if (p < o.pWarning) return 'warning';
  if (p < o.pInfo) return 'info';
  return 'none';
}

function minSeverity(a: Severity, b: Severity): Severity {
  return SEVERITY_RANK[a] <= SEVERITY_RANK[b] ? a : b;
}

/** Severity after the practical gate and the surge cap. */
function gatedSeverity(p: number, observed: number, expected: number, kind: EpisodeKind, o: CheckoutAnalyzeOptions): Severity {
  let sev = severityFromP(p, o);
  const delta = Math.abs(observed - expected);
  if (delta < o.minAbsDelta || delta < o.minRelDelta * expected) sev = minSeverity(sev, 'info');
  if (kind === 'surge') sev = minSeverity(sev, o.surgeMaxSeverity);
  return sev;
}

/** Rounds for display: one decimal under 10, whole numbers above. */
export function fmtCount(x: number): string {
  return Math.abs(x) < 10 && !Number.isInteger(x) ? x.toFixed(1) : String(Math.round(x));
}

/** Formats a p-value compactly: 0.0123, 3.2e-7. */
export function fmtP(p: number): string {
  if (p >= 0.001) return p.toPrecision(2);
  if (p === 0) return '<1e-300';
  return p.toExponential(1);
}

function fmtPct(ratio: number): string {
  const pct = Math.round((ratio - 1) * 100);
  return `${pct > 0 ? '+' : ''}${pct}%`;
}

/** Level calibration factors (see module comment, step 1). */
function calibrate(rows: CheckoutRow[], o: CheckoutAnalyzeOptions): { factors: Record<BaselineName, number>; referenceLevel: number } {
  const total = (k: BaselineName): number => rows.reduce((s, r) => s + r[k], 0);
  const singles = [total('yesterday'), total('same_day_last_week')].filter((t) => t > 0);
  const referenceLevel = singles.length === 0 ? 0 : singles.reduce((a, b) => a + b, 0) / singles.length;
  const factor = (k: BaselineName): number => {
    const t = total(k);
    return referenceLevel > 0 && t > 0 ? clamp(referenceLevel / t, o.calibrationMin, o.calibrationMax) : 1;
  };
  return {
    referenceLevel,
    factors: { yesterday: 1, same_day_last_week: 1, avg_last_week: factor('avg_last_week'), avg_last_month: factor('avg_last_month') },
  };
}

/** Median of the χ² distribution with one degree of freedom. */
const CHI2_1_MEDIAN = 0.454936;

/**
 * Overdispersion α from how well the baselines predict each other (step 3). Each single-day
 * baseline b (yesterday, same_day_last_week) is treated as a pseudo-today and predicted by the
 * median m of the other three calibrated baselines; if the NB(m, α) model holds, (b − m)²/(m + αm²)
 * is ≈ χ²₁. α is the value that makes the median of these ratios over the busy hours (m ≥ 5) equal
 * the χ²₁ median (0.455). A median, so hours where a baseline carries an incident do not inflate
 * it; calibrated to χ²₁, because the plain median of per-hour moment estimates is biased low (it
 * returned the floor on synthetic days with α = 0.05). Because the prediction error of m is part of
 * the residual, α covers both today's day-to-day scatter and the error of the expectation.
 */
function estimateDispersion(calibrated: Array<Record<BaselineName, number>>, o: CheckoutAnalyzeOptions): { alpha: number; hours: number } {
  const busy: Array<{ d2: number; mu: number }> = [];
  const hours = new Set<number>();
  calibrated.forEach((c, h) => {
    for (const k of ['yesterday', 'same_day_last_week'] as const) {
      const m = median(BASELINE_NAMES.filter((n) => n !== k).map((n) => c[n]));
      if (m < 5) continue;
      busy.push({ d2: (c[k] - m) ** 2, mu: m });
      hours.add(h);
    }
  });
  if (hours.size < 4) return { alpha: o.dispersionPrior, hours: 0 };
  const medianRatio = (alpha: number): number => median(busy.map((b) => b.d2 / (b.mu + alpha * b.mu * b.mu)));
  if (medianRatio(o.dispersionFloor) <= CHI2_1_MEDIAN) return { alpha: o.dispersionFloor, hours: hours.size };
  if (medianRatio(o.dispersionCeiling) >= CHI2_1_MEDIAN) return { alpha: o.dispersionCeiling, hours: hours.size };
  // medianRatio decreases in α: bisect.
  let lo = o.dispersionFloor;
  let hi = o.dispersionCeiling;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (medianRatio(mid) > CHI2_1_MEDIAN) lo = mid;
    else hi = mid;
  }
  return { alpha: (lo + hi) / 2, hours: hours.size };
}

interface Run {
  start: number;
  end: number;
  direction: Direction;
}

function candidateRuns(hours: HourAssessment[], o: CheckoutAnalyzeOptions): Run[] {
  const runs: Run[] = [];
  let current: Run | null = null;
  for (const h of hours) {
    // Hours join a run when they are clearly off (p < pCandidate) or practically off and not
    // typical (≥ minRelDelta away, p < 4 × pCandidate): a 50% drop over four busy hours rarely
    // makes every hour significant on its own, but their sum is.
    const practical = Math.abs(h.ratio - 1) >= o.minRelDelta && h.pValue < 4 * o.pCandidate;
    const candidate = h.nearZero || (h.delta !== 0 && (h.pValue < o.pCandidate || practical));
    if (candidate && current && current.direction === h.direction && current.end === h.hour - 1) {
      current.end = h.hour;
      continue;
    }
    current = candidate ? { start: h.hour, end: h.hour, direction: h.direction } : null;
    if (current) runs.push(current);
  }
  return runs;
}

function nbSum(hours: HourAssessment[]): { observed: number; expected: number; alpha: number } {
  const observed = hours.reduce((s, h) => s + h.observed, 0);
  const expected = hours.reduce((s, h) => s + h.expected, 0);
  const variance = hours.reduce((s, h) => s + h.expected + h.dispersion * h.expected ** 2, 0);
  return { observed, expected, alpha: Math.max(0, (variance - expected) / (expected * expected)) };
}

/** p-value of a run: its summed counts, or its strongest hour with a Bonferroni factor. */
function runP(span: HourAssessment[], direction: Direction): number {
  const sum = nbSum(span);
  const pSum = tail(sum.observed, sum.expected, sum.alpha, direction);
  const pBest = Math.min(...span.map((h) => h.pValue)) * span.length;
  return Math.min(1, pSum, pBest);
}

/**
 * Drops weak hours (p ≥ pCandidate: they joined only for being ≥ 20% off) from the edges of a run
 * while that makes the run more significant. Clearly deviating edge hours (a degraded hour before
 * or after an outage) stay, so the cost of the episode counts them.
 */
function tightenRun(run: Run, hours: HourAssessment[], o: CheckoutAnalyzeOptions): Run {
  let { start, end } = run;
  const p = (s: number, e: number): number => runP(hours.slice(s, e + 1), run.direction);
  for (;;) {
    const current = p(start, end);
    const weakStart = start < end && !hours[start].nearZero && hours[start].pValue >= o.pCandidate;
    const weakEnd = start < end && !hours[end].nearZero && hours[end].pValue >= o.pCandidate;
    const withoutStart = weakStart ? p(start + 1, end) : Infinity;
    const withoutEnd = weakEnd ? p(start, end - 1) : Infinity;
    if (Math.min(withoutStart, withoutEnd) > current) break;
    if (withoutStart <= withoutEnd) start++;
    else end--;
  }
  return { start, end, direction: run.direction };
}

function buildEpisode(candidate: Run, hours: HourAssessment[], o: CheckoutAnalyzeOptions): Episode | null {
  const run = tightenRun(candidate, hours, o);
  const span = hours.slice(run.start, run.end + 1);
  const sum = nbSum(span);
  const pValue = runP(span, run.direction);

  // Outage rule: near-zero sales over hours that together expect enough sales to matter.
  const zero = span.filter((h) => h.nearZero);
  let kind: EpisodeKind = run.direction === 'up' ? 'surge' : 'drop';
  let nearZeroLabel: string | null = null;
  if (zero.length > 0) {
    const z = nbSum(zero);
    const pZero = tail(z.observed, z.expected, z.alpha, 'down');
    if (z.expected >= o.minOutageExpected && pZero < o.pWarning) {
      kind = 'outage';
      const first = zero[0].hour;
      const last = zero[zero.length - 1].hour;
      nearZeroLabel = hourRangeLabel(first, last);
    }
  }
  let severity = gatedSeverity(pValue, sum.observed, sum.expected, kind, o);
  if (kind === 'outage') severity = 'critical';
  if (severity === 'none') return null;

  // Impact against μ; its range is the 95% interval of what these hours would normally have sold
  // (NB variance of the sum, which already holds the baselines' disagreement through α_h).
  const estimate = run.direction === 'down' ? sum.expected - sum.observed : sum.observed - sum.expected;
  const halfWidth = 1.96 * Math.sqrt(sum.expected + sum.alpha * sum.expected ** 2);
  const impact: Impact = { estimate, low: Math.max(0, estimate - halfWidth), high: Math.max(0, estimate + halfWidth) };
  const label = hourRangeLabel(run.start, run.end);
  const ratio = sum.observed / sum.expected;
  const what = run.direction === 'down' ? 'lost' : 'extra';
  let message = `${kind} ${label}: ${fmtCount(sum.observed)} sales vs ${fmtCount(sum.expected)} expected (${fmtPct(ratio)}), p=${fmtP(pValue)}; ≈${fmtCount(impact.estimate)} sales ${what} (range ${fmtCount(impact.low)}–${fmtCount(impact.high)})`;
  if (nearZeroLabel && nearZeroLabel !== label) {
    message += `; near-zero sales ${nearZeroLabel}`;
  }
  return {
    startHour: run.start,
    endHour: run.end,
    label,
    hours: span.length,
    kind,
    direction: run.direction,
    severity,
    score: checkoutScore(pValue),
    pValue,
    observed: sum.observed,
    expected: sum.expected,
    ratio,
    delta: sum.observed - sum.expected,
    impact,
    nearZeroLabel,
    message,
  };
}

/** Hours where a single-day baseline is itself far from the other three (it was outvoted there). */
function findBaselineNotes(rows: CheckoutRow[], hours: HourAssessment[], alpha: number, o: CheckoutAnalyzeOptions): BaselineNote[] {
  const notes: BaselineNote[] = [];
  for (const name of ['yesterday', 'same_day_last_week'] as const) {
    let current: BaselineNote | null = null;
    for (const h of hours) {
      const value = rows[h.hour][name];
      const others = median(BASELINE_NAMES.filter((k) => k !== name).map((k) => h.calibrated[k]));
      const centre = Math.max(others, MU_FLOOR);
      const direction: Direction = value >= centre ? 'up' : 'down';
      const p = tail(Math.round(value), centre, alpha, direction);
      const off = Math.abs(value - centre) >= o.minAbsDelta && Math.abs(value - centre) >= 0.5 * centre;
      if (!(off && p < o.pWarning)) {
        current = null;
        continue;
      }
      if (current && current.direction === direction && current.endHour === h.hour - 1) {
        current.endHour = h.hour;
        current.values.push(value);
        current.others.push(centre);
        continue;
      }
      current = { baseline: name, startHour: h.hour, endHour: h.hour, label: '', direction, values: [value], others: [centre], todayAlike: false, message: '' };
      notes.push(current);
    }
  }
  for (const n of notes) {
    n.label = hourRangeLabel(n.startHour, n.endHour);
    const span = hours.slice(n.startHour, n.endHour + 1);
    n.todayAlike = span.some((h) => h.direction === n.direction && h.pValue < o.pCandidate);
    const vals = n.values.map(fmtCount).join(', ');
    const oth = n.others.map(fmtCount).join(', ');
    const dir = n.direction === 'down' ? 'low' : 'high';
    n.message = n.todayAlike
      ? `${n.baseline} was also unusually ${dir} at ${n.label} (${vals} vs ≈${oth} from the other baselines): today repeats it, so the problem may be recurring`
      : `${n.baseline} was itself unusually ${dir} at ${n.label} (${vals} vs ≈${oth} from the other baselines) and was outvoted there`;
  }
  return notes.sort((a, b) => a.startHour - b.startHour);
}

function sumImpacts(episodes: Episode[]): Impact {
  return episodes.reduce((s, e) => ({ estimate: s.estimate + e.impact.estimate, low: s.low + e.impact.low, high: s.high + e.impact.high }), { estimate: 0, low: 0, high: 0 });
}

function conclude(day: DayVerdict, episodes: Episode[], hours: HourAssessment[], notes: BaselineNote[]): string[] {
  const total = `Day total ${fmtCount(day.observedTotal)} sales vs ${fmtCount(day.expectedTotal)} expected (${fmtPct(day.ratio)}).`;
  const parts: string[] = [];
  const major = episodes.filter((e) => SEVERITY_RANK[e.severity] >= SEVERITY_RANK.warning);
  if (!day.anomalous) {
    parts.push(`Every hour is within what the baselines allow. ${total}`);
    const minor = episodes.filter((e) => e.severity === 'info');
    if (minor.length > 0) parts.push(`Minor, not significant over a day of 24 tested hours: ${minor.map((e) => e.message).join('; ')}.`);
  } else {
    for (const e of major) parts.push(`${e.severity.toUpperCase()} ${e.message}.`);
    const money: string[] = [];
    if (day.lostSales.estimate > 0) money.push(`≈${fmtCount(day.lostSales.estimate)} sales lost (range ${fmtCount(day.lostSales.low)}–${fmtCount(day.lostSales.high)})`);
    if (day.extraSales.estimate > 0) money.push(`≈${fmtCount(day.extraSales.estimate)} extra sales (range ${fmtCount(day.extraSales.low)}–${fmtCount(day.extraSales.high)})`);
    if (money.length > 0) parts.push(`Against the baseline: ${money.join(', ')}.`);
    const rest = hours.filter((h) => h.episode === null || SEVERITY_RANK[episodes[h.episode].severity] < SEVERITY_RANK.warning);
    const restObserved = rest.reduce((s, h) => s + h.observed, 0);
    const restExpected = rest.reduce((s, h) => s + h.expected, 0);
    if (restExpected > 0) parts.push(`Outside the episodes sales were ${fmtPct(restObserved / restExpected)} against expected.`);
    parts.push(total);
  }
  for (const n of notes) parts.push(`Note: ${n.message}.`);
  return parts;
}

/**
 * Analyses one checkout file.
 *
 * @param rows 24 rows from {@link parseCheckoutCsv} (sorted by hour 0..23)
 * @param source a name for the file / POS, used in texts
 * @param options overrides of {@link DEFAULT_CHECKOUT_OPTIONS}
 */
export function analyzeCheckout(rows: readonly CheckoutRow[], source: string, options: Partial<CheckoutAnalyzeOptions> = {}): CheckoutAnalysis {
  const o: CheckoutAnalyzeOptions = { ...DEFAULT_CHECKOUT_OPTIONS, ...options };
  const sorted = [...rows].sort((a, b) => a.hour - b.hour);
  if (sorted.length !== 24 || sorted.some((r, i) => r.hour !== i)) {
    throw new RangeError('analyzeCheckout needs exactly one row per hour 0..23 (parseCheckoutCsv guarantees it)');
  }
  const { factors, referenceLevel } = calibrate(sorted, o);

  const prepared = sorted.map((r) => {
    const calibrated = Object.fromEntries(BASELINE_NAMES.map((k) => [k, r[k] * factors[k]])) as Record<BaselineName, number>;
    const values = BASELINE_NAMES.map((k) => calibrated[k]).sort((a, b) => a - b);
    const lo = values[1];
    const hi = values[2];
    return { calibrated, lo, hi, mu: Math.max(MU_FLOOR, (lo + hi) / 2) };
  });
  const { alpha, hours: dispersionHours } = estimateDispersion(prepared.map((p) => p.calibrated), o);

  const hours: HourAssessment[] = sorted.map((r, i) => {
    const { calibrated, lo, hi, mu } = prepared[i];
    const spread = (hi - lo) / 2;
    // Predictive variance μ + αμ² + s², moment-matched to NB(μ, α_h).
    const dispersion = alpha + (spread / mu) ** 2;
    const direction: Direction = r.today >= mu ? 'up' : 'down';
    const pValue = tail(r.today, mu, dispersion, direction);
    const nearZero = mu >= 2 && r.today <= o.nearZeroRatio * mu;
    const kind: EpisodeKind = direction === 'up' ? 'surge' : 'drop';
    return {
      hour: r.hour,
      label: hourLabel(r.hour),
      observed: r.today,
      expected: mu,
      baselines: { yesterday: r.yesterday, same_day_last_week: r.same_day_last_week, avg_last_week: r.avg_last_week, avg_last_month: r.avg_last_month },
      calibrated,
      expectedRange: [lo, hi],
      band: [nbQuantile(0.025, mu, nbSizeFromAlpha(dispersion)), nbQuantile(0.975, mu, nbSizeFromAlpha(dispersion))],
      ratio: r.today / mu,
      delta: r.today - mu,
      direction,
      pValue,
      score: checkoutScore(pValue),
      dispersion,
      nearZero,
      severity: gatedSeverity(pValue, r.today, mu, kind, o),
      episode: null,
    };
  });

  const episodes: Episode[] = [];
  for (const run of candidateRuns(hours, o)) {
    const e = buildEpisode(run, hours, o);
    if (!e) continue;
    for (let h = e.startHour; h <= e.endHour; h++) hours[h].episode = episodes.length;
    episodes.push(e);
  }

  const major = episodes.filter((e) => SEVERITY_RANK[e.severity] >= SEVERITY_RANK.warning);
  const severity = episodes.reduce<Severity>((s, e) => maxSeverity(s, e.severity), 'none');
  const observedTotal = hours.reduce((s, h) => s + h.observed, 0);
  const expectedTotal = hours.reduce((s, h) => s + h.expected, 0);
  const day: DayVerdict = {
    anomalous: major.length > 0,
    severity,
    observedTotal,
    expectedTotal,
    ratio: observedTotal / expectedTotal,
    lostSales: sumImpacts(major.filter((e) => e.direction === 'down')),
    extraSales: sumImpacts(major.filter((e) => e.direction === 'up')),
  };
  const baselineNotes = findBaselineNotes(sorted, hours, alpha, o);
  const details = conclude(day, episodes, hours, baselineNotes);
  return {
    source,
    hours,
    episodes,
    baselineNotes,
    day,
    model: { calibration: factors, referenceLevel, dispersion: alpha, dispersionHours, options: o },
    conclusion: `${source}: ${day.anomalous ? `ANOMALOUS (${day.severity})` : 'no anomaly'}. ${details.join(' ')}`,
    conclusionDetails: details,
  };
}
