import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Alert, AlertChange, Assessment, Finding, Severity } from '../domain/types.ts';
import { AlertLifecycle } from './lifecycle.ts';
import { fingerprintOf, labelsOf, ruleOf } from './fingerprint.ts';

const M = 29_000_000;
const end = (m: number) => (m + 1) * 60_000;

function finding(status: string, severity: Severity, score: number, extra: Partial<Finding> = {}): Finding {
  return {
    detector: 'static_count', test: 'static count rule', scope: 'all', metric: 'count', status, minute: M, severity, score,
    observed: 40, expected: 0.1, threshold: 10, direction: 'up', message: `${status} count high`, ...extra,
  };
}
function minute(m: number, findings: Finding[] = [], scope = 'all'): Assessment {
  return {
    scope, minute: m, anomalyScore: Math.max(0, ...findings.map((f) => f.score)), severity: 'none',
    findings: findings.map((f) => ({ ...f, minute: m, scope })), metrics: { total: 100, counts: {}, shares: {} }, explanation: '', hasData: true,
  };
}
/** Applies and gives ids the way the store would (adopt). */
let nextId = 1;
function run(lc: AlertLifecycle, a: Assessment): AlertChange[] {
  const changes = lc.apply(a);
  const saved = changes.map((c) => ({ ...c.alert, id: c.alert.id || nextId++ }));
  lc.adopt(saved);
  return changes.map((c, i) => ({ ...c, alert: saved[i] }));
}
const states = (cs: AlertChange[]) => cs.map((c) => `${c.alert.rule}:${c.transition ? `${c.transition.from}->${c.transition.to}` : 'update'}`);

test('fingerprints: rule + labels, severity not part of identity', () => {
  const f = finding('failed', 'warning', 50);
  assert.equal(ruleOf(f), 'failed_high');
  assert.equal(ruleOf({ metric: 'share', status: 'failed', direction: 'up' }), 'failed_high', 'count and share of a status are one problem');
  assert.equal(ruleOf({ metric: 'total', status: 'total', direction: 'down' }), 'sales_low');
  assert.equal(ruleOf({ metric: 'count', status: 'approved', direction: 'down' }), 'sales_low');
  assert.deepEqual(labelsOf(f), { alertname: 'failed_high', scope: 'all', status: 'failed' });
  assert.equal(fingerprintOf(labelsOf(f)), fingerprintOf(labelsOf(finding('failed', 'critical', 90))));
  assert.notEqual(fingerprintOf(labelsOf(f)), fingerprintOf(labelsOf({ ...f, scope: 'pos-1' })));
  assert.equal(fingerprintOf({ a: '1', b: '2' }), fingerprintOf({ b: '2', a: '1' }), 'label order does not matter');
});

test('forMinutes 1: fires at once; findings of one series are one alert', () => {
  const lc = new AlertLifecycle({ forMinutes: 1 });
  const cs = run(lc, minute(M, [finding('failed', 'critical', 80), finding('failed', 'warning', 60, { detector: 'rolling_z', test: 'rolling z-score (60 min)', threshold: null })]));
  assert.deepEqual(states(cs), ['failed_high:null->firing']);
  const a = cs[0].alert;
  assert.equal(a.severity, 'critical');
  assert.equal(a.score, 80);
  assert.equal(a.startsAt, M * 60_000);
  assert.equal(cs[0].transition!.at, end(M), 'times come from minutes, not a wall clock');
  assert.match(a.explanation, /static count rule: .*; rolling z-score/);
});

test('forMinutes 3: pending until held three consecutive minutes; a quiet minute clears it', () => {
  const lc = new AlertLifecycle({ forMinutes: 3 });
  assert.deepEqual(states(run(lc, minute(M, [finding('failed', 'warning', 50)]))), ['failed_high:null->pending']);
  assert.deepEqual(states(run(lc, minute(M + 1, [finding('failed', 'warning', 50)]))), ['failed_high:update']);
  const fired = run(lc, minute(M + 2, [finding('failed', 'warning', 50)]));
  assert.deepEqual(states(fired), ['failed_high:pending->firing']);
  assert.equal(fired[0].transition!.note, 'held for 3 min');
  assert.equal(fired[0].alert.startsAt, M * 60_000);

  const lc2 = new AlertLifecycle({ forMinutes: 3 });
  run(lc2, minute(M, [finding('denied', 'warning', 50)]));
  const cleared = run(lc2, minute(M + 1));
  assert.deepEqual(states(cleared), ['denied_high:pending->resolved']);
  assert.equal(cleared[0].transition!.note, 'cleared before firing');
  assert.deepEqual(lc2.openAlerts(), []);
});

test('keep_firing_for: a firing alert survives quiet minutes, then resolves with endsAt at its last anomalous minute', () => {
  const lc = new AlertLifecycle({ keepFiringForMinutes: 3 });
  run(lc, minute(M, [finding('failed', 'critical', 80)]));
  assert.deepEqual(run(lc, minute(M + 1)), []);
  assert.deepEqual(run(lc, minute(M + 2)), []);
  // Anomalous again inside the window: the same alert carries on.
  const again = run(lc, minute(M + 3, [finding('failed', 'critical', 85)]));
  assert.deepEqual(states(again), ['failed_high:update']);
  assert.equal(again[0].alert.id, lc.openAlerts()[0].id);
  assert.equal(again[0].alert.lastMinute, M + 3);
  assert.deepEqual(run(lc, minute(M + 4)), []);
  assert.deepEqual(run(lc, minute(M + 5)), []);
  const resolved = run(lc, minute(M + 6));
  assert.deepEqual(states(resolved), ['failed_high:firing->resolved']);
  assert.equal(resolved[0].alert.endsAt, end(M + 3));
  assert.equal(resolved[0].transition!.at, end(M + 6));
  assert.equal(resolved[0].transition!.note, 'normal for 3 min');
  // After resolution a new anomaly is a new alert.
  const fresh = run(lc, minute(M + 7, [finding('failed', 'warning', 50)]));
  assert.deepEqual(states(fresh), ['failed_high:null->firing']);
  assert.notEqual(fresh[0].alert.id, resolved[0].alert.id);
});

test('keep_firing_for 0: resolves at the first quiet minute', () => {
  const lc = new AlertLifecycle({ keepFiringForMinutes: 0 });
  run(lc, minute(M, [finding('failed', 'critical', 80)]));
  assert.deepEqual(states(run(lc, minute(M + 1))), ['failed_high:firing->resolved']);
});

test('escalation: warning → critical is recorded; severity never drops while firing', () => {
  const lc = new AlertLifecycle();
  run(lc, minute(M, [finding('failed', 'warning', 50)]));
  const up = run(lc, minute(M + 1, [finding('failed', 'critical', 90)]));
  assert.equal(up[0].alert.severity, 'critical');
  assert.deepEqual([up[0].transition!.from, up[0].transition!.to], ['firing', 'firing']);
  assert.match(up[0].transition!.note, /severity warning → critical/);
  const down = run(lc, minute(M + 2, [finding('failed', 'warning', 50)]));
  assert.equal(down[0].alert.severity, 'critical');
  assert.equal(down[0].alert.score, 90, 'peak score kept');
  assert.equal(down[0].transition, undefined);
});

test('minSeverity filters findings; scopes do not resolve each other', () => {
  const lc = new AlertLifecycle({ minSeverity: 'critical' });
  assert.deepEqual(run(lc, minute(M, [finding('failed', 'warning', 60)])), []);
  const info = new AlertLifecycle();
  assert.deepEqual(run(info, minute(M, [finding('failed', 'info', 20)])), []);

  const lc2 = new AlertLifecycle({ keepFiringForMinutes: 0 });
  run(lc2, minute(M, [finding('failed', 'critical', 80)], 'pos-1'));
  assert.deepEqual(run(lc2, minute(M + 1, [], 'pos-2')), [], 'a quiet minute of another scope');
  assert.equal(lc2.openAlerts().length, 1);
  assert.deepEqual(states(run(lc2, minute(M + 1, [], 'pos-1'))), ['failed_high:firing->resolved']);
});

test('rebuilt from open alerts (restart): continues them instead of raising new ones', () => {
  const lc = new AlertLifecycle();
  const [created] = run(lc, minute(M, [finding('failed', 'critical', 80)]));
  const stored: Alert = { ...created.alert };
  const after = new AlertLifecycle({}, [stored]);
  const cs = run(after, minute(M + 1, [finding('failed', 'critical', 80)]));
  assert.deepEqual(states(cs), ['failed_high:update']);
  assert.equal(cs[0].alert.id, stored.id);
  assert.equal(cs[0].alert.startsAt, stored.startsAt);
});

test('one alert per problem: a drop in approved and in total volume is one sales_low alert', () => {
  const lc = new AlertLifecycle({ forMinutes: 1 });
  const approved = finding('approved', 'critical', 90, { metric: 'count', direction: 'down', detector: 'outage' });
  const total = finding('total', 'warning', 60, { metric: 'total', direction: 'down', detector: 'drop' });
  const cs = run(lc, minute(M, [approved, total]));
  assert.deepEqual(states(cs), ['sales_low:null->firing']);
  assert.equal(cs[0].alert.labels.status, 'approved');
  assert.equal(cs[0].alert.severity, 'critical');
});

test('an open alert stays open while its problem is still seen at info level, then resolves after keep_firing_for', () => {
  const lc = new AlertLifecycle({ forMinutes: 1, keepFiringForMinutes: 2 });
  run(lc, minute(M, [finding('failed', 'critical', 80)]));
  const building = finding('failed', 'info', 0, { metric: 'share', detector: 'cusum' });
  for (let i = 1; i <= 5; i++) assert.deepEqual(states(run(lc, minute(M + i, [building]))), ['failed_high:update'], `minute ${i}`);
  assert.deepEqual(states(run(lc, minute(M + 6))), []);
  assert.deepEqual(states(run(lc, minute(M + 7))), ['failed_high:firing->resolved']);
  // Info alone never raises an alert.
  assert.deepEqual(states(run(lc, minute(M + 8, [building]))), []);
});
