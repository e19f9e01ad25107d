/**
 * The hybrid detection model: static rules plus adaptive, count-aware, seasonal statistics,
 * combined into one assessment per closed minute of a scope (docs/detection.md).
 *
 * Per series (a status count, its share of total, total volume):
 *   expected value  ← seasonal baseline (time of day / week), rolling while history is short;
 *   count test      ← negative binomial tail, volume-adjusted for problem statuses;
 *   share test      ← beta-binomial tail behind a minimum-volume gate;
 *   drop / outage   ← lower tails of approved and total, and a hard outage rule;
 *   sustained shift ← log-likelihood-ratio CUSUM;
 *   rolling z       ← the v1 60-minute z-score, kept for high-volume series;
 *   no data         ← a scope silent for N minutes while it normally sends.
 * Findings are confirmed k-of-n (anti-flapping) unless the evidence is overwhelming; baselines
 * learn only from minutes where their series was not flagged, so incidents are not learned.
 * Deterministic: the same minutes in the same order give the same assessments.
 */
import type { Assessment, Direction, Finding, MetricKind, MinuteSnapshot, Severity } from '../domain/types.ts';
import { type DetectConfig, resolveDetectConfig } from './config.ts';
import { combineFindings } from './combine.ts';
import { minuteMetrics } from './metrics.ts';
import { rollingZFinding, type ZSeries } from './rollingZ.ts';
import { RollingWindow } from './stats/robust.ts';
import { staticRuleFindings } from './staticRules.ts';
import { round } from './round.ts';
import { SeasonalBaseline, type BaselineOptions, type Expectation } from './baseline.ts';
import { ZoneCalendar } from '../domain/time.ts';
import { countTest, Dispersion } from './countTail.ts';
import { ShareBaseline, shareTest } from './shareTail.ts';
import { LlrCusum, countIncrement, shareIncrement } from './sustained.ts';
import { AuthCodeMix } from './authMix.ts';
import { scoreFromP, severityFromScore } from './stats/score.ts';

/** What a series expects now (GET /api/v1/baseline). */
export interface SeriesBaseline {
  scope: string;
  metric: string;
  status: string;
  direction: string;
  expected: number;
  band: [number, number];
  source: string;
  history: number;
  ready: boolean;
}

interface CountSeries {
  status: string;
  direction: Direction;
  baseline: SeasonalBaseline;
  dispersion: Dispersion;
  cusum: LlrCusum;
  z: ZSeries;
  /** Bit i set = flagged i minutes ago (bit 0 = the current minute once shifted). */
  flags: number;
  /** Same, for the rolling z-score alone (it confirms on its own, stricter, k-of-n). */
  zFlags: number;
  /** Consecutive minutes this series was kept from learning. */
  unlearned: number;
  flaggedIn: number;
  /** The status's share-of-total series (upward statuses only). */
  share: ShareSeries | null;
}

interface ShareSeries {
  status: string;
  /** Position of its status in the scope's countList (and in the minute's count values). */
  index: number;
  /** Problem status: its share also runs the sustained-rise CUSUM. */
  sustained: boolean;
  baseline: ShareBaseline;
  cusum: LlrCusum;
  flags: number;
  unlearned: number;
  flaggedIn: number;
}

interface ScopeState {
  counts: Map<string, CountSeries>;
  shares: Map<string, ShareSeries>;
  /** The same series in the same order, as arrays: walked every minute (no iterator objects). */
  countList: CountSeries[];
  shareList: ShareSeries[];
  total: CountSeries | null;
  statuses: Set<string>;
  /** The same statuses in the same order (the order of countList). */
  statusList: string[];
  /**
   * The minute's counts by position in statusList (minuteMetrics fills it): judged and learned by
   * index rather than read again by status name from the count objects (keyed reads of a string
   * key missing the inline caches, a dozen per scope-minute). Scratch, valid during one assess.
   */
  values: number[];
  authMix: AuthCodeMix;
  lastMinute: number | null;
  silentMinutes: number;
  /** Transactions the current run of silent minutes was expected to bring (Σ expected totals). */
  silentExpected: number;
  noDataFlags: number;
  /** Flagged when the minute is a volume surge. */
  surge: Flaggable;
}

/** Something a minute's judgement can flag (a series, its rolling z, the surge marker). */
interface Flaggable { flaggedIn: number }

/**
 * The set of things flagged in the minute being judged, as a stamp on each rather than a Set made
 * per minute: `add` marks with the current serial, `next` starts a new minute (empty set).
 */
class MinuteFlags {
  private serial = 0;
  add(x: Flaggable): void { x.flaggedIn = this.serial; }
  has(x: Flaggable): boolean { return x.flaggedIn === this.serial; }
  next(): this { this.serial++; return this; }
}

/** A count test with no practical-effect gate (static rules ask only how improbable a count is). */
const NO_GATE = { minRatio: 0, minDelta: -Infinity };

/** Silence tail probabilities of a warning and a critical no-data finding (the p → score curve's 50 and 80). */
const NO_DATA_P = { warning: 1e-4, critical: 1e-7 };

const fmtShare = (x: number) => `${(x * 100).toFixed(x < 0.01 ? 2 : 1)}%`;
const fmtCount = (x: number) => (x >= 10 ? Math.round(x).toString() : round(x, 2).toString());
/** HH:MM UTC of an epoch minute (the start of a sustained run). */
const hhmm = (m: number) => {
  const d = ((m % 1440) + 1440) % 1440;
  const h = Math.floor(d / 60);
  const mm = d % 60;
  return `${h < 10 ? '0' : ''}${h}:${mm < 10 ? '0' : ''}${mm}`;
};

export class DetectionModel {
  readonly config: DetectConfig;
  private readonly scopes = new Map<string, ScopeState>();
  private readonly flags = new MinuteFlags();
  /** Is the minute being judged learned from (evaluate) or only looked at (preview)? */
  private learning = true;
  /** Did the last expectedShare come from seasonal history? */
  private shareSeasonal = false;
  /** The scope, minute and volume factor `countSurprise` answers for (set before the static rules run). */
  private bandState: ScopeState | null = null;
  private bandMinute = 0;
  private bandVolumeFactor = 1;

  /**
   * Upper-tail p of a status's count against what its series expects (volume-adjusted as the count
   * test adjusts it, no Bonferroni: the rule's own line is the first filter); null while the
   * series has no baseline (see staticRules.ts).
   */
  private readonly countSurprise = (status: string, count: number): number | null => {
    const s = this.bandState?.counts.get(status);
    if (!s || s.baseline.history < this.config.minHistory) return null;
    const exp = s.baseline.expected(this.bandMinute);
    const mu = exp.mean * (s.direction === 'up' ? this.bandVolumeFactor : 1);
    return countTest(count, mu, s.dispersion.alpha, 'up', NO_GATE, 1)?.p ?? 1;
  };

  /** Seasonal baselines' options, with the one calendar of the configured time zone. */
  private readonly baselineOptions: BaselineOptions;

  constructor(config?: Partial<DetectConfig>) {
    this.config = resolveDetectConfig(config);
    this.baselineOptions = { ...this.config.baseline, calendar: new ZoneCalendar(this.config.timeZone) };
  }

  /** Minutes of history the engine replays into a fresh model on start (seasonal needs weeks). */
  get historyMinutes(): number {
    return Math.min(this.config.baseline.days, 7 * this.config.baseline.weeks) * 1440;
  }

  /** Judges a closed minute and lets the baselines learn from it. */
  evaluate(snapshot: MinuteSnapshot): Assessment {
    return this.assess(snapshot, true);
  }

  /** Judges a minute that is not complete yet, without learning from it (provisional view). */
  preview(snapshot: MinuteSnapshot): Assessment {
    return this.assess(snapshot, false);
  }

  /**
   * A CUSUM after this minute's increment: the chart itself when learning, a copy in a preview
   * (a provisional view of a minute still filling must not advance the chart: it would count the
   * minute once per partial request, then once more when the minute closes).
   */
  private cusumStep(c: LlrCusum, increment: number, minute: number, observed: number, expected: number, weight: number, normal: boolean): LlrCusum {
    const step = this.learning ? c : c.copy();
    step.add(increment, this.config.cusum.h, minute, observed, expected, weight, this.config.cusum.resetAfterMinutes, normal);
    return step;
  }

  private assess(snapshot: MinuteSnapshot, learn: boolean): Assessment {
    const cfg = this.config;
    this.learning = learn;
    // A preview neither creates state for a scope it has not seen nor changes the state it reads.
    const state = learn ? this.scopeState(snapshot.scope) : this.scopes.get(snapshot.scope) ?? newScopeState();
    const { scope, minute } = snapshot;
    if (learn) {
      state.lastMinute = minute;
      // A status seen for the first time gets its series now: state.counts then lists every known
      // status in the order of state.statuses, and the minute's loop below walks it directly.
      for (const s in snapshot.counts) if (!state.statuses.has(s)) { state.statuses.add(s); state.statusList.push(s); this.countSeries(state, s); }
    }
    const statuses = learn ? state.statusList : [...new Set([...state.statusList, ...Object.keys(snapshot.counts)])];
    // The statuses cover every key of the snapshot: new ones were added above (or joined in a preview).
    const values = state.values;
    const metrics = minuteMetrics(snapshot, statuses, true, values);
    if (!snapshot.hasData) return this.noData(state, snapshot, metrics, learn);
    if (learn) { state.silentMinutes = 0; state.silentExpected = 0; state.noDataFlags = (state.noDataFlags << 1) & 0xffff; }

    const raw: Finding[] = [];
    const flagged = this.flags.next();
    const total = state.total ?? this.newCountSeries('total', 'down');
    if (learn) state.total = total;
    const totalExp = total.baseline.expected(minute);
    // Problem counts are judged against volume-adjusted expectations: twice the traffic with the
    // same mix is a surge, not an incident.
    const volumeFactor = totalExp.mean > 0 && total.baseline.history >= cfg.minHistory
      ? Math.min(5, Math.max(0.2, metrics.total / totalExp.mean)) : 1;
    const tests = Math.max(1, statuses.length * 2 + 1);

    this.judgeCount(total, metrics.total, totalExp, 1, snapshot, raw, flagged, tests, 'total');
    const surge = this.surge(total, metrics.total, totalExp, snapshot, tests);
    if (surge) { raw.push(surge); flagged.add(state.surge); }
    // Known statuses only: one first seen in a preview has no history to judge it by (static rules only).
    const countList = state.countList;
    for (let i = 0; i < countList.length; i++) {
      const series = countList[i];
      const down = series.direction === 'down';
      const exp = series.baseline.expected(minute);
      // countList[i] is the series of statuses[i] (see above), so values[i] is its count.
      this.judgeCount(series, values[i], exp, down ? 1 : volumeFactor, snapshot, raw, flagged, tests, 'count');
      if (series.share !== null) {
        const p0 = this.expectedShare(series.share, exp, totalExp);
        this.judgeShare(series.share, values[i], metrics.total, p0, snapshot, raw, flagged, tests, series.flags);
      }
    }
    this.bandState = state;
    this.bandMinute = minute;
    this.bandVolumeFactor = volumeFactor;
    for (const f of staticRuleFindings(scope, minute, metrics, cfg, this.countSurprise)) {
      if (f.metric === 'count' && !cfg.staticCountScopes.includes(scope)) continue;
      raw.push(f);
    }

    const findings = this.confirm(state, raw, flagged, learn);
    for (const f of findings) {
      // The auth-code mix explains what pages; information findings do without it.
      if ((f.status === 'denied' || f.status === 'failed') && f.direction === 'up' && f.severity !== 'info') {
        const mix = state.authMix.describe(snapshot.authCodes);
        if (mix) f.message += `; ${mix}`;
      }
    }
    const assessment = combineFindings(scope, minute, metrics, findings, true);
    if (learn) this.learn(state, snapshot, metrics.total, values, flagged, assessment.severity);
    return assessment;
  }

  private judgeCount(
    series: CountSeries, observed: number, exp: Expectation, factor: number, snap: MinuteSnapshot,
    out: Finding[], flagged: MinuteFlags, tests: number, metric: MetricKind,
  ): void {
    const cfg = this.config;
    const ready = series.baseline.history >= cfg.minHistory;
    if (ready) {
      const mu = exp.mean * factor;
      const alpha = series.dispersion.alpha;
      const gate = series.direction === 'up' ? cfg.countUp : cfg.countDown;
      const v = countTest(observed, mu, alpha, series.direction, gate, tests);
      const outage = series.direction === 'down' && mu >= cfg.outageMinExpected && observed <= cfg.outageRatio * mu;
      if (v) {
        const score = scoreFromP(v.p);
        const sev = severityFromScore(score);
        if (sev !== 'none') {
          out.push({
            detector: series.direction === 'up' ? 'count_test' : outage ? 'outage' : 'drop', test: `negative binomial tail (${exp.source} baseline)`,
            scope: snap.scope, metric, status: series.status, minute: snap.minute, severity: outage ? 'critical' : sev, score: round(Math.max(score, outage ? 90 : 0), 1),
            observed, expected: round(mu), band: countBand(mu, alpha), pValue: v.p, direction: series.direction,
            message: `${countWhat(series.status, metric)} ${observed} vs expected ${fmtCount(mu)} (${series.direction === 'up' ? (v.ratio > 100 ? '>100×' : `${v.ratio.toFixed(1)}×`) : `${Math.round((1 - v.ratio) * 100)}% below`}, p = ${v.p.toExponential(1)}${outage ? '; outage: sales stopped' : ''})`,
          });
          flagged.add(series);
        }
      } else if (outage) {
        // Hard rule: zero (or near-zero) sales while many are expected is critical whatever the tail says.
        out.push({
          detector: 'outage', test: 'outage rule', scope: snap.scope, metric, status: series.status, minute: snap.minute, severity: 'critical', score: 90,
          observed, expected: round(mu), band: countBand(mu, alpha), threshold: round(cfg.outageRatio * mu), direction: 'down',
          message: `${countWhat(series.status, metric)} ${observed} vs expected ${fmtCount(mu)}: outage, sales stopped`,
        });
        flagged.add(series);
      }
      // Sustained shift on counts: only the downward side (drops); rises are judged on shares.
      // A chart at rest stays at 0 on a minute at or above expectation (its increment is ≤ 0 then,
      // since log s ≤ s − 1): skip the logs on the common quiet minute.
      const atRest = series.cusum.value === 0 && cfg.cusum.dropShift < 1 && observed >= Math.max(mu, 0.02);
      if (series.direction === 'down' && exp.source !== 'rolling' && !atRest) {
        const inc = countIncrement(observed, mu, cfg.cusum.dropShift, alpha);
        const cusum = this.cusumStep(series.cusum, inc, snap.minute, observed, mu, 1, observed >= mu);
        const f = cusum.value >= cfg.cusum.h / 4 ? this.cusumFinding(snap, metric, series.status, 'down', cusum, countWhat(series.status, metric), fmtCount, this.recentlyFlagged(series.flags)) : null;
        if (f) {
          out.push(f);
          if (f.severity !== 'info') flagged.add(series);
        }
      }
    }
    if (cfg.rollingZ.enabled && series.z.stats.size >= cfg.rollingZ.minHistory && series.z.stats.mean() >= cfg.rollingZ.minMean) {
      const f = rollingZFinding(series.z, observed, snap.scope, snap.minute, cfg.rollingZ, 0);
      if (f) { out.push(f); flagged.add(series.z); }
    }
  }

  /**
   * A volume surge is not an incident (the shares say whether anything is wrong), but it must not
   * teach the volume baselines either: reported as info, and the volume series skip learning.
   */
  private surge(total: CountSeries, observed: number, exp: Expectation, snap: MinuteSnapshot, tests: number): Finding | null {
    if (total.baseline.history < this.config.minHistory) return null;
    const v = countTest(observed, exp.mean, total.dispersion.alpha, 'up', this.config.countUp, tests);
    if (!v || scoreFromP(v.p) < 50) return null;
    return {
      detector: 'volume_surge', test: `negative binomial tail (${exp.source} baseline)`, scope: snap.scope, metric: 'total', status: 'total', minute: snap.minute,
      severity: 'info', score: 0, observed, expected: round(exp.mean), pValue: v.p, direction: 'up',
      message: `volume surge: ${observed} transactions vs expected ${fmtCount(exp.mean)} (${v.ratio.toFixed(1)}×); not an incident unless shares move`,
    };
  }

  /**
   * The share a status is expected to have this minute, by what the history allows:
   * - seasonal: its seasonal expected count over the seasonal expected total (the share for this
   *   time of day and week: the evening rise of the denied share is normal there);
   * - shorter history: the pooled share of the recent hour or so (half-life 60 min), which
   *   follows the day's slow changes of mix;
   * - rare statuses (under 1 a minute expected): the pooled share of the last hours (half-life
   *   240 min) — a share of a few events needs that much traffic to be estimated at all.
   * `shareSeasonal` says which one was used (the sustained-rise chart is stricter without it).
   */
  private expectedShare(s: ShareSeries, exp: Expectation, totalExp: Expectation): number {
    this.shareSeasonal = false;
    if (exp.mean < 1) return s.baseline.share;
    if (exp.source !== 'rolling' && exp.source !== 'none' && totalExp.source !== 'rolling' && totalExp.source !== 'none' && totalExp.mean > 0) {
      this.shareSeasonal = true;
      return Math.min(0.99, exp.mean / totalExp.mean);
    }
    return s.baseline.recentShare;
  }

  private judgeShare(series: ShareSeries, k: number, n: number, p0: number, snap: MinuteSnapshot, out: Finding[], flagged: MinuteFlags, tests: number, countFlags = 0): void {
    const cfg = this.config;
    if (series.baseline.history < cfg.minHistory) return;
    const rho = series.baseline.rho;
    const v = shareTest(k, n, p0, rho, cfg.share, tests);
    if (v) {
      const score = scoreFromP(v.p);
      const sev = severityFromScore(score);
      if (sev !== 'none') {
        const sd = Math.sqrt((p0 * (1 - p0) * (1 + (n - 1) * rho)) / Math.max(n, 1));
        out.push({
          detector: 'share_test', test: rho > 0 ? 'beta-binomial share tail' : 'binomial share tail', scope: snap.scope, metric: 'share', status: series.status,
          minute: snap.minute, severity: sev, score: round(score, 1), observed: round(k / n), expected: round(p0), band: [round(Math.max(0, p0 - 3 * sd)), round(p0 + 3 * sd)],
          pValue: v.p, direction: 'up',
          message: `${series.status} share ${fmtShare(k / n)} (${k} of ${n}) vs expected ${fmtShare(p0)} (${v.ratio > 100 ? '>100' : v.ratio.toFixed(1)}×, p = ${v.p.toExponential(1)})`,
        });
        flagged.add(series);
      }
    }
    // Sustained-rise CUSUM for the problem statuses only: other statuses (refunds, unknown ones)
    // have their own slow rhythms and are judged minute by minute.
    // At rest, a share at or below the expected one cannot start an excursion (its increment is
    // ≤ 0): skip the logs on the common quiet minute.
    const atRest = series.cusum.value === 0 && k <= n * Math.min(0.99, Math.max(p0, 1e-4));
    if (series.sustained && n > 0 && !atRest) {
      // Without seasonal history the expected share only follows the day's mix with a lag: the
      // chart then looks for a larger shift (×2 rather than ×1.5), which the lag cannot mimic.
      const shift = this.shareSeasonal ? cfg.cusum.shareShift : cfg.cusum.shortHistoryShareShift;
      const p1 = Math.max(p0 * shift, p0 + cfg.share.minShareDelta);
      const inc = shareIncrement(k, n, p0, p1 / Math.max(p0, 1e-4), rho);
      const cusum = this.cusumStep(series.cusum, inc, snap.minute, k, n * p0, n, k <= n * p0);
      const f = cusum.value >= cfg.cusum.h / 4 ? this.cusumFinding(snap, 'share', series.status, 'up', cusum, `${series.status} share`, fmtShare, this.recentlyFlagged(series.flags | countFlags)) : null;
      if (f) {
        out.push(f);
        if (f.severity !== 'info') flagged.add(series);
      }
    }
  }

  /**
   * The finding of a chart in alarm, or null when its run does not support the claim. It reports
   * what the test judged: the mean over the run against the mean expected over the same minutes —
   * for a rise the first is above the second, for a drop below (a positive LLR sum over the run
   * implies it; the check keeps it true whatever the per-minute deflation did). It turns critical
   * only after `criticalAfterMinutes` in alarm and while the current minute still supports the
   * shift: severity never rises on weakening evidence.
   */
  /** Was a series flagged (a significant minute) in the minutes before this one that confirmation looks back on? */
  private recentlyFlagged(flags: number): boolean {
    return (flags & ((1 << Math.max(0, this.config.confirm.n - 1)) - 1)) !== 0;
  }

  /**
   * @param corroborated a point test flagged this problem's series in the last minutes: a chart
   *   half-way to its alarm plus a significant minute is evidence over more than one minute — a
   *   warning now rather than after the full alarm (a storm of a few events a minute is paged in
   *   its first minutes)
   */
  private cusumFinding(snap: MinuteSnapshot, metric: MetricKind, status: string, direction: Direction, c: LlrCusum, what: string, fmt: (x: number) => string, corroborated = false): Finding | null {
    const cfg = this.config.cusum;
    const observed = c.runObserved;
    const expected = c.runExpected;
    if (direction === 'up' ? !(observed > expected) : !(observed < expected)) return null;
    const share = metric === 'share';
    if (c.value <= cfg.h && corroborated && c.last > 0 && c.value >= (2 * cfg.h) / 3 && c.run >= 2) {
      return {
        detector: 'cusum', test: 'CUSUM (sustained shift)', scope: snap.scope, metric, status, minute: snap.minute, severity: 'warning',
        score: round(Math.max(50, scoreFromP(Math.exp(-c.value))), 1),
        observed: share ? round(observed) : round(observed, 2), expected: share ? round(expected) : round(expected, 2), threshold: cfg.h, direction,
        message: `${what} averaged ${fmt(observed)} over the ${c.run} min since ${hhmm(c.start)} vs expected ${fmt(expected)}: sustained ${direction === 'up' ? 'rise' : 'drop'} beginning, after a significant minute (CUSUM ${c.value.toFixed(1)} of ${cfg.h})`,
      };
    }
    if (c.value <= cfg.h) {
      // Building up, not in alarm: information that keeps an open alert of this problem from
      // resolving while the evidence is still there, never an alert of its own. A one-minute
      // excursion (a single rare event) is not evidence of anything sustained yet.
      if (c.run < 2) return null;
      return {
        detector: 'cusum', test: 'CUSUM (sustained shift)', scope: snap.scope, metric, status, minute: snap.minute, severity: 'info', score: 0,
        observed: share ? round(observed) : round(observed, 2), expected: share ? round(expected) : round(expected, 2), threshold: cfg.h, direction,
        message: `${what} averaged ${fmt(observed)} over the ${c.run} min since ${hhmm(c.start)} vs expected ${fmt(expected)}: evidence of a sustained ${direction === 'up' ? 'rise' : 'drop'} building (CUSUM ${c.value.toFixed(1)} of ${cfg.h})`,
      };
    }
    const critical = c.alarmed >= cfg.criticalAfterMinutes && c.last > 0;
    return {
      detector: 'cusum', test: 'CUSUM (sustained shift)', scope: snap.scope, metric, status, minute: snap.minute, severity: critical ? 'critical' : 'warning',
      score: critical ? 80 : round(Math.max(50, scoreFromP(Math.exp(-cfg.h))), 1),
      observed: share ? round(observed) : round(observed, 2), expected: share ? round(expected) : round(expected, 2), threshold: cfg.h, direction,
      message: `${what} averaged ${fmt(observed)} over the ${c.run} min since ${hhmm(c.start)} vs expected ${fmt(expected)}: sustained ${direction === 'up' ? 'rise' : 'drop'} (CUSUM ${c.value.toFixed(1)} > ${cfg.h})`,
    };
  }

  /** k-of-n confirmation per series: one odd minute does not page; overwhelming evidence does. */
  private confirm(state: ScopeState, raw: Finding[], flagged: MinuteFlags, learn: boolean): Finding[] {
    const out: Finding[] = [];
    for (const f of raw) {
      const s = seriesOf(state, f);
      const isZ = f.detector === 'rolling_z';
      const { k, n } = isZ ? this.config.rollingZ.confirm : this.config.confirm;
      const mask = (1 << n) - 1;
      const history = s ? (((isZ ? s.zFlags ?? 0 : s.flags) << 1) | 1) & mask : 1;
      // A sustained-shift chart half-way to its alarm is evidence from earlier minutes too: it
      // corroborates a point finding of the same problem as well as a second flagged minute would.
      const chart = isZ ? null : this.chartOf(state, f);
      const corroborated = chart !== null && chart.run >= 2 && chart.value >= this.config.cusum.h / 2;
      const confirmed = f.severity === 'info' || f.detector.startsWith('static') || f.detector === 'cusum' || (!isZ && f.score >= this.config.immediateScore) || popcount(history) >= k || corroborated;
      out.push(confirmed ? f : { ...f, severity: 'info', message: `${f.message} [awaiting confirmation ${popcount(history)}/${k} of ${n} min]` });
    }
    if (learn) {
      for (let i = 0; i < state.countList.length; i++) shiftCountFlags(state.countList[i], flagged);
      if (state.total) shiftCountFlags(state.total, flagged);
      for (let i = 0; i < state.shareList.length; i++) {
        const s = state.shareList[i];
        s.flags = ((s.flags << 1) | (flagged.has(s) ? 1 : 0)) & 0xffff;
      }
    }
    return out;
  }

  /** The sustained-shift chart watching the same problem as `f` (a rise in its status's share, a drop in its count), if any. */
  private chartOf(state: ScopeState, f: Finding): LlrCusum | null {
    if (f.direction === 'up') {
      const share = state.shares.get(f.status);
      return share && share.sustained ? share.cusum : null;
    }
    const series = f.metric === 'total' ? state.total : state.counts.get(f.status);
    return series ? series.cusum : null;
  }

  /** @param values the minute's counts by position in countList (minuteMetrics) */
  private learn(state: ScopeState, snap: MinuteSnapshot, total: number, values: readonly number[], flagged: MinuteFlags, severity: Severity): void {
    // A critical minute distorts every series of the scope (e.g. an outage skews all shares).
    const skipAll = severity === 'critical';
    const surge = flagged.has(state.surge);
    // A volume surge is never alerted, so nothing is gained by learning it early, and learning it
    // makes its end look like a sales drop: the volume series absorb a surge at the slower
    // `adaptSurgeMinutes`; a drop, which is alerted, becomes the new normal at `adaptMinutes`.
    // (surgeOnly: that case for one series.)
    const surgeAlone = surge && !skipAll;
    if (state.total) {
      const t = state.total;
      this.feed(t, total, snap.minute, skipAll || flagged.has(t) || flagged.has(t.z) || surge, surgeAlone && surgeOnly(t, flagged));
    }
    for (let i = 0; i < state.countList.length; i++) {
      const s = state.countList[i];
      const down = s.direction === 'down';
      const skip = skipAll || flagged.has(s) || flagged.has(s.z) || (surge && down);
      this.feed(s, values[i], snap.minute, skip, down && surgeAlone && surgeOnly(s, flagged));
    }
    for (let i = 0; i < state.shareList.length; i++) {
      const s = state.shareList[i];
      const k = values[s.index];
      if (skipAll || flagged.has(s)) {
        // Flagged: learn the expected share moved toward the observed one by the run's weight.
        const w = this.adaptWeight(++s.unlearned);
        const p0 = s.baseline.share;
        if (w > 0) s.baseline.learn(total > 0 ? total * (p0 + w * (k / total - p0)) : 0, total);
      } else {
        s.unlearned = 0;
        s.baseline.learn(k, total);
      }
    }
    if (!skipAll) state.authMix.learn(snap.authCodes);
  }

  /**
   * How much of a flagged minute a baseline learns, by the length of the flagged run: nothing for
   * the first third of `adaptMinutes` (an incident is not learned), then rising linearly to all of
   * it at `adaptMinutes` — a shift that persists becomes the new normal at that documented rate
   * instead of being alerted on for hours, and a burst of half an hour does not move the baseline.
   */
  private adaptWeight(run: number, minutes = this.config.adaptMinutes): number {
    const adapt = Math.max(1, minutes);
    const grace = adapt / 3;
    return run <= grace ? 0 : Math.min(1, (run - grace) / (adapt - grace));
  }

  /** Lets one count series learn minute `minute`'s value `x`; a `skip`ped (flagged) minute is learned by its adapt weight. */
  private feed(s: CountSeries, x: number, minute: number, skip: boolean, surge = false): void {
    const exp = s.baseline.expected(minute);
    let value = x;
    if (skip) {
      // Weight 0: not learned at all (feeding the baseline its own expectation would carry its
      // trend on through the incident).
      const w = this.adaptWeight(++s.unlearned, surge ? this.config.adaptSurgeMinutes : this.config.adaptMinutes);
      if (w === 0 || exp.source === 'none') return;
      value = exp.mean + w * (x - exp.mean);
    } else {
      s.unlearned = 0;
      if (exp.source !== 'none') s.dispersion.update(x, exp.mean);
    }
    s.baseline.learn(minute, value);
    // The rolling window is only read by the rolling z-score: off by default, so not kept then.
    if (this.config.rollingZ.enabled) s.z.stats.push(value);
  }

  private noData(state: ScopeState, snap: MinuteSnapshot, metrics: Assessment['metrics'], learn: boolean): Assessment {
    const cfg = this.config;
    const silent = state.silentMinutes + 1;
    const exp = state.total?.baseline.expected(snap.minute);
    // Transactions the silent minutes should have brought: silence is evidence of a broken feed
    // only when that many would surely have produced one (P(no transaction) = e^−λ, Poisson) —
    // 3 empty minutes of a scope at 100/min are, 3 empty minutes of a scope at 1/min at night
    // (e^−3 = 5 %) are not; it then takes the ≈ 10 minutes that make them so.
    const lambda = state.silentExpected + (exp ? exp.mean : 0);
    if (learn) {
      state.silentMinutes = silent;
      state.silentExpected = lambda;
    }
    const findings: Finding[] = [];
    const p = Math.exp(-lambda);
    if (exp && exp.mean >= cfg.noDataMinExpected && silent >= cfg.noDataMinutes && p <= NO_DATA_P.warning) {
      const critical = silent >= cfg.noDataCriticalMinutes && p <= NO_DATA_P.critical;
      findings.push({
        detector: 'no_data', test: 'no-data watchdog (Poisson silence)', scope: snap.scope, metric: 'no_data', status: 'all', minute: snap.minute,
        severity: critical ? 'critical' : 'warning', score: round(Math.max(critical ? 80 : 50, scoreFromP(p)), 1), observed: 0, expected: round(lambda, 2), threshold: cfg.noDataMinutes,
        pValue: p, direction: 'down',
        message: `no data from scope ${snap.scope} for ${silent} min while ≈${fmtCount(lambda)} transactions were expected in them (P ${p < 1e-300 ? '< 1e-300' : `= ${p.toExponential(1)}`})`,
      });
    }
    return combineFindings(snap.scope, snap.minute, metrics, findings, false);
  }

  baselines(scope?: string): SeriesBaseline[] {
    const out: SeriesBaseline[] = [];
    for (const [name, state] of this.scopes) {
      if (scope !== undefined && name !== scope) continue;
      const at = (state.lastMinute ?? 0) + 1;
      const countView = (s: CountSeries, metric: string): SeriesBaseline => {
        const e = s.baseline.expected(at);
        const sd = Math.sqrt(e.mean + s.dispersion.alpha * e.mean * e.mean);
        return {
          scope: name, metric, status: s.status, direction: s.direction, expected: round(e.mean), band: [round(Math.max(0, e.mean - 3 * sd)), round(e.mean + 3 * sd)],
          source: e.source, history: s.baseline.history, ready: s.baseline.history >= this.config.minHistory,
        };
      };
      if (state.total) out.push(countView(state.total, 'total'));
      for (const s of state.counts.values()) out.push(countView(s, 'count'));
      for (const s of state.shares.values()) {
        const p = s.baseline.share;
        const n = state.total?.baseline.expected(at).mean ?? 100;
        const sd = Math.sqrt((p * (1 - p) * (1 + (n - 1) * s.baseline.rho)) / Math.max(n, 1));
        out.push({
          scope: name, metric: 'share', status: s.status, direction: 'up', expected: round(p), band: [round(Math.max(0, p - 3 * sd)), round(p + 3 * sd)],
          source: 'pooled', history: s.baseline.history, ready: s.baseline.history >= this.config.minHistory,
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
    if (!s) this.scopes.set(scope, (s = newScopeState()));
    return s;
  }

  private newCountSeries(status: string, direction: Direction, share: ShareSeries | null = null): CountSeries {
    return {
      status, direction, baseline: new SeasonalBaseline(this.baselineOptions), dispersion: new Dispersion(), cusum: new LlrCusum(),
      z: { kind: status === 'total' ? 'total' : 'count', status, direction, stats: new RollingWindow(this.config.rollingZ.window), flaggedIn: -1 }, flags: 0, zFlags: 0, unlearned: 0, flaggedIn: -1,
      share,
    };
  }

  /** The count series of a status (and, for statuses watched upward, its share series). */
  private countSeries(state: ScopeState, status: string): CountSeries {
    let s = state.counts.get(status);
    if (!s) {
      // Built whole, never patched afterwards: a field that changes type after construction
      // deoptimises every function that relies on it (seen hundreds of times per run).
      const down = this.config.volumeStatuses.includes(status);
      const share: ShareSeries | null = down ? null
        : { status, index: state.countList.length, sustained: this.config.problemStatuses.includes(status), baseline: new ShareBaseline(), cusum: new LlrCusum(), flags: 0, unlearned: 0, flaggedIn: -1 };
      state.counts.set(status, (s = this.newCountSeries(status, down ? 'down' : 'up', share)));
      state.countList.push(s);
      if (share !== null) {
        state.shares.set(status, share);
        state.shareList.push(share);
      }
    }
    return s;
  }
}

function newScopeState(): ScopeState {
  return { counts: new Map(), shares: new Map(), countList: [], shareList: [], total: null, statuses: new Set(), statusList: [], values: [], authMix: new AuthCodeMix(), lastMinute: null, silentMinutes: 0, silentExpected: 0, noDataFlags: 0, surge: { flaggedIn: -1 } };
}

// Text and bands are built only when there is something to say: most series-minutes are normal.
const countWhat = (status: string, metric: MetricKind): string => (metric === 'total' ? 'total volume' : `${status} count`);

/** ±3 sd band of a negative binomial NB(μ, α). */
function countBand(mu: number, alpha: number): [number, number] {
  const sd = Math.sqrt(mu + alpha * mu * mu);
  return [round(Math.max(0, mu - 3 * sd)), round(mu + 3 * sd)];
}

/** The series a finding is about (its flags say whether earlier minutes were flagged too). */
function seriesOf(state: ScopeState, f: Finding): { flags: number; zFlags?: number } | null {
  return f.metric === 'share' ? state.shares.get(f.status) ?? null : f.metric === 'total' ? state.total : state.counts.get(f.status) ?? null;
}

/** A series that the minute's volume surge alone kept from learning (not flagged itself). */
function surgeOnly(s: CountSeries, flagged: MinuteFlags): boolean {
  return !flagged.has(s) && !flagged.has(s.z);
}

function shiftCountFlags(s: CountSeries, flagged: MinuteFlags): void {
  const z = flagged.has(s.z);
  s.flags = ((s.flags << 1) | (z || flagged.has(s) ? 1 : 0)) & 0xffff;
  s.zFlags = ((s.zFlags << 1) | (z ? 1 : 0)) & 0xffff;
}

function popcount(x: number): number {
  let c = 0;
  while (x) { c += x & 1; x >>>= 1; }
  return c;
}
