/**
 * Expected value of one series at a given minute: seasonal when history allows, rolling otherwise.
 *
 * - Seasonal by time of day: the minute's 15-minute bucket, median over the last `days` days of
 *   that bucket's mean (≥ 3 days needed); by time of week once ≥ 3 weeks exist (same bucket, same
 *   weekday, median over the last 4 weeks). Medians make one odd day harmless.
 * - Level: today's traffic may run above or below the typical day; an EWMA of actual/seasonal over
 *   recent normal minutes (half-life 120 min, clamped to [0.67, 1.5]: a day may run a
 *   little hot or cold, but a legitimate surge must not become the new normal) rescales the seasonal value.
 * - Rolling fallback while history is short: EWMA of recent normal minutes (half-life 30 min).
 * The caller feeds only normal minutes (`learn`), so incidents do not shape the baseline.
 */
import { minuteOfDay, minuteOfWeek } from '../domain/time.ts';
import { Ewma, median } from './stats/robust.ts';

const BUCKET = 15;
const DAY_BUCKETS = 1440 / BUCKET;
const WEEK_BUCKETS = 10080 / BUCKET;

export interface Expectation { mean: number; source: 'seasonal-week' | 'seasonal-day' | 'rolling' | 'none'; history: number }

export interface BaselineOptions { days: number; weeks: number; minDays: number; minWeeks: number; rollingHalfLife: number; levelHalfLife: number }

export const DEFAULT_BASELINE: BaselineOptions = { days: 14, weeks: 4, minDays: 3, minWeeks: 3, rollingHalfLife: 30, levelHalfLife: 120 };

/** Per-bucket history: last N period means of the bucket (ring), plus the open period. */
class BucketHistory {
  readonly means: Float64Array;
  readonly periods: Float64Array;
  filled = 0;
  next = 0;
  openPeriod = -1;
  openSum = 0;
  openCount = 0;

  constructor(depth: number) {
    this.means = new Float64Array(depth);
    this.periods = new Float64Array(depth);
  }

  private cachePeriod = -1;
  private cacheValue: number | null = null;

  add(period: number, value: number): void {
    if (period !== this.openPeriod) {
      this.close();
      this.openPeriod = period;
      this.cachePeriod = -1;
    }
    this.openSum += value;
    this.openCount++;
  }

  private close(): void {
    if (this.openCount > 0) {
      this.means[this.next] = this.openSum / this.openCount;
      this.periods[this.next] = this.openPeriod;
      this.next = (this.next + 1) % this.means.length;
      if (this.filled < this.means.length) this.filled++;
    }
    this.openSum = 0;
    this.openCount = 0;
  }

  /** Median of closed periods before `period` (today's partial bucket is not used). */
  median(period: number, scratch: number[]): number | null {
    // Valid until the next period closes: the open period of `period` itself is never used.
    if (period === this.cachePeriod) return this.cacheValue;
    this.cachePeriod = period;
    this.cacheValue = this.computeMedian(period, scratch);
    return this.cacheValue;
  }

  private computeMedian(period: number, scratch: number[]): number | null {
    scratch.length = 0;
    for (let i = 0; i < this.filled; i++) if (this.periods[i] < period) scratch.push(this.means[i]);
    if (this.openCount > 0 && this.openPeriod < period) scratch.push(this.openSum / this.openCount);
    return scratch.length === 0 ? null : median(scratch);
  }

  periodsBefore(period: number): number {
    let n = this.openCount > 0 && this.openPeriod < period ? 1 : 0;
    for (let i = 0; i < this.filled; i++) if (this.periods[i] < period) n++;
    return n;
  }
}

export class SeasonalBaseline {
  private readonly opts: BaselineOptions;
  private readonly day: BucketHistory[] = [];
  private readonly week: BucketHistory[] = [];
  private readonly rolling: Ewma;
  private readonly level: Ewma;
  private readonly scratch: number[] = [];
  private firstMinute: number | null = null;
  private lastLearned: number | null = null;

  constructor(opts: BaselineOptions = DEFAULT_BASELINE) {
    this.opts = opts;
    this.rolling = new Ewma(opts.rollingHalfLife);
    this.level = new Ewma(opts.levelHalfLife);
  }

  /** Normal minutes learned so far (rolling count). */
  get history(): number {
    return this.rolling.count;
  }

  /** Seasonal expectation without the level factor, or null when history is too short. */
  private seasonal(minute: number): { value: number; source: Expectation['source'] } | null {
    if (this.firstMinute === null) return null;
    const span = minute - this.firstMinute;
    if (span >= this.opts.minWeeks * 10080) {
      const b = this.week[Math.floor(minuteOfWeek(minute) / BUCKET)];
      const week = Math.floor((minute + 3 * 1440) / 10080);
      if (b && b.periodsBefore(week) >= this.opts.minWeeks) {
        const v = b.median(week, this.scratch);
        if (v !== null) return { value: v, source: 'seasonal-week' };
      }
    }
    if (span >= this.opts.minDays * 1440) {
      const b = this.day[Math.floor(minuteOfDay(minute) / BUCKET)];
      const day = Math.floor(minute / 1440);
      if (b && b.periodsBefore(day) >= this.opts.minDays) {
        const v = b.median(day, this.scratch);
        if (v !== null) return { value: v, source: 'seasonal-day' };
      }
    }
    return null;
  }

  expected(minute: number): Expectation {
    const s = this.seasonal(minute);
    if (s) {
      const lvl = this.level.count >= 30 ? Math.min(1.5, Math.max(0.67, this.level.mean)) : 1;
      return { mean: s.value * lvl, source: s.source, history: this.history };
    }
    if (this.rolling.count === 0) return { mean: 0, source: 'none', history: 0 };
    return { mean: this.rolling.mean, source: 'rolling', history: this.history };
  }

  /** Feeds a normal minute. */
  learn(minute: number, value: number): void {
    if (this.firstMinute === null) this.firstMinute = minute;
    if (this.lastLearned !== null && minute <= this.lastLearned) return;
    this.lastLearned = minute;
    const s = this.seasonal(minute);
    if (s && s.value > 0) this.level.update(value / s.value);
    this.rolling.update(value);
    const db = Math.floor(minuteOfDay(minute) / BUCKET);
    (this.day[db] ??= new BucketHistory(this.opts.days)).add(Math.floor(minute / 1440), value);
    const wb = Math.floor(minuteOfWeek(minute) / BUCKET);
    (this.week[wb] ??= new BucketHistory(this.opts.weeks)).add(Math.floor((minute + 3 * 1440) / 10080), value);
  }
}

export const BASELINE_BUCKETS = { DAY_BUCKETS, WEEK_BUCKETS, BUCKET };
