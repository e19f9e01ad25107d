/**
 * Univariate stream scoring: `timestamp,value` in, `timestamp,value,anomaly_score` out — the
 * format of the Numenta Anomaly Benchmark (NAB), so the detection model can be compared on public
 * benchmarks of that kind.
 *
 * The rules we keep are NAB's: one record at a time with no look-ahead, one parameter set for
 * every file, each file scored from a fresh state. NAB's scoring rewards the *first* detection in
 * each anomaly window (more the earlier it comes), charges every above-threshold record outside a
 * window as a false positive, and picks one threshold for all files — so scores must mean the same
 * on every series, fire at the onset, and not keep firing while the model re-learns after a change.
 *
 * The model: four scale-free streaming detectors, each turned into a calibrated tail probability
 * by its own {@link TailCalibrator} (how often has this series produced a value of the statistic
 * this large?), combined as a Bonferroni minimum and mapped to [0, 1] with the same p → score
 * curve the alerting model uses (stats/score.ts: p = 1e-4 → 0.5, p = 1e-7 → 0.8):
 *
 *   A. point residual  |x − median(previous 5)|               spikes, dips, the onset of a shift
 *   B. value novelty   two-sided tail of x in the last 1024 values, with an exponential tail
 *                      beyond the 90th/10th percentile — a value never seen before ("spatial
 *                      anomaly"); the empirical count keeps it from firing again once the new
 *                      level has been seen a few times
 *   C. level shift     |mean(last 8) − median(the 128 before them)| / robust scale of the series
 *   D. volatility      |ln(mean |residual| over 16 / median |residual| over the history)| — noise
 *                      that grows, or a signal that goes flat (a stuck sensor)
 *
 * Then a refractory rule: a score that does not exceed the highest raw score of the previous
 * 128 records is halved. An episode is reported by its onset (and by any later, stronger
 * evidence), not by every record while the baselines re-learn — the alert de-duplication a pager
 * does, made threshold-free so that NAB's global threshold search stays meaningful.
 *
 * The first {@link DEFAULT_SCORER.warmup} records score 0 (NAB does not count its probationary
 * period, 15% of a file, and a streaming model cannot know a file's length). Missing values
 * (empty, NaN, null, NA) score 0 and do not touch the state. Time is not modelled: records are a
 * sequence, so irregular intervals are accepted as they come. Memory is bounded (≈ 50 KB a
 * stream) and the cost is O(1) per record plus a few 8 KB memmoves.
 */
import { fieldError, TxmonError } from '../domain/errors.ts';
import { parseTimestamp } from '../domain/time.ts';
import { RollingWindow, SortedWindow } from '../detect/stats/robust.ts';
import { scoreFromLog10P } from '../detect/stats/score.ts';
import { lowerTailScale, TailCalibrator, upperTailScale } from '../detect/stats/tail.ts';

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
  /** Records over which a not-stronger score is treated as a repeat. */
  refractory: number;
  /** Factor applied to a repeat. */
  repeatFactor: number;
}

export const DEFAULT_SCORER: Readonly<ScorerParams> = Object.freeze({
  warmup: 150,
  longWindow: 1024,
  pointBaseline: 5,
  shiftShort: 8,
  shiftReference: 128,
  volatilityShort: 16,
  refractory: 128,
  repeatFactor: 0.5,
});

const LN2 = Math.LN2;
const LN10 = Math.LN10;
const LN_COMPONENTS = Math.log(4);

/** Per-component natural-log tail probabilities of the last scored record (0 = unremarkable). */
export interface ScoreDetail {
  point: number;
  novelty: number;
  shift: number;
  volatility: number;
  /** Score before the refractory rule. */
  raw: number;
  score: number;
}

/** Scores one univariate stream, one value at a time. Deterministic, bounded memory. */
export class StreamScorer {
  readonly params: ScorerParams;
  private readonly recent: RollingWindow;
  private readonly values: SortedWindow;
  private readonly reference: SortedWindow;
  private readonly absResid: RollingWindow;
  private readonly calPoint = new TailCalibrator();
  private readonly calNovelty = new TailCalibrator();
  private readonly calShift = new TailCalibrator();
  private readonly calVol = new TailCalibrator();
  private readonly med: Float64Array;
  // Sliding maximum of raw scores over the refractory window (monotonic deque).
  private readonly dqVal: Float64Array;
  private readonly dqIdx: Float64Array;
  private dqHead = 0;
  private dqLen = 0;
  private seen = 0;
  private index = -1;
  /** Detail of the last record (overwritten on each push). */
  readonly last: ScoreDetail = { point: 0, novelty: 0, shift: 0, volatility: 0, raw: 0, score: 0 };

  constructor(params: Partial<ScorerParams> = {}) {
    this.params = { ...DEFAULT_SCORER, ...params };
    const p = this.params;
    this.recent = new RollingWindow(Math.max(p.pointBaseline, p.shiftShort) + 1);
    this.values = new SortedWindow(p.longWindow);
    this.reference = new SortedWindow(p.shiftReference);
    this.absResid = new RollingWindow(p.volatilityShort);
    this.med = new Float64Array(p.pointBaseline);
    this.dqVal = new Float64Array(p.refractory + 1);
    this.dqIdx = new Float64Array(p.refractory + 1);
  }

  /** Scores the next value; returns a score in [0, 1]. Non-finite values score 0 and are skipped. */
  push(x: number, _timeMs = NaN): number {
    this.index++;
    const d = this.last;
    if (!Number.isFinite(x)) {
      d.point = d.novelty = d.shift = d.volatility = d.raw = d.score = 0;
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

    // A. point residual against the median of the previous values.
    let tPoint = NaN;
    if (recent.size >= p.pointBaseline) {
      const m = this.med;
      const k = m.length;
      for (let i = 0; i < k; i++) m[i] = recent.get(recent.size - k + i);
      m.sort();
      const base = k & 1 ? m[k >> 1] : 0.5 * (m[(k >> 1) - 1] + m[k >> 1]);
      tPoint = Math.abs(x - base);
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

    // D. volatility: recent mean |residual| against its long-run median.
    let tVol = NaN;
    if (Number.isFinite(tPoint)) {
      this.absResid.push(tPoint);
      if (this.absResid.full && this.calPoint.size >= 64) tVol = Math.abs(Math.log((this.absResid.mean() + eps) / (this.calPoint.median() + eps)));
    }

    const lpPoint = this.calPoint.logSf(tPoint);
    const lpNovelty = this.calNovelty.logSf(tNovelty);
    const lpShift = this.calShift.logSf(tShift);
    const lpVol = this.calVol.logSf(tVol);
    this.calPoint.add(tPoint);
    this.calNovelty.add(tNovelty);
    this.calShift.add(tShift);
    this.calVol.add(tVol);

    // Update the windows with x (the reference window gets the value leaving the short window).
    if (recent.size >= p.shiftShort) this.reference.push(recent.get(recent.size - p.shiftShort));
    recent.push(x);
    values.push(x);
    this.seen++;

    const lp = Math.min(0, Math.min(lpPoint, lpNovelty, lpShift, lpVol) + LN_COMPONENTS);
    let raw = scoreFromLog10P(-lp / LN10) / 100;
    if (this.seen <= p.warmup) raw = 0;
    const prevMax = this.slidingMax(raw);
    const score = raw > prevMax ? raw : raw * p.repeatFactor;

    d.point = lpPoint;
    d.novelty = lpNovelty;
    d.shift = lpShift;
    d.volatility = lpVol;
    d.raw = raw;
    d.score = score;
    return score;
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
    const r = this.params.refractory;
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
  if (inQuotes) throw new TxmonError('TXMON_ERR_BAD_CSV', 400, `line ${lineNo}: unterminated quoted field`, { row: lineNo });
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
      throw new TxmonError('TXMON_ERR_BAD_CSV', 400, `header must have columns "timestamp" and "value"; missing ${missing} in ${JSON.stringify(line.slice(0, 80))}`, {
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
      throw new TxmonError('TXMON_ERR_BAD_CSV', 400, `row ${row} (line ${this.lineNo}): expected ${this.width} fields, got ${fields.length}`, { row, expected: `${this.width} fields`, got: fields.length });
    }
    const tsRaw = fields[this.tsCol];
    const valueRaw = fields[this.valueCol];
    if (parseTimestamp(unquote(tsRaw)) === null) {
      throw fieldError(row, 'timestamp', 'an ISO-8601 time, "YYYY-MM-DD HH:MM:SS" or epoch seconds/milliseconds', unquote(tsRaw));
    }
    const text = unquote(valueRaw);
    let value: number;
    if (MISSING.test(text)) value = NaN;
    else {
      value = Number(text);
      if (!Number.isFinite(value)) throw fieldError(row, 'value', 'a finite number or empty/NaN for a missing value', text);
    }
    const score = this.scorer.push(value);
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
  if (i === lines.length) throw new TxmonError('TXMON_ERR_EMPTY_BODY', 400, 'input is empty: expected a header "timestamp,value" and rows');
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
