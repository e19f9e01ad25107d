/**
 * Univariate stream scoring: `timestamp,value` in, `timestamp,value,anomaly_score` out — the
 * format of the Numenta Anomaly Benchmark (NAB), so the model can be compared on public benchmarks
 * of that kind, and what `txmon eval` measures. docs/scoring.md explains the choices and the
 * measurements behind them.
 *
 * The rules we keep are NAB's: one record at a time with no look-ahead, one parameter set for
 * every file, each file scored from a fresh state; bounded memory; deterministic.
 *
 * **Tests.** Scale-free streaming statistics, each turned into a tail probability by its own
 * per-series calibrator (calibrate.ts: an exponential tail fixed by the statistic's bulk, with a
 * conformal floor — robust when a series' anomalies are frequent, honest when its normal
 * behaviour is bursty):
 *
 *   A. point        r = x − median(previous 5) — spikes, dips, the onset of a shift. When the
 *                   series has a season (below) and it predicts r better, r − median(r one, two
 *                   and three periods ago): an hourly batch job that always dips is not news
 *   B. novelty      two-sided tail of x among the last 1024 values ("never seen before"); the
 *                   empirical count keeps it from firing again once a level was seen a few times
 *   C. level shift  |mean(last 8) − median(the 128 before them)| / robust scale of the series
 *   D. volatility   |ln(mean |r| over 16 / median of the last 512 |r|)| on the local residual —
 *                   noise that grows, a signal gone flat
 *   E. season       x − median(x one, two and three periods ago), averaged over the last 3
 *                   records — a daily shape that changed (a missing peak), used only where the
 *                   season explains the series better than its overall level does, and only as
 *                   far as it also stands against each longer period with a cycle of history
 *                   (a weekend is judged against last weekend, not only the last three days)
 *
 * **Seasons.** The sampling step is the median of the first 16 intervals between timestamps; an
 * hour, a day and a week that are a whole number (4 … 10 080) of steps are candidate periods.
 * Each candidate is tracked (exponentially weighted mean absolute error, outliers clipped) against
 * the non-seasonal prediction; the best one is used when its error is below 80 % of that. A series
 * without a rhythm is scored without one; no look-ahead, no configuration.
 *
 * **One scale for every series.** The tests are combined as a Bonferroni minimum, then adjusted
 * for the sampling rate: p is multiplied by the records per hour (1 for hourly data, 60 for
 * minute data), so a score means the same false-alarm rate per hour of data whatever the step
 * (a minute series has sixty chances an hour to produce a one-in-a-thousand record, an hourly
 * series one). p becomes a score with {@link scoreFromDecades} (p = 1e-4 → 0.5, p = 1e-7 → 0.8).
 *
 * **Repeats.** An anomaly that lasts keeps producing evidence while the baselines re-learn. A
 * record whose raw score does not exceed the highest raw score of the previous 16 hours of
 * records (8 … 256 records; 16 records when there are no timestamps) is a repeat and loses
 * {@link ScorerParams.repeatDecades} decades of evidence (its p is multiplied by 1000). Onsets
 * stand out, and a repeat that is still extreme still scores high: nothing is capped.
 *
 * The first {@link ScorerParams.warmup} records score 0, and each test is silent until its
 * calibrator has seen 24 values. Missing values (empty, NaN, null, NA) score 0 and do not touch
 * the state. Memory is bounded (≈ 0.6 MB for a minute series, whose candidate week is 10 080
 * records; ≈ 70 KB for a series without candidate periods); the cost is O(1) per record plus a
 * few 8 KB memmoves.
 */
import { fieldError, TxmonError } from '../domain/errors.ts';
import { parseTimestamp } from '../domain/time.ts';
import { RollingWindow, SortedWindow } from '../detect/stats/robust.ts';
import { lowerTailScale, upperTailScale } from '../detect/stats/tail.ts';
import { BulkCalibrator, DEFAULT_CALIBRATOR, type CalibratorParams } from './calibrate.ts';

/** Parameters of the stream scorer. One set for every file; the CLI uses the defaults. */
export interface ScorerParams {
  /** Records scored 0 at the start while the model learns. */
  warmup: number;
  /** Values remembered for the value distribution (B) and the robust scale. */
  longWindow: number;
  /** Values the point baseline (A) takes the median of. */
  pointBaseline: number;
  /** Recent values averaged by the level-shift test (C). */
  shiftShort: number;
  /** Values before those the level-shift test compares with (C). */
  shiftReference: number;
  /** Recent residuals averaged by the volatility test (D). */
  volatilityShort: number;
  /** Local residuals the volatility test (D) compares them with. */
  volatilityReference: number;
  /** Records over which a not-stronger score is a repeat. */
  refractory: number;
  /** Time over which a not-stronger score is a repeat, ms (0: use `refractory` records). */
  refractoryMs: number;
  /** Bounds of the repeat window in records when it comes from refractoryMs. */
  refractoryMin: number;
  refractoryMax: number;
  /** Decades of evidence a repeat loses. */
  repeatDecades: number;
  /** Seasons (in past cycles) the seasonal residual takes the median of. */
  seasonCycles: number;
  /** The seasonal-level test (E) must also stand against longer periods with a cycle of history. */
  seasonAgree: boolean;
  /** Full cycles a candidate period needs before it can be chosen. */
  seasonMinCycles: number;
  /** Records the seasonal-level test (E) averages (0: off). */
  seasonShort: number;
  /** Longest candidate period, in records. */
  maxPeriod: number;
  /** Weight of the newest error in the track record of each predictor (EWMA). */
  trackAlpha: number;
  /** A seasonal predictor is used when its error is below this share of the local one. */
  seasonGain: number;
  /** Time over which p-values are adjusted for the number of records (Bonferroni), ms. */
  rateUnitMs: number;
  /** Strength of that adjustment (0: per record, 1: full Bonferroni per unit). */
  rateExponent: number;
  /** Per-statistic calibration. */
  calibrator: Partial<CalibratorParams>;
}

export const DEFAULT_SCORER: Readonly<ScorerParams> = Object.freeze({
  warmup: 20,
  longWindow: 1024,
  pointBaseline: 5,
  shiftShort: 8,
  shiftReference: 128,
  volatilityShort: 16,
  volatilityReference: 512,
  refractory: 16,
  refractoryMs: 16 * 3_600_000,
  refractoryMin: 8,
  refractoryMax: 256,
  repeatDecades: 3,
  seasonCycles: 3,
  seasonShort: 3,
  seasonMinCycles: 2,
  seasonAgree: true,
  maxPeriod: 10_080,
  trackAlpha: 0.03,
  seasonGain: 0.8,
  rateUnitMs: 3_600_000,
  rateExponent: 1,
  calibrator: DEFAULT_CALIBRATOR,
});

const LN2 = Math.LN2;
const LN10 = Math.LN10;
/** Candidate season lengths: an hour, a day, a week (ms). */
const SEASONS_MS = [3_600_000, 86_400_000, 604_800_000];
/** Intervals that fix the sampling step. */
const STEP_SAMPLES = 16;

/**
 * Score in [0, 1) from s = −log10 p: linear from p = 1 (0) to p = 1e-4 (0.5), linear to p = 1e-7
 * (0.8), then 1 − 0.2·e^{−(s−7)/3}. Above p = 1e-4 it is the alerting model's curve
 * (detect/stats/score.ts); below, unlike that curve, it is not flat at 0 for p ≥ 0.05, so that
 * weak evidence still orders records (a benchmark's threshold sweep can use it).
 */
export function scoreFromDecades(s: number): number {
  if (!(s > 0)) return 0;
  if (s <= 4) return (0.5 * s) / 4;
  if (s <= 7) return 0.5 + (0.3 * (s - 4)) / 3;
  return 1 - 0.2 * Math.exp(-(s - 7) / 3);
}

/** Per-component natural-log tail probabilities of the last scored record (0 = unremarkable). */
export interface ScoreDetail {
  point: number;
  novelty: number;
  shift: number;
  volatility: number;
  /** The seasonal-level test (E; 0 without a season). */
  shape: number;
  /** Index into {@link StreamScorer.periods} of the period the point test used (−1: none). */
  season: number;
  /** Score before the repeat rule. */
  raw: number;
  score: number;
}

/** An absolute error clipped at 5× the running error (once `on`), so one incident cannot decide a track record. */
function clipError(e: number, ref: number, on: boolean): number {
  return on && ref > 0 && e > 5 * ref ? 5 * ref : e;
}

/** Median of the first m values of a (m small; a is reordered). */
function medianOfFew(a: Float64Array, m: number): number {
  if (m === 1) return a[0];
  if (m === 2) return 0.5 * (a[0] + a[1]);
  if (m === 3) {
    const x = a[0], y = a[1], z = a[2];
    return Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
  }
  const t = a.subarray(0, m).sort();
  return m & 1 ? t[m >> 1] : 0.5 * (t[m / 2 - 1] + t[m / 2]);
}

/** Seasonal part of the point test: candidate periods, residual history, track records. */
class Seasonality {
  readonly periods: number[];
  private readonly hist: Float64Array;
  private count = 0;
  private readonly err: Float64Array;
  private localErr = 0;
  private updates = 0;
  private readonly tmp: Float64Array;
  private readonly res: Float64Array;
  /** Index of the period in use (−1: the local residual is better). */
  active = -1;

  private readonly p: ScorerParams;

  private readonly agree: boolean;

  constructor(periods: number[], p: ScorerParams, agree = false) {
    this.p = p;
    this.agree = agree;
    this.periods = periods;
    this.hist = new Float64Array(p.seasonCycles * Math.max(...periods) + 1);
    this.err = new Float64Array(periods.length);
    this.tmp = new Float64Array(p.seasonCycles);
    this.res = new Float64Array(periods.length);
  }

  /**
   * Takes the new record's quantity v (a value or a residual) and the absolute error of the
   * competing non-seasonal predictor; returns v − median(v one, two, three periods ago) for the
   * period in use (chosen before this record), or NaN when none is.
   */
  push(r: number, baseErr: number): number {
    const h = this.hist;
    const cap = h.length;
    const n = this.count;
    const cycles = this.p.seasonCycles;
    for (let k = 0; k < this.periods.length; k++) {
      const P = this.periods[k];
      let m = 0;
      for (let c = 1; c <= cycles; c++) if (n - c * P >= 0) this.tmp[m++] = h[(n - c * P) % cap];
      if (m === 0) {
        this.res[k] = NaN;
        continue;
      }
      this.res[k] = r - medianOfFew(this.tmp, m);
    }
    h[n % cap] = r;
    this.count++;
    let out = this.active >= 0 ? this.res[this.active] : NaN;
    // With `agree`, the residual must also stand against every longer period that has a cycle of
    // history (a weekend is judged against last weekend, not only against the last three days).
    if (this.agree && this.active >= 0) for (let k = this.active + 1; k < this.periods.length; k++) if (n >= this.periods[k] && Math.abs(this.res[k]) < Math.abs(out)) out = this.res[k];
    // Learn the track records (errors clipped at 5× the running error so one
    // incident does not decide which predictor is better), then which period to use next.
    const a = this.p.trackAlpha;
    this.updates++;
    const clipOn = this.updates > 50;
    this.localErr += a * (clipError(baseErr, this.localErr, clipOn) - this.localErr);
    let best = -1;
    let bestErr = this.localErr * this.p.seasonGain;
    for (let k = 0; k < this.periods.length; k++) {
      const e = this.res[k];
      if (!(e === e)) continue;
      this.err[k] += a * (clipError(Math.abs(e), this.err[k], clipOn) - this.err[k]);
      if (n >= this.p.seasonMinCycles * this.periods[k] + 50 && this.err[k] < bestErr) {
        best = k;
        bestErr = this.err[k];
      }
    }
    this.active = best;
    return out;
  }
}

/** Scores one univariate stream, one value at a time. Deterministic, bounded memory. */
export class StreamScorer {
  readonly params: ScorerParams;
  private readonly recent: RollingWindow;
  private readonly values: SortedWindow;
  private readonly reference: SortedWindow;
  private readonly absResid: RollingWindow;
  private readonly localResid: SortedWindow;
  private readonly calPoint: BulkCalibrator;
  private readonly calNovelty: BulkCalibrator;
  private readonly calShift: BulkCalibrator;
  private readonly calVol: BulkCalibrator;
  private readonly calSeason: BulkCalibrator;
  private readonly seasonRes: RollingWindow;
  private seasonLevel: Seasonality | null = null;
  /** ln of the number of tests combined (Bonferroni): 4, or 5 with the seasonal-level test. */
  private lnComponents = Math.log(4);
  private readonly med: Float64Array;
  // Sliding maximum of raw scores over the refractory window (monotonic deque).
  private readonly dqVal: Float64Array;
  private readonly dqIdx: Float64Array;
  private dqHead = 0;
  private dqLen = 0;
  private seen = 0;
  private index = -1;
  // Sampling step and seasons, fixed from the first timestamps.
  private lastTime = NaN;
  private readonly intervals: number[] = [];
  private seasons: Seasonality | null = null;
  private seasonsKnown = false;
  /** ln of the records per rate unit (an hour), ≥ 0: p-values are per unit of time, not per record. */
  private rateLogFactor = 0;
  /** Records in the repeat window (from refractoryMs once the step is known). */
  private refractory: number;
  /** Detail of the last record (overwritten on each push). */
  readonly last: ScoreDetail = { point: 0, novelty: 0, shift: 0, volatility: 0, shape: 0, season: -1, raw: 0, score: 0 };

  constructor(params: Partial<ScorerParams> = {}) {
    this.params = { ...DEFAULT_SCORER, ...params, calibrator: { ...DEFAULT_CALIBRATOR, ...(params.calibrator ?? {}) } };
    const p = this.params;
    this.recent = new RollingWindow(Math.max(p.pointBaseline, p.shiftShort) + 1);
    this.values = new SortedWindow(p.longWindow);
    this.reference = new SortedWindow(p.shiftReference);
    this.absResid = new RollingWindow(p.volatilityShort);
    this.localResid = new SortedWindow(p.volatilityReference);
    this.calPoint = new BulkCalibrator(p.calibrator);
    this.calNovelty = new BulkCalibrator(p.calibrator);
    this.calShift = new BulkCalibrator(p.calibrator);
    this.calVol = new BulkCalibrator(p.calibrator);
    this.calSeason = new BulkCalibrator(p.calibrator);
    this.seasonRes = new RollingWindow(Math.max(1, p.seasonShort));
    this.med = new Float64Array(p.pointBaseline);
    this.refractory = p.refractory;
    const maxRef = Math.max(p.refractory, p.refractoryMax);
    this.dqVal = new Float64Array(maxRef + 1);
    this.dqIdx = new Float64Array(maxRef + 1);
  }

  /** Candidate periods in use (records), once the sampling step is known. */
  get periods(): readonly number[] {
    return this.seasons?.periods ?? [];
  }

  /**
   * Scores the next value, observed at `timeMs` (epoch ms; NaN when unknown — the record is then
   * a step in a sequence and no season is modelled); returns a score in [0, 1]. Non-finite values
   * score 0 and are skipped.
   */
  push(x: number, timeMs = NaN): number {
    this.index++;
    if (!this.seasonsKnown) this.learnStep(timeMs);
    const d = this.last;
    if (!Number.isFinite(x)) {
      d.point = d.novelty = d.shift = d.volatility = d.shape = d.raw = d.score = 0;
      d.season = -1;
      return 0;
    }
    const p = this.params;
    const recent = this.recent;
    const values = this.values;

    // Robust centre and scale of the series (from the long window, before x).
    let scale = 0;
    let centre = x;
    if (values.size > 0) {
      centre = values.median();
      scale = (values.quantile(0.75) - values.quantile(0.25)) / 1.349;
      if (!(scale > 0)) scale = (values.quantile(0.95) - values.quantile(0.05)) / 3.29;
      if (!(scale > 0)) scale = (values.max() - values.min()) / 4;
    }
    const eps = 1e-9 * (scale + Math.abs(centre)) + 1e-300;

    // A. point residual against the median of the previous values (seasonal when it predicts better).
    let tPoint = NaN;
    let tLocal = NaN;
    d.season = -1;
    if (recent.size >= p.pointBaseline) {
      const m = this.med;
      const k = m.length;
      for (let i = 0; i < k; i++) m[i] = recent.get(recent.size - k + i);
      m.sort();
      const base = k & 1 ? m[k >> 1] : 0.5 * (m[(k >> 1) - 1] + m[k >> 1]);
      tLocal = Math.abs(x - base);
      if (tLocal < eps) tLocal = 0; // rounding noise of a noiseless series
      tPoint = tLocal;
      if (this.seasons) {
        d.season = this.seasons.active;
        const sr = this.seasons.push(x - base, tLocal);
        if (sr === sr) tPoint = Math.abs(sr) < eps ? 0 : Math.abs(sr);
      }
    }

    // E. seasonal level: x against x one, two, three periods ago, averaged over the last few
    // records — a daily shape that changed (a missing peak), judged only where the season explains
    // the series better than its overall level does.
    let tSeason = NaN;
    if (this.seasonLevel) {
      const e = this.seasonLevel.push(x, Math.abs(x - centre));
      if (e === e) {
        this.seasonRes.push(Math.abs(e) < eps ? 0 : e);
        if (this.seasonRes.full) tSeason = Math.abs(this.seasonRes.mean());
      } else this.seasonRes.clear();
    }

    // B. novelty of the value in the recent distribution.
    let tNovelty = NaN;
    if (values.size >= 32) tNovelty = -(Math.min(this.upperNovelty(x), this.lowerNovelty(x)) + LN2);
    if (tNovelty < 0) tNovelty = 0;

    // C. level shift: mean of the last values (x included) against the reference median.
    let tShift = NaN;
    if (this.reference.size >= 32 && recent.size >= p.shiftShort - 1) {
      let sum = x;
      for (let i = 1; i < p.shiftShort; i++) sum += recent.get(recent.size - i);
      tShift = Math.abs(sum / p.shiftShort - this.reference.median()) / Math.max(scale, eps);
    }

    // D. volatility: recent mean |local residual| against its median over the last
    // `volatilityReference` records (the local residual whatever the point test uses, so that a
    // season being chosen does not look like a signal going flat).
    let tVol = NaN;
    if (tLocal === tLocal) {
      this.absResid.push(tLocal);
      if (this.absResid.full && this.localResid.size >= 64) tVol = Math.abs(Math.log((this.absResid.mean() + eps) / (this.localResid.median() + eps)));
      this.localResid.push(tLocal);
    }

    const lpPoint = this.calPoint.logSf(tPoint);
    const lpNovelty = this.calNovelty.logSf(tNovelty);
    const lpShift = this.calShift.logSf(tShift);
    const lpVol = this.calVol.logSf(tVol);
    const lpSeason = this.calSeason.logSf(tSeason);
    this.calPoint.add(tPoint);
    this.calNovelty.add(tNovelty);
    this.calShift.add(tShift);
    this.calVol.add(tVol);
    this.calSeason.add(tSeason);

    // Update the windows with x (the reference window gets the value leaving the short window).
    if (recent.size >= p.shiftShort) this.reference.push(recent.get(recent.size - p.shiftShort));
    recent.push(x);
    values.push(x);
    this.seen++;

    const lp = Math.min(0, Math.min(lpPoint, lpNovelty, lpShift, lpVol, lpSeason) + this.lnComponents + this.rateLogFactor);
    const warm = this.seen > p.warmup;
    const raw = warm ? scoreFromDecades(-lp / LN10) : 0;
    const prevMax = this.slidingMax(raw);
    const score = raw > prevMax ? raw : warm ? scoreFromDecades(-lp / LN10 - p.repeatDecades) : 0;

    d.point = lpPoint;
    d.novelty = lpNovelty;
    d.shift = lpShift;
    d.volatility = lpVol;
    d.shape = lpSeason;
    d.raw = raw;
    d.score = score;
    return score;
  }

  /** Fixes the sampling step from the first intervals and, from it, the candidate periods. */
  private learnStep(t: number): void {
    if (!Number.isFinite(t)) return;
    if (Number.isFinite(this.lastTime) && t > this.lastTime) this.intervals.push(t - this.lastTime);
    this.lastTime = t;
    if (this.intervals.length < STEP_SAMPLES) return;
    this.seasonsKnown = true;
    const sorted = this.intervals.slice().sort((a, b) => a - b);
    const step = sorted[sorted.length >> 1];
    if (step > 0 && this.params.refractoryMs > 0) this.refractory = Math.max(this.params.refractoryMin, Math.min(this.params.refractoryMax, Math.round(this.params.refractoryMs / step)));
    if (step > 0) this.rateLogFactor = this.params.rateExponent * Math.log(Math.max(1, this.params.rateUnitMs / step));
    const periods: number[] = [];
    for (const len of SEASONS_MS) {
      const P = Math.round(len / step);
      if (P >= 4 && P <= this.params.maxPeriod && Math.abs(P * step - len) <= 0.01 * len) periods.push(P);
    }
    if (periods.length) {
      this.seasons = new Seasonality(periods, this.params);
      if (this.params.seasonShort > 0) {
        this.seasonLevel = new Seasonality(periods, this.params, this.params.seasonAgree);
        this.lnComponents = Math.log(5);
      }
    }
  }

  /** ln P(value ≥ x): empirical rank, exponential tail beyond the 90th percentile. */
  private upperNovelty(x: number): number {
    const v = this.values;
    const n = v.size;
    const ge = v.countAtLeast(x);
    const q90 = v.quantile(0.9);
    if (x <= q90) return Math.log((ge + 1) / (n + 1));
    const beta = upperTailScale(v, q90);
    const pot = Math.log(0.1) - (x - q90) / Math.max(beta, 1e-9 * Math.abs(q90) + 1e-300);
    // Once values this high have been seen, their count bounds the surprise from below.
    return Math.max(pot, ge > 0 ? Math.log(ge / (n + 1)) : -Infinity, -2000);
  }

  /** ln P(value ≤ x), mirror of {@link upperNovelty}. */
  private lowerNovelty(x: number): number {
    const v = this.values;
    const n = v.size;
    const le = v.countAtMost(x);
    const q10 = v.quantile(0.1);
    if (x >= q10) return Math.log((le + 1) / (n + 1));
    const beta = lowerTailScale(v, q10);
    const pot = Math.log(0.1) - (q10 - x) / Math.max(beta, 1e-9 * Math.abs(q10) + 1e-300);
    return Math.max(pot, le > 0 ? Math.log(le / (n + 1)) : -Infinity, -2000);
  }

  /** Pushes `raw` into the refractory window; returns the max of the records before it. */
  private slidingMax(raw: number): number {
    const cap = this.dqVal.length;
    const r = this.refractory;
    const i = this.index;
    // Drop entries that left the window [i − r, i − 1].
    while (this.dqLen > 0 && this.dqIdx[this.dqHead] < i - r) {
      this.dqHead = (this.dqHead + 1) % cap;
      this.dqLen--;
    }
    const prevMax = this.dqLen > 0 ? this.dqVal[this.dqHead] : 0;
    while (this.dqLen > 0 && this.dqVal[(this.dqHead + this.dqLen - 1) % cap] <= raw) this.dqLen--;
    const tail = (this.dqHead + this.dqLen) % cap;
    this.dqVal[tail] = raw;
    this.dqIdx[tail] = i;
    this.dqLen++;
    return prevMax;
  }
}


// ---------------------------------------------------------------------------------------------
// CSV in, CSV out
// ---------------------------------------------------------------------------------------------

/** Output header. */
export const SCORE_HEADER = 'timestamp,value,anomaly_score';

const MISSING = /^(|nan|null|na|n\/a|none)$/i;

/** Splits a CSV line keeping each field's raw text (quotes included) for verbatim copying. */
function splitRaw(line: string, lineNo: number): string[] {
  if (line.indexOf('"') === -1) return line.split(',');
  const out: string[] = [];
  let i = 0;
  let fieldStart = 0;
  let inQuotes = false;
  for (; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 34) inQuotes = !inQuotes; // '"' — doubled quotes toggle twice
    else if (c === 44 && !inQuotes) {
      out.push(line.slice(fieldStart, i));
      fieldStart = i + 1;
    }
  }
  if (inQuotes) throw new TxmonError('TXMON_ERR_BAD_CSV', `line ${lineNo}: unterminated quoted field`, { row: lineNo });
  out.push(line.slice(fieldStart));
  return out;
}

function unquote(raw: string): string {
  const t = raw.trim();
  return t.length >= 2 && t[0] === '"' && t[t.length - 1] === '"' ? t.slice(1, -1).replace(/""/g, '"') : t;
}

/** Formats a score: 6 decimals, trailing zeros dropped ("0", "0.5", "0.734219"). */
export function formatScore(score: number): string {
  if (score === 0) return '0';
  return String(Math.round(score * 1e6) / 1e6);
}

/**
 * Scores a `timestamp,value` CSV one line at a time. Feed the header first, then each line;
 * every data line yields exactly one output line (blank lines are skipped, not rows).
 *
 * Bad input rejects the whole file — a partial score file would silently misalign a benchmark:
 * a header without `timestamp` or `value` columns, a row with the wrong number of fields, an
 * unreadable timestamp or a value that is neither a number nor a missing marker (empty, NaN,
 * null, NA, N/A, none) throws a TxmonError naming the data row (1-based) and the field.
 */
export class CsvStreamScorer {
  private readonly scorer: StreamScorer;
  private tsCol = -1;
  private valueCol = -1;
  private width = 0;
  private row = 0;
  private lineNo = 0;

  constructor(params: Partial<ScorerParams> = {}) {
    this.scorer = new StreamScorer(params);
  }

  /** Data rows scored so far. */
  get rows(): number {
    return this.row;
  }

  /** Reads the header line; returns the output header. */
  header(line: string): string {
    this.lineNo++;
    if (line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    const cols = splitRaw(stripCr(line), this.lineNo).map((c) => unquote(c).toLowerCase());
    this.tsCol = cols.indexOf('timestamp');
    this.valueCol = cols.indexOf('value');
    this.width = cols.length;
    if (this.tsCol === -1 || this.valueCol === -1) {
      const missing = [this.tsCol === -1 ? '"timestamp"' : '', this.valueCol === -1 ? '"value"' : ''].filter(Boolean).join(' and ');
      throw new TxmonError('TXMON_ERR_BAD_CSV', `header must have columns "timestamp" and "value"; missing ${missing} in ${JSON.stringify(line.slice(0, 80))}`, {
        row: 0,
        field: 'header',
        expected: 'timestamp,value',
        got: line.slice(0, 80),
      });
    }
    return SCORE_HEADER;
  }

  /** Scores one data line; returns the output line, or null for a blank line. */
  line(line: string): string | null {
    this.lineNo++;
    line = stripCr(line);
    if (line.trim() === '') return null;
    const row = ++this.row;
    const fields = splitRaw(line, this.lineNo);
    if (fields.length !== this.width) {
      throw new TxmonError('TXMON_ERR_BAD_CSV', `row ${row} (line ${this.lineNo}): expected ${this.width} fields, got ${fields.length}`, { row, expected: `${this.width} fields`, got: fields.length });
    }
    const tsRaw = fields[this.tsCol];
    const valueRaw = fields[this.valueCol];
    const timeMs = parseTimestamp(unquote(tsRaw));
    if (timeMs === null) {
      throw fieldError(row, 'timestamp', 'an ISO-8601 time, "YYYY-MM-DD HH:MM:SS" or epoch seconds/milliseconds', unquote(tsRaw));
    }
    const text = unquote(valueRaw);
    let value: number;
    if (MISSING.test(text)) value = NaN;
    else {
      value = Number(text);
      if (!Number.isFinite(value)) throw fieldError(row, 'value', 'a finite number or empty/NaN for a missing value', text);
    }
    const score = this.scorer.push(value, timeMs);
    return `${tsRaw},${valueRaw},${formatScore(score)}`;
  }
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** Scores a whole CSV text (convenience for tests and small inputs); returns the output text. */
export function scoreCsvText(text: string, params: Partial<ScorerParams> = {}): string {
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  let i = 0;
  while (i < lines.length && lines[i].trim() === '') i++;
  if (i === lines.length) throw new TxmonError('TXMON_ERR_EMPTY_BODY', 'input is empty: expected a header "timestamp,value" and rows');
  const csv = new CsvStreamScorer(params);
  const out = [csv.header(lines[i])];
  for (i++; i < lines.length; i++) {
    const o = csv.line(lines[i]);
    if (o !== null) out.push(o);
  }
  return out.join('\n') + '\n';
}

/** Scores an array of values (no timestamps); the programmatic entry point. */
export function scoreValues(values: ArrayLike<number>, params: Partial<ScorerParams> = {}): Float64Array {
  const s = new StreamScorer(params);
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = s.push(values[i]);
  return out;
}
