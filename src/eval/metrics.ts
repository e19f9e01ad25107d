/**
 * Backtest measurements: alert episodes, and how they compare with labelled incidents —
 * per-incident detection and delay, false-alert episodes, precision, recall, F1. Pure.
 *
 * Definitions (docs/detection.md quotes them):
 *
 * - An alert's **firing span** is [f, l]: f is the minute whose evaluation made it fire (pending
 *   minutes before it do not count), l the last minute it was anomalous (its `lastMinute`; for a
 *   resolved alert the end of the span is `endsAt`, the quiet minutes of `keepFiringFor` are not
 *   counted). **Alert-minutes** sum l − f + 1 over alerts that fired.
 * - An **episode** is a maximal set of firing spans of one scope that overlap or touch: spans are
 *   sorted by f, and a span joins the current episode when its f ≤ episode end + 1. An episode is
 *   what wakes a person once.
 * - An incident's **window** is [start, end + tolerance) in minutes (tolerance 5 by default: an
 *   alert a few minutes after the label ends still belongs to it).
 * - An incident is **detected** when an alert of its scope starts firing in its window (f in the
 *   window). With `match: 'status'` the alert must also be about one of the incident's statuses
 *   (its `status` label), or about the whole scope (`total` / `no_data` alerts) for incidents that
 *   change approved volume. An alert already firing before the window does not count.
 * - **Detection delay** = f + 1 − start: minutes from the incident's start to the end of the minute
 *   whose evaluation fired the alert — the earliest a live engine can know (1 = fired on the
 *   incident's first minute).
 * - An episode **matches** an incident when it is of the incident's scope and overlaps its window
 *   (with `match: 'status'`, one of its alerts must match as above). Episodes matching no incident
 *   with `expect_alert: true` are **false-alert episodes**; those of them overlapping an
 *   `expect_alert: false` incident (a legitimate surge) are also counted apart as **alerts on
 *   legitimate surges**.
 * - **Precision** = matching episodes / all episodes (null when there are none); **recall** =
 *   detected / incidents with `expect_alert: true` (null when there are none);
 *   **F1** = 2PR / (P + R) (null when either is null).
 */
import type { EpochMinute, Severity } from '../domain/types.ts';
import { maxSeverity } from '../domain/types.ts';
import { median as statsMedian } from '../detect/stats/robust.ts';
import type { LabelledIncident } from './labels.ts';

/** An alert that reached `firing`, as the backtest saw it. */
export interface FiredAlert {
  id: number;
  rule: string;
  scope: string;
  /** `status` label (a status, an auth code, or "total"). */
  status: string;
  /** `metric` label: count, share, total, auth_code, no_data… */
  metric: string;
  /** Highest severity it reached. */
  severity: Severity;
  /** Minute whose evaluation made it fire. */
  firingMinute: EpochMinute;
  /** Last anomalous minute (so far, when still open). */
  lastMinute: EpochMinute;
  /** Still firing at the end of the data. */
  open: boolean;
}

export interface Episode {
  scope: string;
  /** First and last minute (inclusive). */
  start: EpochMinute;
  end: EpochMinute;
  alertIds: number[];
  /** Rules of its alerts, sorted, unique. */
  rules: string[];
  severity: Severity;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Alerts' firing spans merged into episodes, sorted by start then scope. */
export function buildEpisodes(alerts: readonly FiredAlert[]): Episode[] {
  const byScope = new Map<string, FiredAlert[]>();
  for (const a of alerts) {
    const list = byScope.get(a.scope);
    if (list) list.push(a); else byScope.set(a.scope, [a]);
  }
  const episodes: Episode[] = [];
  for (const [scope, list] of byScope) {
    list.sort((a, b) => a.firingMinute - b.firingMinute || a.id - b.id);
    let cur: (Episode & { ruleSet: Set<string> }) | null = null;
    const close = (): void => {
      if (!cur) return;
      const { ruleSet, ...e } = cur;
      episodes.push({ ...e, rules: [...ruleSet].sort(cmp) });
    };
    for (const a of list) {
      const end = Math.max(a.firingMinute, a.lastMinute);
      if (cur && a.firingMinute <= cur.end + 1) {
        cur.end = Math.max(cur.end, end);
        cur.alertIds.push(a.id);
        cur.ruleSet.add(a.rule);
        cur.severity = maxSeverity(cur.severity, a.severity);
      } else {
        close();
        cur = { scope, start: a.firingMinute, end, alertIds: [a.id], rules: [], ruleSet: new Set([a.rule]), severity: a.severity };
      }
    }
    close();
  }
  return episodes.sort((a, b) => a.start - b.start || cmp(a.scope, b.scope));
}

export interface RuleRow {
  rule: string;
  alerts: number;
  resolved: number;
  open: number;
  alertMinutes: number;
  bySeverity: Record<Severity, number>;
}

export interface AlertSummary {
  alerts: number;
  resolved: number;
  /** Still firing at the end of the data. */
  open: number;
  alertMinutes: number;
  bySeverity: Record<Severity, number>;
  byRule: RuleRow[];
}

const noSeverities = (): Record<Severity, number> => ({ none: 0, info: 0, warning: 0, critical: 0 });

/** Counts of fired alerts per rule, state at the end and severity, and alert-minutes. */
export function summarizeAlerts(alerts: readonly FiredAlert[]): AlertSummary {
  const rules = new Map<string, RuleRow>();
  const s: AlertSummary = { alerts: 0, resolved: 0, open: 0, alertMinutes: 0, bySeverity: noSeverities(), byRule: [] };
  for (const a of alerts) {
    let r = rules.get(a.rule);
    if (!r) rules.set(a.rule, (r = { rule: a.rule, alerts: 0, resolved: 0, open: 0, alertMinutes: 0, bySeverity: noSeverities() }));
    const minutes = Math.max(a.firingMinute, a.lastMinute) - a.firingMinute + 1;
    for (const row of [r, s]) {
      row.alerts++;
      if (a.open) row.open++; else row.resolved++;
      row.alertMinutes += minutes;
      row.bySeverity[a.severity]++;
    }
  }
  s.byRule = [...rules.values()].sort((a, b) => b.alerts - a.alerts || cmp(a.rule, b.rule));
  return s;
}

export interface MatchOptions {
  /** Minutes after an incident's end that still count as its window (default 5). */
  toleranceMinutes?: number;
  /** 'scope' (default): any alert of the incident's scope; 'status': also about one of its statuses. */
  match?: 'scope' | 'status';
}

export interface IncidentOutcome {
  incident: LabelledIncident;
  /** An alert of its scope started firing in its window (for expect_alert false: it was alerted on). */
  detected: boolean;
  firstFiring: EpochMinute | null;
  /** Minutes from start to the end of the first firing minute (null when not detected). */
  delay: number | null;
  /** Rule of the first alert that fired in the window. */
  rule: string | null;
}

export interface EpisodeOutcome {
  episode: Episode;
  /** Ids of the expect_alert incidents it matches. */
  incidents: string[];
  /** Ids of the expect_alert: false incidents it overlaps (when it matches no real one). */
  surges: string[];
  /** Matches no expect_alert incident. */
  false: boolean;
}

export interface KindRow {
  kind: string;
  incidents: number;
  /** Incidents of this kind with expect_alert. */
  expected: number;
  /** Expected incidents detected. */
  detected: number;
  /** Incidents with expect_alert: false that were alerted on anyway. */
  alertedWithoutExpectation: number;
  recall: number | null;
  medianDelay: number | null;
  maxDelay: number | null;
}

export interface Evaluation {
  incidents: IncidentOutcome[];
  episodes: EpisodeOutcome[];
  expected: number;
  detected: number;
  matchedEpisodes: number;
  falseEpisodes: number;
  /** False episodes that overlap an expect_alert: false incident. */
  surgeEpisodes: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  medianDelay: number | null;
  maxDelay: number | null;
  perKind: KindRow[];
}

/** Median of numbers (mean of the two middle ones for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  return values.length === 0 ? null : statsMedian(values);
}

const WHOLE_SCOPE = new Set(['total', 'no_data']);
const WHOLE_SCOPE_RULES = new Set(['no_data', 'sales_low']);

/** Does an alert speak about what the incident changed? (always true with match 'scope') */
export function alertMatches(a: FiredAlert, inc: LabelledIncident, match: 'scope' | 'status'): boolean {
  if (a.scope !== inc.scope) return false;
  if (match === 'scope') return true;
  if (inc.statuses.includes(a.status)) return true;
  // no_data and sales_low speak about the whole scope (alerts stored before 2026-12 said so by
  // their metric label, total_volume_low by its status).
  const wholeScope = WHOLE_SCOPE_RULES.has(a.rule) || WHOLE_SCOPE.has(a.metric) || a.status === 'total';
  return wholeScope && inc.statuses.includes('approved');
}

/** Compares fired alerts with labelled incidents. */
export function evaluateDetection(alerts: readonly FiredAlert[], incidents: readonly LabelledIncident[], opts: MatchOptions = {}): Evaluation {
  const tol = opts.toleranceMinutes ?? 5;
  const match = opts.match ?? 'scope';
  const byFiring = [...alerts].sort((a, b) => a.firingMinute - b.firingMinute || a.id - b.id);
  const outcomes: IncidentOutcome[] = incidents.map((inc) => {
    const winEnd = inc.end + tol;
    const first = byFiring.find((a) => a.firingMinute >= inc.start && a.firingMinute < winEnd && alertMatches(a, inc, match));
    return first
      ? { incident: inc, detected: true, firstFiring: first.firingMinute, delay: first.firingMinute + 1 - inc.start, rule: first.rule }
      : { incident: inc, detected: false, firstFiring: null, delay: null, rule: null };
  });

  const alertById = new Map(alerts.map((a) => [a.id, a]));
  const episodes = buildEpisodes(alerts).map((episode): EpisodeOutcome => {
    const overlapping = incidents.filter((inc) => inc.scope === episode.scope && episode.start < inc.end + tol && episode.end >= inc.start);
    const matches = (inc: LabelledIncident): boolean =>
      match === 'scope' || episode.alertIds.some((id) => alertMatches(alertById.get(id)!, inc, match));
    const real = overlapping.filter((inc) => inc.expectAlert && matches(inc)).map((inc) => inc.id);
    const surges = real.length > 0 ? [] : overlapping.filter((inc) => !inc.expectAlert).map((inc) => inc.id);
    return { episode, incidents: real, surges, false: real.length === 0 };
  });

  const expected = outcomes.filter((o) => o.incident.expectAlert);
  const detectedOutcomes = expected.filter((o) => o.detected);
  const delays = detectedOutcomes.map((o) => o.delay!);
  const matchedEpisodes = episodes.filter((e) => !e.false).length;
  const falseEpisodes = episodes.length - matchedEpisodes;
  const precision = episodes.length === 0 ? null : matchedEpisodes / episodes.length;
  const recall = expected.length === 0 ? null : detectedOutcomes.length / expected.length;
  const f1 = precision === null || recall === null ? null : precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);

  const kinds = [...new Set(incidents.map((i) => i.kind))].sort(cmp);
  const perKind = kinds.map((kind): KindRow => {
    const of = outcomes.filter((o) => o.incident.kind === kind);
    const exp = of.filter((o) => o.incident.expectAlert);
    const det = exp.filter((o) => o.detected);
    const d = det.map((o) => o.delay!);
    return {
      kind,
      incidents: of.length,
      expected: exp.length,
      detected: det.length,
      alertedWithoutExpectation: of.filter((o) => !o.incident.expectAlert && o.detected).length,
      recall: exp.length === 0 ? null : det.length / exp.length,
      medianDelay: median(d),
      maxDelay: d.length ? Math.max(...d) : null,
    };
  });

  return {
    incidents: outcomes,
    episodes,
    expected: expected.length,
    detected: detectedOutcomes.length,
    matchedEpisodes,
    falseEpisodes,
    surgeEpisodes: episodes.filter((e) => e.false && e.surges.length > 0).length,
    precision,
    recall,
    f1,
    medianDelay: median(delays),
    maxDelay: delays.length ? Math.max(...delays) : null,
    perKind,
  };
}
