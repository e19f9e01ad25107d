/** Combines one minute's findings into one assessment: score, severity and a human explanation. */
import type { Assessment, Finding, MinuteMetrics, Severity } from '../domain/types.ts';
import { SEVERITY_RANK, maxSeverity } from '../domain/types.ts';
import { round } from './round.ts';

/** Takes `findings` over (sorted in place, kept in the assessment): the caller's fresh array of the minute. */
export function combineFindings(scope: string, minute: number, metrics: MinuteMetrics, findings: Finding[], hasData: boolean): Assessment {
  let severity: Severity = 'none';
  let score = 0;
  for (const f of findings) {
    severity = maxSeverity(severity, f.severity);
    if (f.score > score) score = f.score;
  }
  const ordered = findings.length < 2 ? findings : findings.sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || b.score - a.score);
  const explanation = !hasData
    ? 'no data received for this minute'
    : ordered.length === 0
      ? `normal: ${metrics.total} transactions`
      : ordered.slice(0, 3).map((f) => f.message).join('; ') + (ordered.length > 3 ? `; and ${ordered.length - 3} more` : '');
  return { scope, minute, anomalyScore: round(score, 1), severity, findings: ordered, metrics, explanation, hasData };
}
