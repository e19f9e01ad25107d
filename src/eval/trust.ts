/**
 * Alert trust metrics of a run against labelled incidents — the measures of issue #12, computed
 * the way an operator experiences the alerts rather than per finding:
 *
 * - **alerting minutes**: scope-minutes whose ingest recommendation says `should_alert`, and
 *   how many of them fall outside every incident (before its start or more than `tailMinutes`
 *   after its end) — lingering tails and false alarms;
 * - **self-contradicting findings**: recommendation items that claim a rise while observed ≤
 *   expected, or a drop while observed ≥ expected (the same text rules as the team's
 *   alert-coherence tool: `_high`/rise/spike/above/up vs `_low`/drop/fall/below/down/outage);
 * - **per incident**: caught within its first `catchWithin` minutes, and the most alerts created
 *   for one status during it (twins: the same problem paged twice);
 * - **false-alarm episodes**: alerts created that overlap no incident window (an operator is
 *   paged for each).
 */
import type { Assessment, EpochMinute } from '../domain/types.ts';
import type { EvaluationEvent } from '../engine/engine.ts';
import { verdictOf, type AlertRecommendationItem } from '../api/recommendation.ts';
import type { LabelledIncident } from './labels.ts';

export interface TrustOptions {
  /** Minutes after an incident's end still counted as part of it (default 5). */
  tailMinutes?: number;
  /** An incident is caught when an alerting minute falls in its first this many minutes (default 3). */
  catchWithin?: number;
}

export interface IncidentTrust {
  id: string;
  kind: string;
  start: EpochMinute;
  /** Minutes from the start to the first alerting minute inside [start, end + tail), or null. */
  delay: number | null;
  caughtInTime: boolean;
  /** The most alerts created for one status label during [start − 1, end + tail). */
  maxAlertsPerStatus: number;
  alertsCreated: number;
}

export interface TrustReport {
  minutes: number;
  alertingMinutes: number;
  alertingOutside: number;
  findings: number;
  contradictions: number;
  contradictionExamples: string[];
  alertsCreated: number;
  falseEpisodes: number;
  falseEpisodeExamples: string[];
  incidents: IncidentTrust[];
  caught: number;
  caughtInTime: number;
}

const UP = /(_high|\brise\b|\brising\b|\bspike\b|\babove\b|\bup\b)/;
const DOWN = /(_low|\bdrop\b|\bfall\b|\bbelow\b|\bdown\b|outage|stopped)/;

/** Does a recommendation item contradict itself (claims a direction its own numbers deny)? */
export function contradicts(item: Pick<AlertRecommendationItem, 'message' | 'observed' | 'expected'> & { rule?: string; direction?: string }): boolean {
  if (typeof item.observed !== 'number' || typeof item.expected !== 'number') return false;
  const text = `${item.rule ?? ''} ${item.direction ?? ''} ${item.message ?? ''}`.toLowerCase();
  const up = UP.test(text);
  const down = DOWN.test(text);
  return (up && !down && item.observed <= item.expected) || (down && !up && item.observed >= item.expected);
}

const iso = (m: EpochMinute) => new Date(m * 60_000).toISOString().slice(0, 16) + 'Z';

/** Collects evaluations of a run (feed it `onEvaluated`), then reports against the labels. */
export class TrustRecorder {
  private readonly alerting: Array<{ scope: string; minute: EpochMinute }> = [];
  private readonly created: Array<{ scope: string; minute: EpochMinute; status: string; rule: string; summary: string }> = [];
  private minutes = 0;
  private findings = 0;
  private contradictions = 0;
  private readonly examples: string[] = [];

  readonly onEvaluated = (e: EvaluationEvent): void => {
    for (const a of e.assessments) this.assessment(a);
    for (const t of e.transitions) {
      if (t.from !== null || t.to === 'resolved') continue;
      const a = t.alert;
      this.created.push({ scope: a.labels.scope ?? '', minute: Math.floor(a.startsAt / 60_000), status: a.labels.status ?? '', rule: a.rule, summary: a.summary });
    }
  };

  private assessment(a: Assessment): void {
    this.minutes++;
    const v = verdictOf(a, 'warning');
    if (v.should_alert) this.alerting.push({ scope: a.scope, minute: a.minute });
    for (const item of v.alerts) {
      this.findings++;
      if (contradicts(item)) {
        this.contradictions++;
        if (this.examples.length < 5) this.examples.push(`${v.minute}: ${item.message}`);
      }
    }
  }

  report(labels: LabelledIncident[], opts: TrustOptions = {}): TrustReport {
    const tail = opts.tailMinutes ?? 5;
    const within = opts.catchWithin ?? 3;
    const inIncident = (scope: string, m: EpochMinute, before = 0) =>
      labels.some((l) => l.expectAlert && l.scope === scope && m >= l.start - before && m < l.end + tail);
    const incidents: IncidentTrust[] = labels.filter((l) => l.expectAlert).map((l) => {
      const first = this.alerting.find((x) => x.scope === l.scope && x.minute >= l.start && x.minute < l.end + tail);
      const made = this.created.filter((c) => c.scope === l.scope && c.minute >= l.start - 1 && c.minute < l.end + tail);
      const perStatus = new Map<string, number>();
      for (const c of made) perStatus.set(c.status, (perStatus.get(c.status) ?? 0) + 1);
      const delay = first ? first.minute - l.start : null;
      return { id: l.id, kind: l.kind, start: l.start, delay, caughtInTime: delay !== null && delay < within, maxAlertsPerStatus: Math.max(0, ...perStatus.values()), alertsCreated: made.length };
    });
    const falseAlerts = this.created.filter((c) => !inIncident(c.scope, c.minute, 1));
    return {
      minutes: this.minutes,
      alertingMinutes: this.alerting.length,
      alertingOutside: this.alerting.filter((x) => !inIncident(x.scope, x.minute)).length,
      findings: this.findings,
      contradictions: this.contradictions,
      contradictionExamples: this.examples,
      alertsCreated: this.created.length,
      falseEpisodes: falseAlerts.length,
      falseEpisodeExamples: falseAlerts.slice(0, 8).map((c) => `${iso(c.minute)} ${c.scope} ${c.rule}: ${c.summary}`),
      incidents,
      caught: incidents.filter((i) => i.delay !== null).length,
      caughtInTime: incidents.filter((i) => i.caughtInTime).length,
    };
  }
}
