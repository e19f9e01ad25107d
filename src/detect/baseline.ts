/**
 * Expected value of one series at a given minute: seasonal when history allows, rolling otherwise.
 *
 * - Seasonal by time of day: the minute's 15-minute bucket, median over the last `days` days of
 *   that bucket's mean (≥ 3 days needed); by time of week once ≥ 3 weeks exist (same bucket, same
 *   weekday, median over the last 4 weeks). Medians make one odd day harmless.
 * - Level: today's traffic may run above or below the typical day; an EWMA of actual/seasonal over
 *   recent minutes (half-life 120 min, within [0.25, 4]; flagged minutes enter only by their adapt
 *   weight, so a surge does not become the new normal but a lasting change does) rescales the seasonal value.
 * - While history is short: the day's own smooth trend — a local level (half-life 30 min) and a
 *   damped local trend (half-life 60 min), so the morning rise and the evening fall are followed
 *   rather than lagged by a moving average's window and called anomalies.
 * The caller feeds only normal minutes (`learn`), so incidents do not shape the baseline.
 */
import { minuteOfDay, minuteOfWeek, ZoneCalendar } from '../domain/time.ts';
import { Ewma, quantileSorted } from './stats/robust.ts';
import { LocalTrend } from './stats/localTrend.ts';

const BUCKET = 15;
const DAY_BUCKETS = 1440 / BUCKET;
const WEEK_BUCKETS = 10080 / BUCKET;
/**
 * Bounds of the level factor. Wide: flagged minutes reach the level only by their adapt weight, so
 * a surge of an hour barely moves it, while a lasting change of the business (sales ×0.5 after a
 * merchant leaves) must be able to become the new normal.
 */
const LEVEL_MIN = 0.05;
const UTC_CALENDAR = new ZoneCalendar('UTC');
const LEVEL_MAX = 20;

export interface Expectation { mean: number; source: 'seasonal-week' | 'seasonal-day' | 'rolling' | 'none'; history: number }

interface Seasonal { value: number; source: Expectation['source'] }

export interface BaselineOptions {
  days: number; weeks: number; minDays: number; minWeeks: number; rollingHalfLife: number; trendHalfLife: number; levelHalfLife: number;
  /** Local time of day and week of the seasonal buckets (default UTC). */
  calendar?: ZoneCalendar;
}

export const DEFAULT_BASELINE: BaselineOptions = { days: 14, weeks: 4, minDays: 3, minWeeks: 3, rollingHalfLife: 30, trendHalfLife: 60, levelHalfLife: 120 };

/**
 * Per-bucket history of one series: for each of `buckets` buckets, the means of its last `depth`
 * periods (a ring) plus the open period. One flat Float64Array with a record per bucket rather than
 * an object per bucket: a series has 768 buckets (day and week) and every minute touches two of
 * them, so a bucket's state sits in one cache line and its ring right after it — the backtest is
 * bound by memory access here, and this layout makes no garbage either.
 *
 * Record of bucket b at b·stride: [openPeriod, openSum, openCount, cachePeriod, cacheValue,
 * cacheCount, filled, next, then depth × (period, mean)]. The cache holds the median and count of
 * the periods before cachePeriod; it stays valid until a period closes.
 */
const OPEN_PERIOD = 0;
const OPEN_SUM = 1;
const OPEN_COUNT = 2;
const CACHE_PERIOD = 3;
const CACHE_VALUE = 4;
const CACHE_COUNT = 5;
const FILLED = 6;
const NEXT = 7;
const RING = 8;

class BucketRings {
  private readonly depth: number;
  private readonly stride: number;
  private readonly data: Float64Array;
  /** The values a median is taken of, kept sorted as they are collected (≤ depth + 1 of them). */
  private readonly sorted: Float64Array;

  constructor(buckets: number, depth: number) {
    this.depth = depth;
    this.stride = RING + 2 * depth;
    this.data = new Float64Array(buckets * this.stride);
    for (let b = 0; b < buckets; b++) {
      this.data[b * this.stride + OPEN_PERIOD] = -1;
      this.data[b * this.stride + CACHE_PERIOD] = -1;
    }
    this.sorted = new Float64Array(depth + 1);
  }

  /** Adds `count` values summing to `sum` to bucket b's `period` (closing its previous period). */
  add(b: number, period: number, sum: number, count: number): void {
    const d = this.data;
    const r = b * this.stride;
    if (period !== d[r + OPEN_PERIOD]) {
      this.close(r);
      d[r + OPEN_PERIOD] = period;
      d[r + CACHE_PERIOD] = -1;
    }
    d[r + OPEN_SUM] += sum;
    d[r + OPEN_COUNT] += count;
  }

  private close(r: number): void {
    const d = this.data;
    if (d[r + OPEN_COUNT] > 0) {
      const at = r + RING + 2 * d[r + NEXT];
      d[at] = d[r + OPEN_PERIOD];
      d[at + 1] = d[r + OPEN_SUM] / d[r + OPEN_COUNT];
      d[r + NEXT] = (d[r + NEXT] + 1) % this.depth;
      if (d[r + FILLED] < this.depth) d[r + FILLED]++;
    }
    d[r + OPEN_SUM] = 0;
    d[r + OPEN_COUNT] = 0;
  }

  /** Median of bucket b's periods before `period` (today's partial bucket is not used), or null. */
  median(b: number, period: number): number | null {
    const r = this.refresh(b, period);
    return this.data[r + CACHE_COUNT] === 0 ? null : this.data[r + CACHE_VALUE];
  }

  periodsBefore(b: number, period: number): number {
    return this.data[this.refresh(b, period) + CACHE_COUNT];
  }

  /** Brings bucket b's cache to `period`; returns the record's offset. */
  private refresh(b: number, period: number): number {
    const d = this.data;
    const r = b * this.stride;
    // Adding to the open period of `period` itself changes neither value: only a period change does.
    if (period === d[r + CACHE_PERIOD]) return r;
    let n = 0;
    const filled = d[r + FILLED];
    for (let i = 0; i < filled; i++) if (d[r + RING + 2 * i] < period) n = this.insert(n, d[r + RING + 2 * i + 1]);
    if (d[r + OPEN_COUNT] > 0 && d[r + OPEN_PERIOD] < period) n = this.insert(n, d[r + OPEN_SUM] / d[r + OPEN_COUNT]);
    d[r + CACHE_PERIOD] = period;
    d[r + CACHE_COUNT] = n;
    d[r + CACHE_VALUE] = n === 0 ? 0 : quantileSorted(this.sorted, 0.5, n);
    return r;
  }

  /** Insertion sort step (a handful of values: cheaper than sorting a copy). */
  private insert(n: number, x: number): number {
    const a = this.sorted;
    let i = n;
    while (i > 0 && a[i - 1] > x) { a[i] = a[i - 1]; i--; }
    a[i] = x;
    return n + 1;
  }
}

export class SeasonalBaseline {
  private readonly opts: BaselineOptions;
  private readonly calendar: ZoneCalendar;
  /** Allocated on the first minute learned: series that never learn cost nothing. */
  private day: BucketRings | null = null;
  private week: BucketRings | null = null;
  private readonly rolling: LocalTrend;
  private readonly level: Ewma;
  /**
   * levelFactor() as of the last level update, read every series-minute: a field rather than a
   * call, whose double result was boxed on the heap each time (≈ 40 MB of garbage per 3 M rows).
   */
  private levelNow = 1;
  private firstMinute: number | null = null;
  private lastLearned: number | null = null;
  /** The seasonal value holds for minutes in [seasonalFrom, seasonalTo) until the rings change. */
  private seasonalFrom = Infinity;
  private seasonalTo = -Infinity;
  private seasonalValue: Seasonal | null = null;
  /**
   * Values learned in the current 15-minute bucket after its first: summed here and added to the
   * rings when the bucket is left. The rings are then touched twice per bucket, not every minute
   * (memory traffic is what the backtest pays for), and stay unchanged in between, so the seasonal
   * value holds for the rest of the bucket. A bucket's sums are never read before it is left.
   */
  private accStart = -Infinity;
  private accSum = 0;
  private accCount = 0;
  private expectedMinute = -Infinity;
  private expectedValue: Expectation | null = null;
  private readonly expectation: Expectation = { mean: 0, source: 'none', history: 0 };

  constructor(opts: BaselineOptions = DEFAULT_BASELINE) {
    this.opts = opts;
    this.calendar = opts.calendar ?? UTC_CALENDAR;
    this.rolling = new LocalTrend(opts.rollingHalfLife, opts.trendHalfLife);
    this.level = new Ewma(opts.levelHalfLife);
  }

  /** Normal minutes learned so far (rolling count). */
  get history(): number {
    return this.rolling.count;
  }

  /**
   * Seasonal expectation without the level factor, or null when history is too short. A minute is
   * judged, then learned: the value is computed once per minute and kept until `learn` changes it.
   */
  private seasonal(minute: number): Seasonal | null {
    if (minute >= this.seasonalFrom && minute < this.seasonalTo) return this.seasonalValue;
    const local = this.calendar.local(minute);
    const inBucket = ((local % BUCKET) + BUCKET) % BUCKET;
    if (local - inBucket !== this.accStart) this.flush();
    this.seasonalValue = this.computeSeasonal(minute);
    this.seasonalFrom = minute;
    // Valid to the end of the (local) bucket, or until more history makes another source eligible.
    let to = minute - inBucket + BUCKET;
    if (this.firstMinute !== null) {
      const days = this.firstMinute + this.opts.minDays * 1440;
      const weeks = this.firstMinute + this.opts.minWeeks * 10080;
      if (days > minute && days < to) to = days;
      if (weeks > minute && weeks < to) to = weeks;
    }
    this.seasonalTo = to;
    return this.seasonalValue;
  }

  /** Adds the values summed for the accumulating bucket to the rings. */
  private flush(): void {
    if (this.accCount > 0 && this.day !== null && this.week !== null) {
      const m = this.accStart;
      this.day.add(Math.floor(minuteOfDay(m) / BUCKET), Math.floor(m / 1440), this.accSum, this.accCount);
      this.week.add(Math.floor(minuteOfWeek(m) / BUCKET), Math.floor((m + 3 * 1440) / 10080), this.accSum, this.accCount);
      this.invalidate();
    }
    this.accStart = -Infinity;
    this.accSum = 0;
    this.accCount = 0;
  }

  private invalidate(): void {
    this.seasonalFrom = Infinity;
    this.seasonalTo = -Infinity;
    this.expectedValue = null;
  }

  private computeSeasonal(minute: number): Seasonal | null {
    if (this.firstMinute === null || this.day === null || this.week === null) return null;
    const span = minute - this.firstMinute;
    const local = this.calendar.local(minute);
    if (span >= this.opts.minWeeks * 10080) {
      const b = Math.floor(minuteOfWeek(local) / BUCKET);
      const week = Math.floor((local + 3 * 1440) / 10080);
      if (this.week.periodsBefore(b, week) >= this.opts.minWeeks) {
        const v = this.week.median(b, week);
        if (v !== null) return { value: v, source: 'seasonal-week' };
      }
    }
    if (span >= this.opts.minDays * 1440) {
      const b = Math.floor(minuteOfDay(local) / BUCKET);
      const day = Math.floor(local / 1440);
      if (this.day.periodsBefore(b, day) >= this.opts.minDays) {
        const v = this.day.median(b, day);
        if (v !== null) return { value: v, source: 'seasonal-day' };
      }
    }
    return null;
  }

  /** The expectation at `minute`: read it at once, the object is reused for the next minute (do not keep or modify it). */
  expected(minute: number): Expectation {
    if (minute === this.expectedMinute && this.expectedValue !== null) return this.expectedValue;
    const s = this.seasonal(minute);
    // One object per baseline, updated in place: callers read it at once (no garbage per minute).
    const e = this.expectation;
    if (s) {
      e.mean = s.value * this.levelNow;
      e.source = s.source;
      e.history = this.history;
    } else if (this.rolling.count === 0) {
      e.mean = 0;
      e.source = 'none';
      e.history = 0;
    } else {
      e.mean = this.rolling.expected(minute);
      e.source = 'rolling';
      e.history = this.history;
    }
    this.expectedMinute = minute;
    this.expectedValue = e;
    return e;
  }

  /** Today's level against the seasonal shape (1 until 30 minutes of it were seen); kept in `levelNow`. */
  private levelFactor(): number {
    return this.level.count >= 30 ? Math.min(LEVEL_MAX, Math.max(LEVEL_MIN, this.level.mean)) : 1;
  }

  /** Feeds a normal minute. */
  learn(minute: number, value: number): void {
    if (this.firstMinute === null) this.firstMinute = minute;
    if (this.lastLearned !== null && minute <= this.lastLearned) return;
    this.lastLearned = minute;
    const s = this.seasonal(minute);
    // The rings keep the level-free shape of the day (value / level, multiplicative
    // decomposition as in Holt–Winters): after a lasting change of level, the old days and the new
    // ones agree on the shape, and the median of a bucket does not flip from one level to the
    // other — with raw values it flips once the new days are the majority, and the level factor,
    // adapted to the old median, then expects a level too high or too low for hours.
    const shaped = value / this.levelNow;
    if (s && s.value > 0) {
      this.level.update(value / s.value);
      this.levelNow = this.levelFactor();
    }
    this.rolling.update(minute, value);
    this.expectedValue = null;
    const local = this.calendar.local(minute);
    const start = local - (((local % BUCKET) + BUCKET) % BUCKET);
    if (start === this.accStart) {
      this.accSum += shaped;
      this.accCount++;
      return;
    }
    // First value of a bucket: straight into the rings, where it closes the bucket's previous
    // period (which may push the oldest out of the ring) — so the seasonal value changes now.
    this.flush();
    (this.day ??= new BucketRings(DAY_BUCKETS, this.opts.days)).add(Math.floor(minuteOfDay(local) / BUCKET), Math.floor(local / 1440), shaped, 1);
    (this.week ??= new BucketRings(WEEK_BUCKETS, this.opts.weeks)).add(Math.floor(minuteOfWeek(local) / BUCKET), Math.floor((local + 3 * 1440) / 10080), shaped, 1);
    this.invalidate();
    this.accStart = start;
  }
}
