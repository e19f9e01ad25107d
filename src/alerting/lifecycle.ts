/**
 * Alert lifecycle: findings → alert instances keyed by fingerprint, pending → firing → resolved.
 * `forMinutes`: consecutive anomalous minutes before pending becomes firing (1 = fire at once).
 * `keepFiringForMinutes`: a firing alert stays firing this many quiet minutes before it resolves,
 * so one normal minute in the middle of an incident does not resolve and re-page (anti-flapping).
 * Pure and deterministic: transition times are derived from minutes, never from a wall clock.
 */
import {
  type Alert, type AlertChange, type Assessment, type Finding, maxSeverity, type Severity, SEVERITY_RANK,
} from '../domain/types.ts';
import { fingerprintOf, labelsOf, ruleOf } from './fingerprint.ts';

export interface LifecycleConfig {
  forMinutes: number;
  keepFiringForMinutes: number;
  /** Minimum severity a finding needs to raise an alert. */
  minSeverity: Severity;
}

export const DEFAULT_LIFECYCLE: LifecycleConfig = { forMinutes: 1, keepFiringForMinutes: 3, minSeverity: 'warning' };

const minuteEnd = (m: number) => (m + 1) * 60_000;

interface Tracked { alert: Alert; firstMinute: number }

export class AlertLifecycle {
  readonly config: LifecycleConfig;
  /** Open alerts by fingerprint. */
  private readonly open = new Map<string, Tracked>();

  constructor(config: Partial<LifecycleConfig> = {}, openAlerts: Alert[] = []) {
    this.config = { ...DEFAULT_LIFECYCLE, ...config };
    for (const a of openAlerts) this.open.set(a.fingerprint, { alert: a, firstMinute: Math.floor(a.startsAt / 60_000) });
  }

  openAlerts(): Alert[] {
    return [...this.open.values()].map((t) => t.alert);
  }

  /** Applies one closed minute of one scope; returns the alerts that changed. */
  apply(assessment: Assessment): AlertChange[] {
    // The common case, a quiet minute with nothing open: nothing to do, nothing to allocate.
    if (assessment.findings.length === 0 && this.open.size === 0) return [];
    const { scope, minute } = assessment;
    const at = minuteEnd(minute);
    const changes: AlertChange[] = [];
    const groups = new Map<string, Finding[]>();
    // Problems still seen below alerting strength (info: a chart building up, a finding awaiting
    // confirmation): they raise nothing, but an open alert of the same problem is not resolved
    // while its evidence is still there.
    let lingering: Set<string> | null = null;
    for (const f of assessment.findings) {
      if (SEVERITY_RANK[f.severity] < SEVERITY_RANK[this.config.minSeverity]) {
        if (f.severity === 'info' && this.open.size > 0) (lingering ??= new Set()).add(fingerprintOf(labelsOf(f)));
        continue;
      }
      const fp = fingerprintOf(labelsOf(f));
      const g = groups.get(fp);
      if (g) g.push(f); else groups.set(fp, [f]);
    }

    for (const [fp, findings] of groups) {
      const top = findings.reduce((a, b) => (b.score > a.score ? b : a));
      const severity = findings.reduce<Severity>((s, f) => maxSeverity(s, f.severity), 'none');
      const explanation = findings.map((f) => `${f.test}: ${f.message}`).join('; ');
      const tracked = this.open.get(fp);
      if (!tracked) {
        const firing = this.config.forMinutes <= 1;
        const alert: Alert = {
          id: 0, fingerprint: fp, rule: ruleOf(top), labels: labelsOf(top), state: firing ? 'firing' : 'pending',
          severity, score: top.score, observed: top.observed, expected: top.expected, summary: top.message, explanation,
          startsAt: minute * 60_000, endsAt: null, updatedAt: at, lastMinute: minute,
        };
        this.open.set(fp, { alert, firstMinute: minute });
        changes.push({ alert, transition: { from: null, to: alert.state, at, note: `${severity}: ${top.message}` } });
        continue;
      }
      const prev = tracked.alert;
      const next: Alert = {
        ...prev, severity: maxSeverity(prev.severity, severity),
        score: Math.max(prev.score, top.score), observed: top.observed, expected: top.expected, summary: top.message,
        explanation, updatedAt: at, lastMinute: minute,
      };
      let transition: AlertChange['transition'];
      if (prev.state === 'pending' && minute - tracked.firstMinute + 1 >= this.config.forMinutes) {
        next.state = 'firing';
        transition = { from: 'pending', to: 'firing', at, note: `held for ${minute - tracked.firstMinute + 1} min` };
      } else if (next.severity !== prev.severity) {
        transition = { from: prev.state, to: prev.state, at, note: `severity ${prev.severity} → ${next.severity}: ${top.message}` };
      }
      tracked.alert = next;
      changes.push({ alert: next, transition });
    }

    for (const [fp, tracked] of this.open) {
      const a = tracked.alert;
      if (groups.has(fp) || a.labels.scope !== scope) continue;
      if (lingering?.has(fp) && a.state === 'firing') {
        tracked.alert = { ...a, lastMinute: minute, updatedAt: at };
        changes.push({ alert: tracked.alert });
        continue;
      }
      const quiet = minute - a.lastMinute;
      if (a.state === 'pending' || quiet >= this.config.keepFiringForMinutes) {
        const resolved: Alert = { ...a, state: 'resolved', endsAt: minuteEnd(a.lastMinute), updatedAt: at };
        this.open.delete(fp);
        changes.push({
          alert: resolved,
          transition: { from: a.state, to: 'resolved', at, note: a.state === 'pending' ? 'cleared before firing' : `normal for ${quiet} min` },
        });
      }
    }
    return changes;
  }

  /** Replaces the in-memory copies with the stored ones (ids assigned by the store). */
  adopt(saved: Alert[]): void {
    for (const a of saved) {
      const t = this.open.get(a.fingerprint);
      if (t && a.state !== 'resolved') t.alert = a;
    }
  }
}
