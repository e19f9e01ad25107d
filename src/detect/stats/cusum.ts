/**
 * One-sided CUSUM charts (Page 1954) on standardised residuals z = (x − expected)/σ.
 *
 *   S⁺ₜ = max(0, S⁺ₜ₋₁ + zₜ − k)      alarms upward when S⁺ₜ > h
 *   S⁻ₜ = max(0, S⁻ₜ₋₁ − zₜ − k)      alarms downward when S⁻ₜ > h
 *
 * k is the reference value (half the shift, in σ, the chart is tuned to catch: k = 0.5 targets a
 * 1σ shift) and h the decision threshold (h = 5 with k = 0.5 gives an in-control average run
 * length of ≈ 930 observations and detects a 1σ shift in ≈ 10). CUSUM catches slow sustained
 * shifts that no single-point test sees.
 *
 * For explanations the chart keeps, per side, when the current excursion started (the last time
 * the statistic was 0, +1 — the usual change-point estimate) and its run length, and estimates
 * the shift as k + S/runLength (Montgomery, "Introduction to SQC", §9.1).
 */

/** What happens to a side's statistic after it alarms. */
export type CusumReset =
  /** Back to 0: the next alarm needs a fresh run of evidence (default). */
  | 'zero'
  /** Fast initial response (Lucas & Crosier 1982): restart at h/2, so a persisting shift re-alarms quickly. */
  | 'fir'
  /** Keep accumulating: every observation while the shift persists alarms again. */
  | 'none';

export interface CusumOptions {
  /** Reference value k in σ units (default 0.5). */
  k?: number;
  /** Decision threshold h in σ units (default 5). */
  h?: number;
  reset?: CusumReset;
}

/** State of one side after an update. */
export interface CusumSide {
  /** Current statistic (after any reset). */
  value: number;
  /** Statistic at this observation before any reset (what was compared with h). */
  peak: number;
  /** True when this observation crossed h. */
  alarm: boolean;
  /** Index (0-based count of updates) at which the current excursion started; null when S = 0. */
  start: number | null;
  /** Observations in the excursion so far (0 when S = 0). */
  runLength: number;
  /** Estimated shift in σ units (k + S/runLength), 0 when S = 0. */
  shift: number;
}

export interface CusumResult {
  upper: CusumSide;
  lower: CusumSide;
  /** 'up', 'down' or null: which side alarmed on this observation (up wins a tie). */
  alarm: 'up' | 'down' | null;
  /** Index of this observation. */
  index: number;
}

class Side {
  value = 0;
  start: number | null = null;

  step(index: number, increment: number, h: number, k: number, reset: CusumReset): CusumSide {
    const next = Math.max(0, this.value + increment);
    if (next > 0 && this.value === 0) this.start = index;
    if (next === 0) this.start = null;
    this.value = next;
    const runLength = this.start === null ? 0 : index - this.start + 1;
    const shift = runLength ? k + next / runLength : 0;
    const alarm = next > h;
    const start = this.start;
    if (alarm && reset !== 'none') {
      this.value = reset === 'fir' ? h / 2 : 0;
      // After a FIR restart the next excursion is a continuation; after zero it starts fresh.
      this.start = reset === 'fir' ? index + 1 : null;
    }
    return { value: this.value, peak: next, alarm, start, runLength, shift };
  }
}

/** Two one-sided CUSUM charts on a stream of standardised residuals. */
export class Cusum {
  readonly k: number;
  readonly h: number;
  readonly reset: CusumReset;
  private readonly up = new Side();
  private readonly down = new Side();
  private index = -1;

  constructor(options: CusumOptions = {}) {
    this.k = options.k ?? 0.5;
    this.h = options.h ?? 5;
    this.reset = options.reset ?? 'zero';
    if (!(this.k >= 0) || !(this.h > 0)) throw new RangeError(`CUSUM needs k ≥ 0 and h > 0, got k=${this.k} h=${this.h}`);
  }

  /** Feeds one standardised residual. Non-finite z leaves the charts unchanged (a gap). */
  update(z: number): CusumResult {
    this.index++;
    if (!Number.isFinite(z)) {
      return { upper: this.snapshot(this.up), lower: this.snapshot(this.down), alarm: null, index: this.index };
    }
    const upper = this.up.step(this.index, z - this.k, this.h, this.k, this.reset);
    const lower = this.down.step(this.index, -z - this.k, this.h, this.k, this.reset);
    const alarm = upper.alarm ? 'up' : lower.alarm ? 'down' : null;
    return { upper, lower, alarm, index: this.index };
  }

  private snapshot(s: Side): CusumSide {
    const runLength = s.start === null ? 0 : this.index - s.start;
    return { value: s.value, peak: s.value, alarm: false, start: s.start, runLength, shift: runLength ? this.k + s.value / runLength : 0 };
  }

  /** Current statistics without updating. */
  get upperValue(): number {
    return this.up.value;
  }

  get lowerValue(): number {
    return this.down.value;
  }

  /** Clears both sides (e.g. after the baseline was re-estimated). */
  clear(): void {
    this.up.value = 0;
    this.up.start = null;
    this.down.value = 0;
    this.down.start = null;
  }
}
