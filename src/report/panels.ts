/**
 * Assembles what the monitoring panels show, for one scope and time range, from the store and the
 * detection model: the live dashboard (GET /api/v1/dashboard) and the static report
 * (`txmon report`) both call {@link loadPanelData} and {@link buildDashboardView}, so they show the
 * same numbers with the same chart specifications (src/report/charts.ts).
 *
 * Expected values and bands come from the model itself: a fresh model with the running
 * configuration replays the stored minutes (plus the model's warm-up history before the range)
 * and its baselines are read before each minute is evaluated — exactly what the live engine
 * expected at that minute, since the model is deterministic. No second model is invented here.
 * The live dashboard passes a {@link MinuteCache} (src/report/expectationCache.ts) that keeps the
 * replay between requests; the report replays once.
 */
import type { Alert, Assessment, EpochMinute, MinuteSnapshot, Severity } from '../domain/types.ts';
import { DEFAULT_SCOPE, KNOWN_STATUSES, maxSeverity } from '../domain/types.ts';
import type { AlertStore, EvaluationStore, ScopeInfo, SeriesStore } from '../store/store.ts';
import type { DetectConfig } from '../detect/config.ts';
import type { SeriesBaseline } from '../detect/model.ts';
import { panelOptions, SHARE_STATUSES, type ExpectedSeries, type PanelAlert, type PanelData, type PanelName, type PanelSeverity, type RuleThresholds } from './charts.ts';
import type { EChartsOption } from 'echarts';

/** Time ranges the selectors offer: minutes back from the scope's latest minute; null = all. */
export const RANGES: Record<string, number | null> = { '1h': 60, '6h': 360, '24h': 1440, all: null };
export type RangeName = keyof typeof RANGES;

/** At most this many points per chart; longer ranges are bucketed. */
export const MAX_POINTS = 1440;
/** Replay at most this many minutes of warm-up history before the range. */
export const MAX_WARMUP_MINUTES = 20_160;

/** The part of a detection model the replay needs (DetectionModel implements it). */
export interface ReplayModel {
  evaluate(snapshot: MinuteSnapshot): unknown;
  baselines(scope?: string): SeriesBaseline[];
  readonly historyMinutes: number;
}

/** What the model expected of one count or total series at a minute, read before evaluating it. */
export interface MinuteExpectation {
  metric: string;
  status: string;
  /** Not ready = still warming up: the series is listed but shows no expectation. */
  ready: boolean;
  expected: number;
  low: number;
  high: number;
}

/** One minute as the panels use it: its stored counts and what the model expected of it. */
export interface PanelMinute {
  /** status -> count; empty for a minute without data. */
  counts: Readonly<Record<string, number>>;
  hasData: boolean;
  /** The model's count and total series in its baselines' order, before this minute was evaluated. */
  expectations: readonly MinuteExpectation[];
}

/**
 * A source of replayed minutes that outlives one request (src/report/expectationCache.ts). It
 * answers null when it cannot serve the range exactly; the caller then replays once itself.
 */
export interface MinuteCache {
  minutes(src: PanelSource, info: ScopeInfo, from: EpochMinute, to: EpochMinute): Promise<PanelMinute[] | null>;
}

/** Where panel data comes from. */
export interface PanelSource {
  store: Pick<SeriesStore, 'listScopes' | 'readCounts' | 'readAuthCodes'> & Pick<EvaluationStore, 'listAssessments'> & Pick<AlertStore, 'listAlerts' | 'openAlerts'>;
  /** The running detector configuration (rule thresholds, severity scores). */
  detect: DetectConfig;
  /** A fresh model with the running configuration, for the expected-value replay. */
  newModel(): ReplayModel;
  /** Zone for the hour-of-day heatmap. */
  timeZone: string;
  /** Replayed minutes kept between requests (the live dashboard); without it every call replays. */
  cache?: MinuteCache;
}

/** How loadPanelData replays (tests compare the cache against a one-off replay from its start). */
export interface LoadOptions {
  /**
   * Start the one-off replay at this minute (clamped to the scope's first minute and the range
   * start) instead of at most MAX_WARMUP_MINUTES before the range; bypasses `src.cache`.
   */
  replayFrom?: EpochMinute;
}

export interface PanelQuery {
  scope?: string;
  /** Named range, counted back from the scope's latest minute (default 6h). */
  range?: string;
  /** Explicit range in epoch ms (from inclusive, to exclusive); overrides `range`. */
  fromMs?: number;
  toMs?: number;
}

/** One row of the alerts table. */
export interface AlertRow {
  id: number;
  rule: string;
  severity: Severity;
  state: string;
  labels: Record<string, string>;
  summary: string;
  explanation: string;
  starts_at: string;
  ends_at: string | null;
  duration_minutes: number;
  score: number;
}

/** Panel data plus what the KPI tiles and tables need. */
export interface LoadedPanels {
  data: PanelData;
  /** Range actually shown, epoch minutes [from, to). */
  from: EpochMinute;
  to: EpochMinute;
  empty: boolean;
  latest: { minute: string; score: number; severity: Severity; explanation: string } | null;
  alerts: AlertRow[];
  openAlerts: AlertRow[];
  scopes: string[];
}

export interface Kpi {
  key: 'approval_rate' | 'failure_rate' | 'volume_vs_expected' | 'open_alerts';
  label: string;
  /** Main text, e.g. "91.2%". */
  value: string;
  /** Secondary line. */
  detail: string;
  /** Severity the tile signals (drives icon + colour). */
  severity: PanelSeverity;
  /** Raw number for machines and tests (null when unknown). */
  raw: number | null;
}

export interface DashboardView {
  scope: string;
  range: string;
  from: string | null;
  to: string | null;
  step_minutes: number;
  empty: boolean;
  latest: LoadedPanels['latest'];
  kpis: Kpi[];
  open_alerts: { critical: number; warning: number; info: number };
  charts: Record<PanelName, EChartsOption>;
  alerts: AlertRow[];
  /** The scope's open (pending or firing) alerts, whatever the range: the header's state line. */
  open: AlertRow[];
  scopes: string[];
}

const iso = (ms: number) => new Date(ms).toISOString();

export function alertRow(a: Alert): AlertRow {
  return {
    id: a.id, rule: a.rule, severity: a.severity, state: a.state, labels: a.labels, summary: a.summary, explanation: a.explanation,
    starts_at: iso(a.startsAt), ends_at: a.endsAt === null ? null : iso(a.endsAt), score: a.score,
    duration_minutes: Math.round(((a.endsAt ?? (a.lastMinute + 1) * 60_000) - a.startsAt) / 60_000),
  };
}

function hourOfDayFn(timeZone: string): (minute: EpochMinute) => number {
  if (timeZone === 'UTC') return (m) => Math.floor(m / 60) % 24;
  const fmt = new Intl.DateTimeFormat('en-GB', { timeZone, hour: 'numeric', hourCycle: 'h23' });
  // Zone offsets are whole quarter hours, so one lookup per 15-minute block is exact.
  const cache = new Map<number, number>();
  return (m) => {
    const block = Math.floor(m / 15);
    let h = cache.get(block);
    if (h === undefined) cache.set(block, (h = Number(fmt.format(new Date(block * 15 * 60_000)))));
    return h;
  };
}

function orderStatuses(seen: Iterable<string>): string[] {
  const known = KNOWN_STATUSES as readonly string[];
  return [...new Set(seen)].sort((a, b) => {
    const ia = known.indexOf(a); const ib = known.indexOf(b);
    if (ia >= 0 && ib >= 0) return ia - ib;
    if (ia >= 0) return -1;
    if (ib >= 0) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

function emptyData(scope: string, range: string, src: PanelSource): PanelData {
  return {
    scope, range, times: [], stepMinutes: 1, statuses: [], perMinute: {}, shares: {}, scores: [], severities: [], totals: {},
    hourShares: {}, timeZone: src.timeZone, alerts: [], expected: [], shareThresholds: shareThresholds(src.detect), severityScore: { ...src.detect.severityScore },
  };
}

function shareThresholds(cfg: DetectConfig): Record<string, RuleThresholds> {
  const out: Record<string, RuleThresholds> = {};
  for (const [status, rule] of Object.entries(cfg.rules)) if (rule.share) out[status] = { ...rule.share };
  return out;
}

/** First minute a replay ending its warm-up at `from` starts at: at most MAX_WARMUP_MINUTES back. */
export function warmStart(model: ReplayModel, firstMinute: EpochMinute, from: EpochMinute): EpochMinute {
  return Math.max(firstMinute, from - Math.min(model.historyMinutes, MAX_WARMUP_MINUTES));
}

/** The model's count and total series as it expects them at the next minute it evaluates. */
export function expectationsOf(model: ReplayModel, scope: string): MinuteExpectation[] {
  const out: MinuteExpectation[] = [];
  for (const b of model.baselines(scope)) {
    if (b.metric !== 'count' && b.metric !== 'total') continue;
    out.push({ metric: b.metric, status: b.status, ready: b.ready, expected: b.expected, low: b.band[0], high: b.band[1] });
  }
  return out;
}

/** A minute the store holds no row for: the model sees it as silent. */
export function silentMinute(scope: string, minute: EpochMinute): MinuteSnapshot {
  return { scope, minute, counts: {}, authCodes: {}, hasData: false };
}

/** The stored minutes of a scope in [from, to) as model input, keyed by minute (minutes with rows only). */
export async function readSnapshots(store: PanelSource['store'], scope: string, from: EpochMinute, to: EpochMinute): Promise<Map<EpochMinute, MinuteSnapshot>> {
  const snaps = new Map<EpochMinute, MinuteSnapshot>();
  const snap = (m: EpochMinute) => {
    let s = snaps.get(m);
    if (!s) snaps.set(m, (s = { scope, minute: m, counts: {}, authCodes: {}, hasData: true }));
    return s;
  };
  for (const r of await store.readCounts(scope, from, to)) snap(r.minute).counts[r.status] = r.count;
  for (const r of await store.readAuthCodes(scope, from, to)) snap(r.minute).authCodes[r.authCode] = r.count;
  return snaps;
}

/**
 * The one-off replay: a fresh model evaluates [warm, to) and the minutes [from, to) are returned
 * with its expectations read before each was evaluated.
 */
async function replayOnce(src: PanelSource, info: ScopeInfo, from: EpochMinute, to: EpochMinute, replayFrom?: EpochMinute): Promise<PanelMinute[]> {
  const scope = info.scope;
  const model = src.newModel();
  const warm = replayFrom === undefined ? warmStart(model, info.firstMinute, from) : Math.max(info.firstMinute, Math.min(replayFrom, from));
  const snaps = await readSnapshots(src.store, scope, warm, to);
  const out: PanelMinute[] = [];
  for (let m = warm; m < to; m++) {
    const s = snaps.get(m) ?? silentMinute(scope, m);
    if (m >= from) out.push({ counts: s.counts, hasData: s.hasData, expectations: expectationsOf(model, scope) });
    if (m < to - 1) model.evaluate(s);
  }
  return out;
}

/** Loads everything the panels show for a scope and range. */
export async function loadPanelData(src: PanelSource, q: PanelQuery = {}, opts: LoadOptions = {}): Promise<LoadedPanels> {
  const scope = q.scope ?? DEFAULT_SCOPE;
  const range = q.range ?? '6h';
  const infos = await src.store.listScopes();
  const scopes = infos.map((s) => s.scope).sort();
  const info = infos.find((s) => s.scope === scope);
  const open = (await src.store.openAlerts()).filter((a) => (a.labels.scope ?? DEFAULT_SCOPE) === scope).map(alertRow);
  if (!info) return { data: emptyData(scope, range, src), from: 0, to: 0, empty: true, latest: null, alerts: [], openAlerts: open, scopes };

  const to = q.toMs !== undefined ? Math.ceil(q.toMs / 60_000) : info.lastMinute + 1;
  const back = RANGES[range];
  let from = q.fromMs !== undefined ? Math.floor(q.fromMs / 60_000) : back === null || back === undefined ? info.firstMinute : to - back;
  from = Math.max(from, info.firstMinute);
  if (to <= from) return { data: emptyData(scope, range, src), from, to: from, empty: true, latest: null, alerts: [], openAlerts: open, scopes };

  // Counts and the model's expectation per minute of [from, to): from the cache when it can serve
  // the range exactly, else from one replay pass over the warm-up history and the range.
  const cached = src.cache && opts.replayFrom === undefined ? await src.cache.minutes(src, info, from, to) : null;
  const minutes = cached ?? await replayOnce(src, info, from, to, opts.replayFrom);

  const n = to - from;
  const step = Math.max(1, Math.ceil(n / MAX_POINTS));
  const points = Math.ceil(n / step);
  const times = Array.from({ length: points }, (_, i) => (from + i * step) * 60_000);
  const statusSet = new Set<string>();
  for (const s of minutes) for (const st of Object.keys(s.counts)) statusSet.add(st);
  const statuses = orderStatuses(statusSet);

  const sums: Record<string, number[]> = Object.fromEntries(statuses.map((s) => [s, new Array(points).fill(0)]));
  const bucketTotal = new Array<number>(points).fill(0);
  const totals: Record<string, number> = Object.fromEntries(statuses.map((s) => [s, 0]));
  const hourOf = hourOfDayFn(src.timeZone);
  const hourTotal = new Array<number>(24).fill(0);
  const hourStatus: Record<string, number[]> = Object.fromEntries(statuses.map((s) => [s, new Array(24).fill(0)]));

  // Expected series keyed "metric:status": sums per bucket of observed/expected/low/high.
  interface Acc { metric: string; status: string; obs: number[]; exp: number[]; low: number[]; high: number[]; nObs: number[]; nExp: number[] }
  const acc = new Map<string, Acc>();
  const accFor = (metric: string, status: string): Acc => {
    const key = `${metric}:${status}`;
    let a = acc.get(key);
    if (!a) acc.set(key, (a = { metric, status, obs: new Array(points).fill(0), exp: new Array(points).fill(0), low: new Array(points).fill(0), high: new Array(points).fill(0), nObs: new Array(points).fill(0), nExp: new Array(points).fill(0) }));
    return a;
  };

  for (let i = 0; i < n; i++) {
    const m = from + i;
    const s = minutes[i];
    const b = Math.floor(i / step);
    const minuteTotal = Object.values(s.counts).reduce((x, y) => x + y, 0);
    for (const [st, c] of Object.entries(s.counts)) {
      sums[st][b] += c;
      totals[st] += c;
      hourStatus[st][hourOf(m)] += c;
    }
    bucketTotal[b] += minuteTotal;
    hourTotal[hourOf(m)] += minuteTotal;
    for (const e of s.expectations) {
      const a = accFor(e.metric, e.status);
      if (!e.ready) continue;
      a.exp[b] += e.expected; a.low[b] += e.low; a.high[b] += e.high; a.nExp[b]++;
    }
    if (s.hasData) {
      for (const st of statuses) { const a = accFor('count', st); a.obs[b] += s.counts[st] ?? 0; a.nObs[b]++; }
      const a = accFor('total', 'total'); a.obs[b] += minuteTotal; a.nObs[b]++;
    }
  }

  const mean = (sum: number[], cnt: number[]) => sum.map((v, i) => (cnt[i] ? v / cnt[i] : null));
  const expected: ExpectedSeries[] = [...acc.values()]
    .filter((a) => a.nExp.some((c) => c > 0) || a.nObs.some((c) => c > 0))
    .map((a) => ({ metric: a.metric, status: a.status, observed: mean(a.obs, a.nObs), expected: mean(a.exp, a.nExp), low: mean(a.low, a.nExp), high: mean(a.high, a.nExp) }));

  const bucketLen = (i: number) => Math.min(step, to - (from + i * step));
  const perMinute: Record<string, number[]> = Object.fromEntries(statuses.map((s) => [s, sums[s].map((v, i) => v / bucketLen(i))]));
  const shares: Record<string, Array<number | null>> = {};
  for (const s of new Set([...statuses, ...SHARE_STATUSES])) shares[s] = bucketTotal.map((t, i) => (t > 0 ? (sums[s]?.[i] ?? 0) / t : null));
  const hourShares: Record<string, Array<number | null>> = Object.fromEntries(statuses.map((s) => [s, hourStatus[s].map((c, h) => (hourTotal[h] > 0 ? c / hourTotal[h] : null))]));

  const assessments: Assessment[] = await src.store.listAssessments({ scope, from, to, limit: 100_000 });
  const scores: Array<number | null> = new Array(points).fill(null);
  const severities: Array<PanelSeverity | null> = new Array(points).fill(null);
  for (const a of assessments) {
    const b = Math.floor((a.minute - from) / step);
    if (b < 0 || b >= points) continue;
    scores[b] = Math.max(scores[b] ?? 0, a.anomalyScore);
    severities[b] = severities[b] === null ? a.severity : maxSeverity(severities[b]!, a.severity);
  }
  const lastA = assessments[assessments.length - 1];

  const alerts = await src.store.listAlerts({ scope, from: from * 60_000, to: to * 60_000, limit: 500 });
  const panelAlerts: PanelAlert[] = alerts.map((a) => ({ id: a.id, rule: a.rule, severity: a.severity, state: a.state, startsAt: a.startsAt, endsAt: a.endsAt, summary: a.summary }));

  const data: PanelData = {
    scope, range, times, stepMinutes: step, statuses, perMinute, shares, scores, severities, totals, hourShares,
    timeZone: src.timeZone, alerts: panelAlerts, expected, shareThresholds: shareThresholds(src.detect), severityScore: { ...src.detect.severityScore },
  };
  return {
    data, from, to, empty: bucketTotal.every((t) => t === 0) && assessments.length === 0,
    latest: lastA ? { minute: iso(lastA.minute * 60_000), score: lastA.anomalyScore, severity: lastA.severity, explanation: lastA.explanation } : null,
    alerts: alerts.map(alertRow), openAlerts: open, scopes,
  };
}

/** Percent with one decimal, two below 1% (a failure rate of 0.05% must not read as 0.0%). */
const fmtPct = (x: number) => `${(x * 100).toFixed(Math.abs(x) < 0.01 && x !== 0 ? 2 : 1)}%`;

/** The KPI tiles: approval rate, failure rate, volume vs expected, open alerts by severity. */
export function kpis(p: LoadedPanels, detect: DetectConfig): Kpi[] {
  const d = p.data;
  const total = Object.values(d.totals).reduce((a, b) => a + b, 0);
  const approved = d.totals.approved ?? 0;
  const failed = d.totals.failed ?? 0;
  const approval = total ? approved / total : null;
  const failure = total ? failed / total : null;
  const failRule = detect.rules.failed?.share;
  const failureSev: PanelSeverity = failure === null || !failRule ? 'none' : failure >= failRule.critical ? 'critical' : failure >= failRule.warning ? 'warning' : 'none';

  // Volume: the latest point's total against the model's expected total for it.
  const tot = d.expected.find((e) => e.metric === 'total');
  let ratio: number | null = null;
  let volDetail = 'no expectation yet (model warming up)';
  let volSev: PanelSeverity = 'none';
  if (tot) {
    for (let i = tot.observed.length - 1; i >= 0; i--) {
      const o = tot.observed[i]; const e = tot.expected[i];
      if (o === null || e === null) continue;
      ratio = e > 0 ? o / e : null;
      volDetail = `${Math.round(o)} / min vs ${Math.round(e)} expected (band ${Math.round(tot.low[i] ?? 0)}–${Math.round(tot.high[i] ?? 0)})`;
      if (tot.low[i] !== null && o < (tot.low[i] as number)) volSev = 'warning';
      break;
    }
  }
  const counts = { critical: 0, warning: 0, info: 0 };
  for (const a of p.openAlerts) if (a.severity in counts) counts[a.severity as keyof typeof counts]++;
  const openSev: PanelSeverity = counts.critical ? 'critical' : counts.warning ? 'warning' : counts.info ? 'info' : 'none';
  return [
    { key: 'approval_rate', label: 'Approval rate', value: approval === null ? '—' : fmtPct(approval), detail: `${approved} of ${total} in range`, severity: 'none', raw: approval },
    { key: 'failure_rate', label: 'Failure rate', value: failure === null ? '—' : fmtPct(failure), detail: failRule ? `rule: warning ${fmtPct(failRule.warning)}, critical ${fmtPct(failRule.critical)}` : `${failed} failed`, severity: failureSev, raw: failure },
    { key: 'volume_vs_expected', label: 'Volume vs expected', value: ratio === null ? '—' : fmtPct(ratio), detail: volDetail, severity: volSev, raw: ratio },
    { key: 'open_alerts', label: 'Open alerts', value: String(counts.critical + counts.warning + counts.info), detail: `▲ ${counts.critical} critical · ◆ ${counts.warning} warning · ● ${counts.info} info`, severity: openSev, raw: counts.critical + counts.warning + counts.info },
  ];
}

/** Everything the dashboard draws for one scope and range (the body of GET /api/v1/dashboard). */
export function buildDashboardView(p: LoadedPanels, detect: DetectConfig): DashboardView {
  const counts = { critical: 0, warning: 0, info: 0 };
  for (const a of p.openAlerts) if (a.severity in counts) counts[a.severity as keyof typeof counts]++;
  return {
    scope: p.data.scope, range: p.data.range,
    from: p.empty && p.to === 0 ? null : iso(p.from * 60_000), to: p.empty && p.to === 0 ? null : iso(p.to * 60_000),
    step_minutes: p.data.stepMinutes, empty: p.empty, latest: p.latest, kpis: kpis(p, detect), open_alerts: counts,
    charts: panelOptions(p.data), alerts: p.alerts, open: p.openAlerts, scopes: p.scopes,
  };
}
