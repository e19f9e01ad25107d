/**
 * Adaptive rolling z-score per series: the last `window` normal minutes give mean and standard
 * deviation; the current minute's distance in σ decides. Cold start: silent until `minHistory`
 * values. Zero-variance guard: σ never goes below a floor (for counts also √mean, the Poisson
 * spread), so a series that was flat does not alert on its first wiggle.
 */
import type { Direction, Finding, MetricKind, Severity } from '../domain/types.ts';
import type { RollingZConfig } from './config.ts';
import { normalSf } from './stats/distributions.ts';
import { round } from './score.ts';
import { scoreFromP } from './stats/score.ts';

/** Fixed-size ring buffer with running sums (recomputed periodically against float drift). */
export class RollingStats {
  private readonly values: Float64Array;
  private next = 0;
  private filled = 0;
  private sum = 0;
  private sumSq = 0;
  private pushes = 0;

  constructor(size: number) {
    this.values = new Float64Array(size);
  }

  get size(): number { return this.filled; }

  push(x: number): void {
    if (this.filled === this.values.length) {
      const old = this.values[this.next];
      this.sum -= old;
      this.sumSq -= old * old;
    } else {
      this.filled++;
    }
    this.values[this.next] = x;
    this.sum += x;
    this.sumSq += x * x;
    this.next = (this.next + 1) % this.values.length;
    if (++this.pushes % 4096 === 0) this.recompute();
  }

  mean(): number { return this.filled ? this.sum / this.filled : 0; }

  /** Sample standard deviation. */
  sd(): number {
    if (this.filled < 2) return 0;
    const m = this.mean();
    return Math.sqrt(Math.max(0, (this.sumSq - this.filled * m * m) / (this.filled - 1)));
  }

  private recompute(): void {
    let s = 0, q = 0;
    for (let i = 0; i < this.filled; i++) { s += this.values[i]; q += this.values[i] * this.values[i]; }
    this.sum = s;
    this.sumSq = q;
  }
}

export interface ZSeries { kind: MetricKind; status: string; direction: Direction; stats: RollingStats }

/** Judges `observed` against the series' window; returns a finding when |z| crosses warning. */
export function rollingZFinding(
  series: ZSeries, observed: number, scope: string, minute: number, config: RollingZConfig, total: number,
): Finding | null {
  const st = series.stats;
  if (st.size < config.minHistory) return null;
  const mean = st.mean();
  const floor = series.kind === 'share' ? config.minSigmaShare : Math.max(config.minSigmaCount, Math.sqrt(Math.max(mean, 0)));
  const sigma = Math.max(st.sd(), floor);
  const z = (observed - mean) / sigma;
  const signed = series.direction === 'up' ? z : -z;
  if (signed < config.warningZ) return null;
  const severity: Severity = signed >= config.criticalZ ? 'critical' : 'warning';
  const p = normalSf(signed);
  const band: [number, number] = [round(mean - config.warningZ * sigma), round(mean + config.warningZ * sigma)];
  const fmt = (x: number) => (series.kind === 'share' ? `${(x * 100).toFixed(1)}%` : round(x, 1).toString());
  const what = series.kind === 'total' ? 'total volume' : `${series.status} ${series.kind}`;
  return {
    detector: 'rolling_z', test: `rolling z-score (${config.window} min)`, scope, metric: series.kind, status: series.status, minute,
    severity, score: round(scoreFromP(p), 1), observed: round(observed), expected: round(mean), band, z: round(z, 2), pValue: p,
    direction: series.direction,
    message: `${what} ${fmt(observed)} vs expected ${fmt(mean)} (z = ${z.toFixed(1)}, ${series.direction === 'up' ? 'above' : 'below'} ${config.window}-min baseline${series.kind === 'share' ? `, n = ${total}` : ''})`,
  };
}
