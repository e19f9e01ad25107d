/**
 * Empirical tail calibration of a nonnegative statistic (peaks over threshold).
 *
 * A detector's raw statistic (a residual, a rank surprise, a volatility ratio) is not a p-value:
 * heavy-tailed or autocorrelated series produce large values routinely. The calibrator keeps the
 * last `window` values of the statistic and answers "how often is a value this large?" for the
 * next one:
 *
 *   t ≤ median            p = 1
 *   median < t ≤ u        p falls linearly from 1 to 0.1 (u = the 90th percentile)
 *   t > u                 p = 0.1 · exp(−(t − u)/β)   (exponential tail, i.e. a GPD with ξ = 0)
 *
 * β is estimated robustly from upper quantiles — for an exponential excess the 95th percentile
 * sits β·ln 2 above the 90th and the 99th β·ln 10 above it (see {@link upperTailScale}). A single past outlier
 * moves quantiles, not β, so one incident does not blind the detector to the next. This is the
 * exponential special case of SPOT (Siffer et al., KDD 2017), with quantile estimates instead of
 * maximum likelihood so each update is O(window) memmove and each query O(1).
 */
import { SortedWindow } from './robust.ts';

export interface TailCalibratorOptions {
  /** Values of the statistic remembered (default 1024). */
  window?: number;
  /** Values needed before the calibrator answers anything but p = 1 (default 64). */
  minCount?: number;
}

/** Lowest ln p the calibrator reports (≈ 1e-868); keeps sums and comparisons finite. */
export const MIN_LOG_P = -2000;

/** For an exponential excess truncated at its 99th/90th-percentile ratio (ln 10·β), mean = this·β. */
const TRUNCATED_MEAN_FACTOR = 1 - (Math.LN10 * 0.1) / 0.9;

/**
 * Exponential tail scale β of the values above the 90th percentile u of a window, the largest of
 * three estimates that hold for an exponential excess:
 *   (q95 − u)/ln 2,   (q99 − u)/ln 10,   mean excess of the values in (u, q99] / 0.744.
 * All three ignore the top 1%, so a few extreme values (an incident in progress) cannot inflate
 * β and mask the next one. The mean-excess estimate keeps quantised data honest: with few
 * distinct values, interpolated quantiles can sit a hair apart and the first two collapse.
 * Only when all three are 0 does the maximum decide; 0 when everything above u equals u.
 */
export function upperTailScale(w: SortedWindow, u: number): number {
  const n = w.size;
  const q95 = w.quantile(0.95);
  const q99 = w.quantile(0.99);
  let b = Math.max((q95 - u) / Math.LN2, (q99 - u) / Math.LN10);
  let sum = 0;
  let cnt = 0;
  for (let i = Math.floor((n - 1) * 0.99); i >= 0; i--) {
    const v = w.sortedAt(i);
    if (v <= u) break;
    sum += v - u;
    cnt++;
  }
  if (cnt > 0) b = Math.max(b, sum / cnt / TRUNCATED_MEAN_FACTOR);
  if (b > 0) return b;
  const max = w.max();
  return max > u ? (max - u) / Math.log(Math.max(2, 0.1 * n)) : 0;
}

/** Mirror of {@link upperTailScale} for the values below the 10th percentile l. */
export function lowerTailScale(w: SortedWindow, l: number): number {
  const n = w.size;
  const q05 = w.quantile(0.05);
  const q01 = w.quantile(0.01);
  let b = Math.max((l - q05) / Math.LN2, (l - q01) / Math.LN10);
  let sum = 0;
  let cnt = 0;
  for (let i = Math.ceil((n - 1) * 0.01); i < n; i++) {
    const v = w.sortedAt(i);
    if (v >= l) break;
    sum += l - v;
    cnt++;
  }
  if (cnt > 0) b = Math.max(b, sum / cnt / TRUNCATED_MEAN_FACTOR);
  if (b > 0) return b;
  const min = w.min();
  return min < l ? (l - min) / Math.log(Math.max(2, 0.1 * n)) : 0;
}

export class TailCalibrator {
  private readonly hist: SortedWindow;
  private readonly minCount: number;

  constructor(options: TailCalibratorOptions = {}) {
    this.hist = new SortedWindow(options.window ?? 1024);
    this.minCount = options.minCount ?? 64;
  }

  /** Values remembered so far. */
  get size(): number {
    return this.hist.size;
  }

  /** Median of the remembered values (NaN when empty). */
  median(): number {
    return this.hist.median();
  }

  /** ln P(T ≥ t) under the current tail model (0 until `minCount` values were seen). */
  logSf(t: number): number {
    const h = this.hist;
    const n = h.size;
    if (n < this.minCount || !(t > 0)) return 0;
    const med = h.quantile(0.5);
    if (t <= med) return 0;
    const u = h.quantile(0.9);
    if (t <= u) return Math.log(1 - (0.9 * (t - med)) / (u - med));
    const beta = upperTailScale(h, u);
    const floor = 1e-9 * Math.abs(u) + 1e-300;
    const lp = Math.log(0.1) - (t - u) / Math.max(beta, floor);
    return lp > MIN_LOG_P ? lp : MIN_LOG_P;
  }

  /** Remembers a value of the statistic (non-finite values are ignored). */
  add(t: number): void {
    if (Number.isFinite(t)) this.hist.push(t);
  }
}
