/**
 * Static rules: per status, thresholds on the count and on the share of total. They catch what must
 * never happen whatever the history says. Pure: metrics and config in, findings out.
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

export function staticRuleFindings(scope: string, minute: number, m: MinuteMetrics, config: DetectConfig): readonly Finding[] {
  let findings: Finding[] | null = null;
  let rules = ruleLists.get(config.rules);
  if (!rules) ruleLists.set(config.rules, (rules = Object.entries(config.rules)));
  for (const [status, rule] of rules) {
    const count = m.counts[status] ?? 0;
    if (rule.count) {
      const sev = crossed(count, rule.count);
      if (sev) {
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
      const sev = crossed(share, rule.share);
      if (sev) {
        const threshold = rule.share[sev];
        (findings ??= []).push({
          detector: 'static_share', test: 'static share rule', scope, metric: 'share', status, minute, severity: sev,
          score: RULE_SCORE[sev], observed: round(share), expected: null, threshold, direction: 'up',
          message: `${status} share ${(share * 100).toFixed(1)}% of ${m.total} ≥ ${sev} threshold ${(threshold * 100).toFixed(1)}%`,
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
