/**
 * Static rules: per status, thresholds on the count and on the share of total. They catch what must
 * never happen whatever the history says. Pure: metrics and config in, findings out.
 *
 * Two guards keep a line drawn on one data set from paging on another's normal traffic:
 * - a share rule judges the share's lower confidence bound (Wilson, 90 % one-sided), not the point
 *   estimate: 6 reversals out of 65 at night (9.2 %) is noise around a 2 % share, not a share above
 *   8 %, while 40 failures out of 150 is above 10 % beyond doubt;
 * - a count rule is an absolute line drawn at one volume: it fires only on a count that is also
 *   unusual for the series — once the series has a baseline, improbable against it (upper tail
 *   p ≤ 10⁻⁴, `countSurprise`: 12 reversals a minute at a scope ten times the size is its normal
 *   traffic, 40 failures where 0.3 are expected is not); before that, a notable share of the
 *   minute (at least the status's warning share, where it has a share rule).
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

/** No baseline known: null. */
const NO_BASELINE = (): number | null => null;

/** Upper-tail p at or below which a count is unusual enough for its count rule. */
const COUNT_RULE_P = 1e-4;

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
 * @param countSurprise upper-tail p of a status's count against what its series expects this
 *   minute, or null while the series has no baseline
 */
export function staticRuleFindings(scope: string, minute: number, m: MinuteMetrics, config: DetectConfig, countSurprise: (status: string, count: number) => number | null = NO_BASELINE): readonly Finding[] {
  let findings: Finding[] | null = null;
  let rules = ruleLists.get(config.rules);
  if (!rules) ruleLists.set(config.rules, (rules = Object.entries(config.rules)));
  for (let i = 0; i < rules.length; i++) {
    // Indexed rather than destructured (`[status, rule] of rules` made iterator objects every minute).
    const status = rules[i][0];
    const rule = rules[i][1];
    const count = m.counts[status] ?? 0;
    if (rule.count) {
      const sev = crossed(count, rule.count);
      if (sev && unusual(status, count, m, rule.share, countSurprise)) {
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

/** Is a count that crossed its rule's line also unusual for the series (see the module comment)? */
function unusual(status: string, count: number, m: MinuteMetrics, share: Thresholds | undefined, countSurprise: (status: string, count: number) => number | null): boolean {
  const p = countSurprise(status, count);
  if (p !== null) return p <= COUNT_RULE_P;
  return share === undefined || (m.total > 0 && count / m.total >= share.warning);
}

function crossed(value: number, t: Thresholds): Exclude<Severity, 'none' | 'info'> | null {
  if (value >= t.critical) return 'critical';
  if (value >= t.warning) return 'warning';
  return null;
}
