/**
 * The alert recommendation every ingest answers with: for the minute(s) the request completed,
 * should the operator be alerted, how badly, and why. A request that completes no minute says so
 * and gives the provisional view of the minute still open.
 */
import type { Assessment, Finding, Severity } from '../domain/types.ts';
import { SEVERITY_RANK, maxSeverity } from '../domain/types.ts';
import { minuteToIso } from '../domain/time.ts';
import { labelsOf, ruleOf } from '../alerting/fingerprint.ts';
import type { IngestOutcome } from '../engine/engine.ts';

/** One test's evidence for a problem. */
export interface EvidenceItem {
  metric: string;
  status: string;
  severity: Severity;
  score: number;
  observed: number;
  expected: number | null;
  threshold: number | null;
  band: [number, number] | null;
  test: string;
  z: number | null;
  p_value: number | null;
  direction: string;
  message: string;
}

/**
 * One problem of one minute (an alert, e.g. `failed_high`): the fields of its strongest evidence,
 * the message of every test that saw it, and each test's evidence in `evidence`.
 */
export interface AlertRecommendationItem extends EvidenceItem {
  scope: string;
  minute: string;
  /** Problem name, the alert's `alertname` (e.g. failed_high, sales_low, no_data). */
  rule: string;
  /** The status label of the alert (`approved` for sales_low). */
  status: string;
  /** Every test's message, strongest first. */
  message: string;
  evidence: EvidenceItem[];
}

export interface MinuteVerdict {
  scope: string;
  minute: string;
  should_alert: boolean;
  severity: Severity;
  anomaly_score: number;
  explanation: string;
  has_data: boolean;
  metrics: { total: number; counts: Record<string, number>; shares: Record<string, number> };
  alerts: AlertRecommendationItem[];
}

export interface Recommendation {
  accepted: { counts: number; auth_codes: number; raw_accepted: number; raw_duplicates: number };
  completed: boolean;
  completed_minutes: string[];
  should_alert: boolean;
  severity: Severity;
  anomaly_score: number;
  alerts: AlertRecommendationItem[];
  /** Metrics of the latest completed minute (or of the provisional minute). */
  metrics: MinuteVerdict['metrics'] | null;
  minutes: MinuteVerdict[];
  provisional: MinuteVerdict[];
  late_minutes: Array<{ scope: string; minute: string }>;
  /**
   * How many minutes the request completed and how many are listed in `minutes` (and
   * `completed_minutes`, `alerts`): at most the configured number (limits.max_listed_minutes),
   * the alerting minutes first, then the latest ones; severity, score and should_alert cover all.
   */
  summary: { completed: number; alerting: number; listed: number; omitted: number; first_minute: string | null; last_minute: string | null };
  message: string;
}

const evidenceOf = (f: Finding): EvidenceItem => ({
  metric: f.metric,
  status: f.status,
  severity: f.severity,
  score: f.score,
  observed: f.observed,
  expected: f.expected,
  threshold: f.threshold ?? null,
  band: f.band ?? null,
  test: f.test,
  z: f.z ?? null,
  p_value: f.pValue ?? null,
  direction: f.direction,
  message: f.message,
});

/** Groups a minute's alerting findings (already ordered, strongest first) into one item per problem. */
function problemItems(findings: Finding[], minute: string): AlertRecommendationItem[] {
  const byRule = new Map<string, Finding[]>();
  for (const f of findings) {
    const rule = ruleOf(f);
    const g = byRule.get(rule);
    if (g) g.push(f); else byRule.set(rule, [f]);
  }
  const items: AlertRecommendationItem[] = [];
  for (const [rule, group] of byRule) {
    const top = group[0];
    let severity: Severity = 'none';
    for (const f of group) severity = maxSeverity(severity, f.severity);
    items.push({
      ...evidenceOf(top), scope: top.scope, minute, rule, status: labelsOf(top).status, severity,
      message: group.map((f) => f.message).join('; '), evidence: group.map(evidenceOf),
    });
  }
  return items;
}

/** The verdict on one evaluated minute, as the ingest response lists it. */
export function verdictOf(a: Assessment, minSeverity: Severity): MinuteVerdict {
  const minute = minuteToIso(a.minute);
  const alerting = a.findings.filter((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[minSeverity]);
  const alerts = alerting.length === 0 ? [] : problemItems(alerting, minute);
  return {
    scope: a.scope,
    minute,
    should_alert: alerts.length > 0,
    severity: a.severity,
    anomaly_score: a.anomalyScore,
    explanation: a.explanation,
    has_data: a.hasData,
    metrics: a.metrics,
    alerts,
  };
}

export function buildRecommendation(outcome: IngestOutcome, minSeverity: Severity = 'warning', maxListed = Infinity): Recommendation {
  const all = outcome.evaluated.map((a) => verdictOf(a, minSeverity));
  const alerting = all.filter((m) => m.should_alert).length;
  const minutes = listed(all, maxListed);
  const provisional = outcome.provisional.map((a) => verdictOf(a, minSeverity));
  let severity: Severity = 'none';
  let score = 0;
  for (const m of all) {
    severity = maxSeverity(severity, m.severity);
    score = Math.max(score, m.anomaly_score);
  }
  const alerts = minutes.flatMap((m) => m.alerts);
  const completed = all.length > 0;
  const latest = completed ? all[all.length - 1] : provisional[provisional.length - 1];
  const should = alerting > 0;
  let message: string;
  if (!completed) {
    message = provisional.length > 0
      ? `no minute completed yet; provisional view of ${provisional.map((p) => `${p.scope} ${p.minute}`).join(', ')}: ${provisional.map((p) => p.explanation).join('; ')}`
      : 'no minute completed by this request';
  } else if (should) {
    message = `ALERT (${severity}): ${minutes.filter((m) => m.should_alert).map((m) => `${m.scope} ${m.minute}: ${m.explanation}`).join(' | ')}`;
    if (alerting > minutes.filter((m) => m.should_alert).length) message += ` | … ${alerting} alerting minute(s) in all`;
  } else {
    message = `${all.length} minute(s) completed, all normal`;
  }
  if (all.length > minutes.length) message += `; ${minutes.length} of ${all.length} minutes listed (limits.max_listed_minutes)`;
  if (outcome.late.length > 0) message += `; ${outcome.late.length} late minute(s) stored but not re-evaluated`;
  return {
    accepted: {
      counts: outcome.written.counts,
      auth_codes: outcome.written.authCodes,
      raw_accepted: outcome.written.rawAccepted,
      raw_duplicates: outcome.written.rawDuplicates,
    },
    completed,
    completed_minutes: minutes.map((m) => `${m.scope} ${m.minute}`),
    should_alert: should,
    severity,
    anomaly_score: score,
    alerts,
    metrics: latest?.metrics ?? null,
    minutes,
    provisional,
    late_minutes: outcome.late.slice(0, Number.isFinite(maxListed) ? maxListed : undefined).map((l) => ({ scope: l.scope, minute: minuteToIso(l.minute) })),
    summary: {
      completed: all.length, alerting, listed: minutes.length, omitted: all.length - minutes.length,
      first_minute: all.length ? all[0].minute : null, last_minute: all.length ? all[all.length - 1].minute : null,
    },
    message,
  };
}

/** At most `max` verdicts, in their order: every alerting minute first (up to max), then the latest. */
function listed(all: MinuteVerdict[], max: number): MinuteVerdict[] {
  if (all.length <= max) return all;
  const keep = new Set<number>();
  for (let i = all.length - 1; i >= 0 && keep.size < max; i--) if (all[i].should_alert) keep.add(i);
  for (let i = all.length - 1; i >= 0 && keep.size < max; i--) keep.add(i);
  return [...keep].sort((a, b) => a - b).map((i) => all[i]);
}
