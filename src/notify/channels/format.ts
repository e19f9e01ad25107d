/**
 * Wording shared by the channels, so Slack, email, PagerDuty and the log say the same thing:
 * severity shown as icon *and* text (never colour alone), a group title built from the group
 * labels, observed vs expected, and a subject line in Alertmanager's style.
 */
import type { Severity } from '../../domain/types.ts';
import { notificationSeverity, type Notification, type NotifiedAlert } from '../types.ts';

export const SEVERITY_ICON: Record<Severity, string> = { critical: '🔴', warning: '🟠', info: '🔵', none: '⚪' };
export const RESOLVED_ICON = '✅';

/** Truncates to `max` characters (by code point), marking the cut with "…". */
export function truncate(text: string, max: number): string {
  const cps = Array.from(text);
  return cps.length > max ? cps.slice(0, max - 1).join('') + '…' : text;
}

/** "🔴 CRITICAL", "🟠 WARNING", "✅ RESOLVED"; prefixed "🧪 TEST" for test notifications. */
export function headline(n: Notification): string {
  const base = n.status === 'resolved' ? `${RESOLVED_ICON} RESOLVED` : severityBadge(notificationSeverity(n));
  return n.test ? `🧪 TEST ${base}` : base;
}

/** "🔴 CRITICAL" for one severity. */
export function severityBadge(s: Severity): string {
  return `${SEVERITY_ICON[s]} ${s.toUpperCase()}`;
}

/**
 * The group's name: alertname first, then the other group labels as name=value, e.g.
 * "failed_high scope=all". Falls back to common labels, then to "alerts".
 */
export function groupTitle(n: Pick<Notification, 'groupLabels' | 'commonLabels'>): string {
  const labels = Object.keys(n.groupLabels).length > 0 ? n.groupLabels : n.commonLabels;
  const parts: string[] = [];
  if (labels.alertname) parts.push(labels.alertname);
  else if (n.commonLabels.alertname) parts.push(n.commonLabels.alertname);
  for (const k of Object.keys(labels).sort()) if (k !== 'alertname') parts.push(`${k}=${labels[k]}`);
  return parts.length > 0 ? parts.join(' ') : 'alerts';
}

/** "[FIRING:2] failed_high scope=all" / "[RESOLVED] failed_high scope=all". */
export function subjectLine(n: Notification): string {
  const firing = n.alerts.filter((a) => a.status === 'firing').length + (n.status === 'firing' ? (n.truncatedAlerts ?? 0) : 0);
  const tag = n.status === 'firing' ? `[FIRING:${firing}]` : '[RESOLVED]';
  return `${n.test ? '[TEST] ' : ''}${tag} ${groupTitle(n)}`;
}

/** The alert's one-line title: its summary, else its alertname. */
export function alertTitle(a: NotifiedAlert): string {
  return a.annotations.summary || a.labels.alertname || a.fingerprint;
}

/** "observed 42 · expected 3.1 · score 87" (parts present only when annotated). */
export function observedVsExpected(a: NotifiedAlert): string {
  const parts: string[] = [];
  if (a.annotations.observed !== undefined) parts.push(`observed ${a.annotations.observed}`);
  if (a.annotations.expected !== undefined) parts.push(`expected ${a.annotations.expected}`);
  if (a.annotations.score !== undefined) parts.push(`score ${a.annotations.score}`);
  return parts.join(' · ');
}

/** The explanation of an alert: description, else explanation annotation, else "". */
export function explanationOf(a: NotifiedAlert): string {
  return a.annotations.description || a.annotations.explanation || '';
}

/** One alert's facts as the structured channels (log line, PagerDuty custom_details) report them. */
export function alertFacts(a: NotifiedAlert) {
  return {
    status: a.status,
    severity: a.severity,
    summary: alertTitle(a),
    observed: a.annotations.observed,
    expected: a.annotations.expected,
    score: a.annotations.score,
    explanation: explanationOf(a),
    labels: a.labels,
  };
}

/** Where a person should click for this alert: its generatorURL, else the dashboard. */
export function alertLink(a: NotifiedAlert | undefined, n: Pick<Notification, 'externalUrl'>): string {
  return a?.generatorURL || n.externalUrl;
}

/** Labels as "a=1, b=2", sorted, without alertname and severity (already shown). */
export function labelLine(labels: Record<string, string>): string {
  return Object.keys(labels)
    .filter((k) => k !== 'alertname' && k !== 'severity')
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(', ');
}

/** A plain-text rendering of the whole notification (email text part, logs, fallbacks). */
export function plainText(n: Notification): string {
  const lines: string[] = [`${headline(n)} ${groupTitle(n)}`, ''];
  for (const a of n.alerts) {
    const badge = a.status === 'resolved' ? `${RESOLVED_ICON} RESOLVED` : severityBadge(a.severity);
    lines.push(`${badge}: ${alertTitle(a)}`);
    const ove = observedVsExpected(a);
    if (ove) lines.push(`  ${ove}`);
    const ex = explanationOf(a);
    if (ex) lines.push(`  ${ex}`);
    const ll = labelLine(a.labels);
    if (ll) lines.push(`  labels: ${ll}`);
    lines.push(`  since ${a.startsAt}${a.status === 'resolved' ? `, ended ${a.endsAt}` : ''}`);
    lines.push(`  ${alertLink(a, n)}`);
    lines.push('');
  }
  if (n.truncatedAlerts) lines.push(`…and ${n.truncatedAlerts} more alert(s).`, '');
  lines.push(`Dashboard: ${n.externalUrl}`);
  return lines.join('\n');
}
