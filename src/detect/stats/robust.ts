/**
 * Robust summaries and bounded-memory streaming helpers for per-series baselines.
 *
 * Batch helpers (median, MAD, quantile, trimmed mean) take any array-like of numbers and never
 * modify it. Streaming helpers hold a fixed amount of memory whatever the stream length.
 * NaN handling is the caller's job: these functions assume finite inputs.
 */

/** Scale factor that makes the MAD a consistent estimator of σ for normal data: 1/Φ⁻¹(¾). */
export const MAD_SCALE = 1.482602218505602;

function sortedCopy(values: ArrayLike<number>): Float64Array {
  const a = Float64Array.from(values as ArrayLike<number>);
  a.sort();
  return a;
}

/**
 * Quantile of already-sorted values, R type 7 (linear interpolation between order statistics,
 * the default of R and NumPy). q ∈ [0, 1]; empty input → NaN.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number, count = sorted.length): number {
  if (count === 0) return NaN;
  if (q <= 0) return sorted[0];
  if (q >= 1) return sorted[count - 1];
  const h = (count - 1) * q;
  const lo = Math.floor(h);
  const hi = lo + 1 < count ? lo + 1 : lo;
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Quantile (R type 7) of unsorted values. */
export function quantile(values: ArrayLike<number>, q: number): number {
  return quantileSorted(sortedCopy(values), q);
}

/** Median; NaN for empty input. */
export function median(values: ArrayLike<number>): number {
  return quantileSorted(sortedCopy(values), 0.5);
}

/**
 * Median absolute deviation around `center` (default: the median), scaled by {@link MAD_SCALE}
 * so that it estimates σ for normal data. Pass `scale = 1` for the raw MAD.
 */
export function mad(values: ArrayLike<number>, center = median(values), scale = MAD_SCALE): number {
  const dev = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) dev[i] = Math.abs(values[i] - center);
  dev.sort();
  return scale * quantileSorted(dev, 0.5);
}

/**
 * Mean after dropping the `proportion` smallest and the `proportion` largest values
 * (proportion ∈ [0, 0.5); 0.5 or more → the median).
 */
export function trimmedMean(values: ArrayLike<number>, proportion: number): number {
  const n = values.length;
  if (n === 0) return NaN;
  const s = sortedCopy(values);
  if (proportion >= 0.5) return quantileSorted(s, 0.5);
  const cut = Math.floor(n * Math.max(0, proportion));
  let sum = 0;
  for (let i = cut; i < n - cut; i++) sum += s[i];
  return sum / (n - 2 * cut);
}

/** Arithmetic mean and unbiased sample variance in one pass (Welford). */
export function meanVariance(values: ArrayLike<number>): { mean: number; variance: number } {
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < values.length; i++) {
    const d = values[i] - mean;
    mean += d / (i + 1);
    m2 += d * (values[i] - mean);
  }
  return { mean: values.length ? mean : NaN, variance: values.length > 1 ? m2 / (values.length - 1) : NaN };
}

/**
 * Fixed-size window over the last `capacity` values: O(1) push, mean and variance.
 *
 * Running sums of (x − shift) and (x − shift)² drift when values are added and removed for a
 * long time; they are recomputed exactly from the buffer every `capacity` pushes (amortised
 * O(1)), and the shift (the first value seen since the last recompute) keeps the sum of squares
 * from cancelling when the mean is large compared with the spread.
 */
export class RollingWindow {
  readonly capacity: number;
  private readonly buf: Float64Array;
  private start = 0;
  private count = 0;
  private shift = 0;
  private sum = 0;
  private sumSq = 0;
  private sinceRecompute = 0;

  constructor(capacity: number) {
    if (!(capacity >= 1) || !Number.isInteger(capacity)) throw new RangeError(`RollingWindow capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.buf = new Float64Array(capacity);
  }

  /** Adds a value; returns the value it evicted, or undefined while the window is filling. */
  push(x: number): number | undefined {
    let evicted: number | undefined;
    if (this.count === 0) this.shift = x;
    if (this.count < this.capacity) {
      this.buf[(this.start + this.count) % this.capacity] = x;
      this.count++;
    } else {
      evicted = this.buf[this.start];
      this.buf[this.start] = x;
      this.start = (this.start + 1) % this.capacity;
      const e = evicted - this.shift;
      this.sum -= e;
      this.sumSq -= e * e;
    }
    const d = x - this.shift;
    this.sum += d;
    this.sumSq += d * d;
    if (++this.sinceRecompute >= this.capacity) this.recompute();
    return evicted;
  }

  private recompute(): void {
    this.sinceRecompute = 0;
    if (this.count === 0) return;
    this.shift = this.buf[this.start];
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < this.count; i++) {
      const d = this.buf[(this.start + i) % this.capacity] - this.shift;
      s += d;
      s2 += d * d;
    }
    this.sum = s;
    this.sumSq = s2;
  }

  /** Number of values held (≤ capacity). */
  get size(): number {
    return this.count;
  }

  get full(): boolean {
    return this.count === this.capacity;
  }

  /** Mean of the window; NaN when empty. */
  mean(): number {
    return this.count ? this.shift + this.sum / this.count : NaN;
  }

  /** Unbiased sample variance; NaN with fewer than 2 values. Never negative. */
  variance(): number {
    if (this.count < 2) return NaN;
    const v = (this.sumSq - (this.sum * this.sum) / this.count) / (this.count - 1);
    return v > 0 ? v : 0;
  }

  std(): number {
    return Math.sqrt(this.variance());
  }

  /** i-th value, oldest first (0 ≤ i < size). */
  get(i: number): number {
    return this.buf[(this.start + i) % this.capacity];
  }

  /** The most recent value (NaN when empty). */
  last(): number {
    return this.count ? this.get(this.count - 1) : NaN;
  }

  /** Copy of the values, oldest first. */
  values(): Float64Array {
    const out = new Float64Array(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.get(i);
    return out;
  }

  clear(): void {
    this.start = 0;
    this.count = 0;
    this.sum = 0;
    this.sumSq = 0;
    this.sinceRecompute = 0;
  }
}

/**
 * The last `capacity` values kept both in arrival order and sorted, so that rolling median,
 * quantiles and ranks are O(1)/O(log n) and a push is O(n) memmove (≈ 0.3 µs at n = 1024).
 */
export class SortedWindow {
  readonly capacity: number;
  private readonly ring: Float64Array;
  private readonly sorted: Float64Array;
  private start = 0;
  private count = 0;

  constructor(capacity: number) {
    if (!(capacity >= 1) || !Number.isInteger(capacity)) throw new RangeError(`SortedWindow capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.ring = new Float64Array(capacity);
    this.sorted = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Adds a finite value, evicting the oldest when full. */
  push(x: number): void {
    if (this.count === this.capacity) {
      const old = this.ring[this.start];
      this.ring[this.start] = x;
      this.start = (this.start + 1) % this.capacity;
      // Replace `old` by `x` in the sorted array with one shift of the elements in between.
      const i = this.lowerBound(old);
      const j = this.lowerBound(x);
      if (j > i) {
        // x goes above: shift (i, j) down by one, put x at j − 1.
        this.sorted.copyWithin(i, i + 1, j);
        this.sorted[j - 1] = x;
      } else {
        this.sorted.copyWithin(j + 1, j, i);
        this.sorted[j] = x;
      }
      return;
    }
    this.ring[(this.start + this.count) % this.capacity] = x;
    const j = this.lowerBound(x);
    this.sorted.copyWithin(j + 1, j, this.count);
    this.sorted[j] = x;
    this.count++;
  }

  /** First index in the sorted values whose value is ≥ x. */
  lowerBound(x: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sorted[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index whose value is > x. */
  upperBound(x: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sorted[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Number of held values ≥ x. */
  countAtLeast(x: number): number {
    return this.count - this.lowerBound(x);
  }

  /** Number of held values ≤ x. */
  countAtMost(x: number): number {
    return this.upperBound(x);
  }

  /** Quantile (R type 7) of the held values. */
  quantile(q: number): number {
    return quantileSorted(this.sorted, q, this.count);
  }

  median(): number {
    return this.quantile(0.5);
  }

  min(): number {
    return this.count ? this.sorted[0] : NaN;
  }

  max(): number {
    return this.count ? this.sorted[this.count - 1] : NaN;
  }

  /** i-th value in arrival order, oldest first. */
  get(i: number): number {
    return this.ring[(this.start + i) % this.capacity];
  }

  /** i-th smallest held value (0 ≤ i < size). */
  sortedAt(i: number): number {
    return this.sorted[i];
  }
}

/**
 * Exponentially weighted mean and variance with a half-life in observations: an observation
 * `halfLife` steps old weighs half as much as the newest. Variance follows West (1979) /
 * Finch (2009): incremental, no catastrophic cancellation.
 */
export class Ewma {
  readonly alpha: number;
  private m = NaN;
  private v = 0;
  private n = 0;

  constructor(halfLife: number) {
    if (!(halfLife > 0)) throw new RangeError(`Ewma half-life must be > 0, got ${halfLife}`);
    this.alpha = 1 - Math.pow(2, -1 / halfLife);
  }

  /** Adds an observation (non-finite values are ignored). */
  update(x: number): void {
    if (!Number.isFinite(x)) return;
    this.n++;
    if (this.n === 1) {
      this.m = x;
      this.v = 0;
      return;
    }
    // Until enough observations have arrived, weigh them as a plain running mean so the start
    // is not dominated by the first value.
    const a = Math.max(this.alpha, 1 / this.n);
    const diff = x - this.m;
    const incr = a * diff;
    this.m += incr;
    this.v = (1 - a) * (this.v + diff * incr);
  }

  get mean(): number {
    return this.m;
  }

  get variance(): number {
    return this.n > 1 ? this.v : NaN;
  }

  get std(): number {
    return Math.sqrt(this.variance);
  }

  /** Observations seen so far. */
  get count(): number {
    return this.n;
  }
}
