/**
 * Adaptive rolling z-score per series: the last `window` normal minutes give mean and standard
 * deviation; the current minute's distance in σ decides. Cold start: silent until `minHistory`
 * values. Zero-variance guard: σ never goes below a floor (for counts also √mean, the Poisson
 * spread), so a series that was flat does not alert on its first wiggle.
 */
import type { Direction, Finding, MetricKind, Severity } from '../domain/types.ts';
import type { RollingZConfig } from './config.ts';
import { normalSf } from './stats/distributions.ts';
import { RollingWindow } from './stats/robust.ts';
import { round } from './round.ts';
import { scoreFromP } from './stats/score.ts';

export interface ZSeries {
  kind: MetricKind; status: string; direction: Direction; stats: RollingWindow;
  /** Serial of the minute that last flagged this series (the model's bookkeeping). */
  flaggedIn: number;
}

/** Judges `observed` against the series' window; returns a finding when |z| crosses warning. */
export function rollingZFinding(
  series: ZSeries, observed: number, scope: string, minute: number, config: RollingZConfig, total: number,
): Finding | null {
  const st = series.stats;
  if (st.size < config.minHistory) return null;
  const mean = st.mean();
  const floor = series.kind === 'share' ? config.minSigmaShare : Math.max(config.minSigmaCount, Math.sqrt(Math.max(mean, 0)));
  const sigma = Math.max(st.size >= 2 ? st.std() : 0, floor);
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
