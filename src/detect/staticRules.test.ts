import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MinuteMetrics } from '../domain/types.ts';
import { DEFAULT_DETECT_CONFIG, resolveDetectConfig } from './config.ts';
import { staticRuleFindings, wilsonLower } from './staticRules.ts';

function metrics(counts: Record<string, number>): MinuteMetrics {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const shares: Record<string, number> = {};
  for (const [s, n] of Object.entries(counts)) shares[s] = total ? n / total : 0;
  return { total, counts, shares };
}

const config = resolveDetectConfig({
  rules: { failed: { count: { warning: 5, critical: 10 }, share: { warning: 0.05, critical: 0.1 } } },
  minTotalForShare: 60,
  minCountForShare: 5,
});
const only = (findings: ReturnType<typeof staticRuleFindings>, status: string) => findings.filter((f) => f.status === status);

test('count rule: nothing below warning, warning at the threshold, critical at its own', () => {
  // No baseline given: a count rule needs the status to be a notable share of the minute too (≥ 5 % here).
  const at = (failed: number) => only(staticRuleFindings('all', 7, metrics({ approved: 60, failed }), config), 'failed').filter((f) => f.metric === 'count');
  assert.deepEqual(at(4), []);
  const w = at(5);
  assert.equal(w.length, 1);
  assert.deepEqual([w[0].severity, w[0].threshold, w[0].observed, w[0].direction, w[0].detector, w[0].minute, w[0].scope], ['warning', 5, 5, 'up', 'static_count', 7, 'all']);
  assert.equal(w[0].score, 50);
  assert.equal(w[0].message, 'failed count 5/min ≥ warning threshold 5');
  const c = at(10);
  assert.deepEqual([c[0].severity, c[0].threshold, c[0].score], ['critical', 10, 80]);
});

test('share rule: needs volume (minTotalForShare) and a few of the status itself (minCountForShare)', () => {
  const share = (counts: Record<string, number>) => only(staticRuleFindings('all', 0, metrics(counts), config), 'failed').filter((f) => f.metric === 'share');
  // 8 % of 100 with 8 failures: warning on share (count rule also warning at 8).
  const w = share({ approved: 92, failed: 8 });
  assert.equal(w.length, 1);
  assert.equal(w[0].severity, 'warning');
  assert.equal(w[0].observed, 0.08);
  assert.equal(w[0].threshold, 0.05);
  assert.match(w[0].message, /failed share 8\.0% of 100 \(≥ 5\.\d% at 90 % confidence\) ≥ warning threshold 5\.0%/);
  assert.equal(share({ approved: 40, failed: 10 })[0]?.severity ?? 'none', 'none', '50 transactions: below the volume gate');
  assert.deepEqual(share({ approved: 56, failed: 4 }), [], '4 failures: below the count gate even at 6.7 %');
  assert.equal(share({ approved: 80, failed: 20 })[0].severity, 'critical');
});

test('statuses without rules and absent statuses raise nothing', () => {
  assert.deepEqual(staticRuleFindings('all', 0, metrics({ approved: 100, mystery: 500 }), config), []);
  assert.deepEqual(staticRuleFindings('all', 0, metrics({}), config), []);
});

test('defaults cover failed, denied, reversed and backend_reversed, warning below critical', () => {
  for (const s of ['failed', 'denied', 'reversed', 'backend_reversed']) {
    const rule = DEFAULT_DETECT_CONFIG.rules[s];
    assert.ok(rule && (rule.count || rule.share), `${s} has a rule`);
    for (const t of [rule.count, rule.share]) if (t) assert.ok(t.warning < t.critical, `${s}: warning < critical`);
  }
  // What the cloudwalk data shows as the failed storm (10 failures in a minute) is critical by rule.
  const f = staticRuleFindings('all', 0, metrics({ approved: 120, failed: 10 }), DEFAULT_DETECT_CONFIG);
  assert.ok(f.some((x) => x.status === 'failed' && x.severity === 'critical'));
  // A normal minute (medians of the file) is silent.
  assert.deepEqual(staticRuleFindings('all', 0, metrics({ approved: 117, denied: 6, failed: 0, reversed: 1, backend_reversed: 0, refunded: 1 }), DEFAULT_DETECT_CONFIG), []);
});

test('share rule judges the lower confidence bound: a noisy small minute does not cross the line', () => {
  const reversed = resolveDetectConfig({ rules: { reversed: { share: { warning: 0.08, critical: 0.15 } } }, minTotalForShare: 60, minCountForShare: 5 });
  const at = (counts: Record<string, number>) => staticRuleFindings('all', 0, metrics(counts), reversed).filter((f) => f.status === 'reversed');
  assert.deepEqual(at({ approved: 59, reversed: 6 }), [], '6 of 65 (9.2 %) is not surely above 8 %');
  assert.equal(at({ approved: 100, reversed: 40 })[0]?.severity, 'critical', '40 of 140 is surely above 15 %');
  assert.ok(wilsonLower(6, 65) < 0.08 && wilsonLower(6, 65) > 0.04);
  assert.equal(wilsonLower(0, 0), 0);
});

test('count rule: needs the count unusual for the series — improbable against its baseline, or a notable share before one exists', () => {
  const rev = (reversed: number, approved: number, p: number | null) => staticRuleFindings('all', 0, metrics({ approved, reversed }), DEFAULT_DETECT_CONFIG, (s) => (s === 'reversed' ? p : null))
    .filter((f) => f.status === 'reversed' && f.metric === 'count');
  assert.deepEqual(rev(12, 900, 0.3), [], 'a busy scope expects about this many reversals: its normal');
  assert.equal(rev(20, 900, 1e-6)[0]?.severity, 'critical', 'improbable and above the critical line');
  assert.deepEqual(rev(13, 1300, null), [], 'no baseline yet: 1 % of the minute is not a notable share');
  assert.equal(rev(12, 100, null)[0]?.severity, 'warning', 'no baseline yet: 11 % of the minute is');
});
