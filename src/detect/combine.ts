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
      ? normalText(metrics.total)
      : ordered.slice(0, 3).map((f) => f.message).join('; ') + (ordered.length > 3 ? `; and ${ordered.length - 3} more` : '');
  return { scope, minute, anomalyScore: round(score, 1), severity, findings: ordered, metrics, explanation, hasData };
}

/**
 * The explanation of a quiet minute, from a small direct-mapped cache by total: nearly every
 * scope-minute is quiet and the same totals recur, so the text is usually made once rather than
 * formatted again every minute (the same string either way).
 */
const NORMAL_SLOTS = 1024;
const normalTotals = new Float64Array(NORMAL_SLOTS).fill(-1);
const normalTexts: string[] = new Array<string>(NORMAL_SLOTS).fill('');
function normalText(total: number): string {
  const slot = total & (NORMAL_SLOTS - 1);
  if (normalTotals[slot] === total) return normalTexts[slot];
  const text = `normal: ${total} transactions`;
  normalTotals[slot] = total;
  normalTexts[slot] = text;
  return text;
}
