/**
 * The hybrid detection model: static rules plus adaptive per-series statistics, combined into one
 * assessment per closed minute of a scope. Deterministic: the same minutes in the same order give
 * the same assessments, live or in a backtest. Baselines learn only from minutes where their
 * series did not alert, so an incident does not teach the model that it is normal.
 */
import type { Assessment, Finding, MinuteSnapshot } from '../domain/types.ts';
import { type DetectConfig, resolveDetectConfig } from './config.ts';
import { combineFindings } from './combine.ts';
import { minuteMetrics } from './metrics.ts';
import { RollingStats, rollingZFinding, type ZSeries } from './rollingZ.ts';
import { staticRuleFindings } from './staticRules.ts';
import { round } from './score.ts';

/** What a series expects now (GET /api/v1/baseline). */
export interface SeriesBaseline {
  scope: string;
  metric: string;
  status: string;
  direction: string;
  expected: number;
  sd: number;
  band: [number, number];
  history: number;
  ready: boolean;
}

interface ScopeState {
  series: Map<string, ZSeries>;
  statuses: Set<string>;
  lastMinute: number | null;
}

export class DetectionModel {
  readonly config: DetectConfig;
  private readonly scopes = new Map<string, ScopeState>();

  constructor(config?: Partial<DetectConfig>) {
    this.config = resolveDetectConfig(config);
  }

  /** Minutes of history the engine replays into a fresh model on start. */
  get historyMinutes(): number {
    return this.config.rollingZ.window * 2;
  }

  /** Judges a closed minute and lets the baselines learn from it. */
  evaluate(snapshot: MinuteSnapshot): Assessment {
    return this.assess(snapshot, true);
  }

  /** Judges a minute that is not complete yet, without learning from it (provisional view). */
  preview(snapshot: MinuteSnapshot): Assessment {
    return this.assess(snapshot, false);
  }

  private assess(snapshot: MinuteSnapshot, learn: boolean): Assessment {
    const state = this.scopeState(snapshot.scope);
    if (learn) {
      state.lastMinute = snapshot.minute;
      for (const s of Object.keys(snapshot.counts)) state.statuses.add(s);
    }
    const statuses = learn ? state.statuses : new Set([...state.statuses, ...Object.keys(snapshot.counts)]);
    const metrics = minuteMetrics(snapshot, statuses);
    if (!snapshot.hasData) return combineFindings(snapshot.scope, snapshot.minute, metrics, [], false);

    const findings: Finding[] = staticRuleFindings(snapshot.scope, snapshot.minute, metrics, this.config);
    const observed: Array<[ZSeries, number]> = [];
    for (const status of statuses) {
      const down = this.config.volumeStatuses.includes(status);
      observed.push([this.series(state, 'count', status, down ? 'down' : 'up'), metrics.counts[status]]);
      if (!down && metrics.total >= this.config.minTotalForShare) {
        observed.push([this.series(state, 'share', status, 'up'), metrics.shares[status]]);
      }
    }
    observed.push([this.series(state, 'total', 'total', 'down'), metrics.total]);

    const alerted = new Set<ZSeries>();
    for (const [series, value] of observed) {
      const f = rollingZFinding(series, value, snapshot.scope, snapshot.minute, this.config.rollingZ, metrics.total);
      if (f) { findings.push(f); alerted.add(series); }
    }
    for (const f of findings) {
      if (f.detector.startsWith('static')) alerted.add(this.series(state, f.metric, f.status, f.direction));
    }
    if (learn) for (const [series, value] of observed) if (!alerted.has(series)) series.stats.push(value);
    return combineFindings(snapshot.scope, snapshot.minute, metrics, findings, true);
  }

  baselines(scope?: string): SeriesBaseline[] {
    const out: SeriesBaseline[] = [];
    const cfg = this.config.rollingZ;
    for (const [name, state] of this.scopes) {
      if (scope !== undefined && name !== scope) continue;
      for (const s of state.series.values()) {
        const mean = s.stats.mean();
        const floor = s.kind === 'share' ? cfg.minSigmaShare : Math.max(cfg.minSigmaCount, Math.sqrt(Math.max(mean, 0)));
        const sd = Math.max(s.stats.sd(), floor);
        out.push({
          scope: name, metric: s.kind, status: s.status, direction: s.direction, expected: round(mean), sd: round(sd),
          band: [round(Math.max(0, mean - cfg.warningZ * sd)), round(mean + cfg.warningZ * sd)],
          history: s.stats.size, ready: s.stats.size >= cfg.minHistory,
        });
      }
    }
    return out;
  }

  lastMinute(scope: string): number | null {
    return this.scopes.get(scope)?.lastMinute ?? null;
  }

  private scopeState(scope: string): ScopeState {
    let s = this.scopes.get(scope);
    if (!s) this.scopes.set(scope, (s = { series: new Map(), statuses: new Set(), lastMinute: null }));
    return s;
  }

  private series(state: ScopeState, kind: ZSeries['kind'], status: string, direction: ZSeries['direction']): ZSeries {
    const key = `${kind}:${status}`;
    let s = state.series.get(key);
    if (!s) state.series.set(key, (s = { kind, status, direction, stats: new RollingStats(this.config.rollingZ.window) }));
    return s;
  }
}
