/**
 * Per-series tail calibration for `txmon score`: turns a nonnegative detector statistic into a
 * natural-log tail probability ln P(T ≥ t) that means the same on every series, learnt from the
 * series' own recent values of the statistic (a sliding window, default 1024).
 *
 * Three regimes, so that one parameter set serves dense-anomaly hourly series, heavy-tailed
 * minute telemetry and quantised counts alike:
 *
 * 1. **Bulk model** (the default). The statistic's *bulk* — its median m and its q-quantile u
 *    (q = 0.8) — fixes an exponential tail: p falls linearly from 1 at m to 1 − q at u, and beyond
 *    u, p = (1 − q)·exp(−(t − u)/(w·β)) with β = (u − m)/ln((1 − ½)/(1 − q)) (the exponential's
 *    own median-to-q80 spacing) widened by w (default 2). Quantiles below the 80th are not moved
 *    by anomalies unless they fill a fifth of the window, so a series whose anomalies are frequent
 *    (crash-rate spikes every day) keeps seeing them as anomalous — the upper-quantile tail fit
 *    that the stream scorer used before learnt them as normal.
 * 2. **Conformal floor.** When the statistic has reached t at least `floorMin` times in the window,
 *    p is at least (count + 1)/(n + 1)/K — the conformal p-value (Vovk; Laxhammar & Falkman 2010)
 *    discounted by K (default 10). A value the series produces routinely (bursts of a database's
 *    batch jobs) cannot look like a one-in-a-million event, however light the bulk's tail.
 * 3. **Quantised statistics.** When u − m ≈ 0 (mostly-zero counts, a residual of 0 most of the
 *    time) the bulk says nothing about the tail: p comes from the upper-tail model of
 *    detect/stats/tail.ts (empirical to the 90th percentile, an exponential above it whose scale
 *    is estimated from the 90th–99th percentiles and the mean excess).
 *
 * Until `minCount` values were seen it answers ln p = 0 (no evidence). O(log n) per query,
 * O(n) memmove per update (n = window).
 */
import { SortedWindow } from '../detect/stats/robust.ts';
import { MIN_LOG_P, upperTailScale } from '../detect/stats/tail.ts';

export interface CalibratorParams {
  /** Values of the statistic remembered. */
  window: number;
  /** Values needed before it answers anything but ln p = 0. */
  minCount: number;
  /** Upper bulk quantile q. */
  bulkQuantile: number;
  /** Width factor w of the exponential tail beyond the bulk. */
  tailWidth: number;
  /** Conformal discount K (0 disables the floor). */
  floorDiscount: number;
  /** Exceedances needed before the floor applies. */
  floorMin: number;
}

export const DEFAULT_CALIBRATOR: Readonly<CalibratorParams> = Object.freeze({
  window: 1024,
  minCount: 24,
  bulkQuantile: 0.8,
  tailWidth: 2,
  floorDiscount: 10,
  floorMin: 3,
});

export class BulkCalibrator {
  private readonly hist: SortedWindow;
  private readonly p: CalibratorParams;
  private readonly lnTail: number;
  private readonly betaDiv: number;

  constructor(params: Partial<CalibratorParams> = {}) {
    this.p = { ...DEFAULT_CALIBRATOR, ...params };
    this.hist = new SortedWindow(this.p.window);
    this.lnTail = Math.log(1 - this.p.bulkQuantile);
    this.betaDiv = Math.log(0.5 / (1 - this.p.bulkQuantile));
  }

  get size(): number {
    return this.hist.size;
  }

  /** Median of the remembered values (NaN when empty). */
  median(): number {
    return this.hist.median();
  }

  /** ln P(T ≥ t) for the next value t of the statistic (0 = no evidence). */
  logSf(t: number): number {
    const h = this.hist;
    const n = h.size;
    const p = this.p;
    if (n < p.minCount || !(t > 0)) return 0;
    const med = h.median();
    if (t <= med) return 0;
    const u = h.quantile(p.bulkQuantile);
    let lp: number;
    if (u - med > 1e-9 * Math.abs(med) + 1e-300) {
      if (t <= u) return Math.log(1 - (p.bulkQuantile * (t - med)) / (u - med));
      const beta = ((u - med) / this.betaDiv) * p.tailWidth;
      lp = this.lnTail - (t - u) / beta;
    } else {
      // Quantised statistic: the bulk is one value; model the upper tail instead.
      const u90 = h.quantile(0.9);
      if (t <= u90) return Math.log((h.countAtLeast(t) + 1) / (n + 1));
      const beta = upperTailScale(h, u90);
      lp = Math.log(0.1) - (t - u90) / Math.max(beta, 1e-9 * Math.abs(u90) + 1e-300);
    }
    if (p.floorDiscount > 0) {
      const ge = h.countAtLeast(t);
      if (ge >= p.floorMin) {
        const floor = Math.log((ge + 1) / (n + 1) / p.floorDiscount);
        if (floor > lp) lp = floor;
      }
    }
    return lp > MIN_LOG_P ? lp : MIN_LOG_P;
  }

  /** Remembers a value of the statistic (non-finite values are ignored). */
  add(t: number): void {
    if (Number.isFinite(t)) this.hist.push(t);
  }
}
