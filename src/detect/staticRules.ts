/**
 * Static rules: per status, thresholds on the count and on the share of total. They catch what must
 * never happen whatever the history says. Pure: metrics and config in, findings out.
 *
 * Two guards keep a line drawn on one data set from paging on another's normal traffic:
 * - a share rule judges the share's lower confidence bound (Wilson, 90 % one-sided), not the point
 *   estimate: 6 reversals out of 65 at night (9.2 %) is noise around a 2 % share, not a share above
 *   8 %, while 40 failures out of 150 is above 10 % beyond doubt;
 * - a count rule, once the series has a baseline, fires only on a count also above the band the
 *   series expects (`countUpper`): 12 reversals a minute at a busy scope's evening peak is its
 *   normal traffic, not an incident. Before a baseline exists the rule stands alone.
 */
import type { Finding, MinuteMetrics, Severity } from '../domain/types.ts';
import type { DetectConfig, Thresholds } from './config.ts';
import { round } from './round.ts';

/** Scores of rule findings: a rule is a hard line, not a probability. */
const RULE_SCORE: Record<'warning' | 'critical', number> = { warning: 50, critical: 80 };

/** Rule entries per rules object, listed once rather than every minute. */
const ruleLists = new WeakMap<DetectConfig['rules'], Array<[string, DetectConfig['rules'][string]]>>();

/** No finding: the answer of almost every minute, shared rather than a new empty array each time. */
const NONE: readonly Finding[] = Object.freeze([]);

/** No band known: every count is "above" it. */
const NO_BAND = (): number => -Infinity;

/** z of a one-sided 90 % bound. */
const Z90 = 1.2816;

/** Wilson score lower bound of a share k/n (one-sided, z). */
export function wilsonLower(k: number, n: number, z = Z90): number {
  if (n <= 0) return 0;
  const p = k / n;
  const z2 = z * z;
  return Math.max(0, (p + z2 / (2 * n) - z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n));
}

/**
 * @param countUpper upper end of the band a status's count is expected in this minute
 *   (−Infinity when the series has no baseline yet)
 */
export function staticRuleFindings(scope: string, minute: number, m: MinuteMetrics, config: DetectConfig, countUpper: (status: string) => number = NO_BAND): readonly Finding[] {
  let findings: Finding[] | null = null;
  let rules = ruleLists.get(config.rules);
  if (!rules) ruleLists.set(config.rules, (rules = Object.entries(config.rules)));
  for (const [status, rule] of rules) {
    const count = m.counts[status] ?? 0;
    if (rule.count) {
      const sev = crossed(count, rule.count);
      if (sev && count > countUpper(status)) {
        const threshold = rule.count[sev];
        (findings ??= []).push({
          detector: 'static_count', test: 'static count rule', scope, metric: 'count', status, minute, severity: sev,
          score: RULE_SCORE[sev], observed: count, expected: null, threshold, direction: 'up',
          message: `${status} count ${count}/min ≥ ${sev} threshold ${threshold}`,
        });
      }
    }
    if (rule.share && m.total >= config.minTotalForShare && count >= config.minCountForShare) {
      const share = m.shares[status] ?? 0;
      const lower = wilsonLower(count, m.total);
      const sev = crossed(lower, rule.share);
      if (sev) {
        const threshold = rule.share[sev];
        (findings ??= []).push({
          detector: 'static_share', test: 'static share rule', scope, metric: 'share', status, minute, severity: sev,
          score: RULE_SCORE[sev], observed: round(share), expected: null, threshold, direction: 'up',
          message: `${status} share ${(share * 100).toFixed(1)}% of ${m.total} (≥ ${(lower * 100).toFixed(1)}% at 90 % confidence) ≥ ${sev} threshold ${(threshold * 100).toFixed(1)}%`,
        });
      }
    }
  }
  return findings ?? NONE;
}

function crossed(value: number, t: Thresholds): Exclude<Severity, 'none' | 'info'> | null {
  if (value >= t.critical) return 'critical';
  if (value >= t.warning) return 'warning';
  return null;
}
