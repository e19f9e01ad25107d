import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Severity } from '../domain/types.ts';
import type { LabelledIncident } from './labels.ts';
import { alertMatches, buildEpisodes, evaluateDetection, median, summarizeAlerts, type FiredAlert } from './metrics.ts';

let nextId = 1;
function alert(scope: string, firing: number, last: number, rule = 'failed_high', extra: Partial<FiredAlert> = {}): FiredAlert {
  const [status, metric] = rule === 'no_data' ? ['total', 'no_data'] : [rule.split('_')[0], rule.split('_').slice(-2, -1)[0]];
  return { id: nextId++, rule, scope, status, metric, severity: 'warning' as Severity, firingMinute: firing, lastMinute: last, open: false, ...extra };
}

function incident(id: string, scope: string, start: number, end: number, extra: Partial<LabelledIncident> = {}): LabelledIncident {
  return { id, kind: 'failed_spike', scope, start, end, statuses: ['failed'], expectAlert: true, severity: 'warning', description: '', ...extra };
}

test('median: odd, even, empty', () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([]), null);
});

test('episodes merge overlapping and adjacent firing spans of one scope, not of different scopes', () => {
  const a = alert('all', 10, 14);
  const b = alert('all', 12, 20, 'failed_share_high', { severity: 'critical' }); // overlaps a
  const c = alert('all', 21, 22, 'denied_count_high'); // adjacent to b's end (20 + 1)
  const d = alert('all', 24, 25); // gap of one minute (23): new episode
  const e = alert('pos-01', 11, 13); // other scope
  const episodes = buildEpisodes([d, c, b, a, e]);
  assert.equal(episodes.length, 3);
  assert.deepEqual(episodes.map((x) => [x.scope, x.start, x.end]), [['all', 10, 22], ['pos-01', 11, 13], ['all', 24, 25]]);
  assert.deepEqual(episodes[0].rules, ['denied_count_high', 'failed_high', 'failed_share_high']);
  assert.equal(episodes[0].severity, 'critical');
  assert.deepEqual(episodes[0].alertIds, [a.id, b.id, c.id]);
  // A span whose last minute precedes its firing minute (cannot normally happen) still covers its firing minute.
  assert.deepEqual(buildEpisodes([alert('x', 5, 3)]).map((x) => [x.start, x.end]), [[5, 5]]);
});

test('alert summary: per rule and severity, open vs resolved, alert-minutes', () => {
  const s = summarizeAlerts([
    alert('all', 0, 4, 'failed_high', { severity: 'critical' }),
    alert('all', 10, 10, 'failed_high', { open: true }),
    alert('all', 20, 22, 'denied_share_high'),
  ]);
  assert.equal(s.alerts, 3);
  assert.equal(s.open, 1);
  assert.equal(s.resolved, 2);
  assert.equal(s.alertMinutes, 5 + 1 + 3);
  assert.deepEqual(s.bySeverity, { none: 0, info: 0, warning: 2, critical: 1 });
  assert.deepEqual(s.byRule.map((r) => [r.rule, r.alerts, r.alertMinutes, r.open]), [['failed_high', 2, 6, 1], ['denied_share_high', 1, 3, 0]]);
});

test('detection, delay, precision, recall, F1, false episodes and surge alerts on a hand-made case', () => {
  const incidents = [
    incident('A', 'all', 100, 110), // detected: alert fires at 102 → delay 3
    incident('B', 'all', 200, 205), // detected in the tolerance: fires at 208 (< 205 + 5) → delay 9
    incident('C', 'all', 300, 320), // missed: the only alert fires at 325 = end + 5 (outside)
    incident('D', 'pos-01', 400, 410), // alert of another scope at 401 does not count
    incident('S', 'all', 500, 530, { kind: 'volume_surge', expectAlert: false, statuses: ['approved'] }),
    incident('E', 'all', 600, 610, { kind: 'denied_burst', statuses: ['denied'] }), // alert firing since before, none starts in window
  ];
  const alerts = [
    alert('all', 102, 108),
    alert('all', 104, 106, 'failed_share_high'), // same episode as the first
    alert('all', 208, 209),
    alert('all', 325, 327), // starts at end + 5: not a detection; overlaps the window? [325,327] vs [300,325): no → false
    alert('all', 401, 402), // scope all, no incident there → false
    alert('all', 510, 512, 'total_volume_high'), // during the surge → false, counted as surge alert
    alert('all', 590, 615, 'denied_share_high'), // overlaps E's window → matches E (episode), but E is not "detected"
    alert('pos-02', 50, 50), // unrelated scope → false
  ];
  const ev = evaluateDetection(alerts, incidents);
  const byId = Object.fromEntries(ev.incidents.map((o) => [o.incident.id, o]));
  assert.equal(byId.A.detected, true);
  assert.equal(byId.A.delay, 3);
  assert.equal(byId.A.rule, 'failed_high');
  assert.equal(byId.B.delay, 9);
  assert.equal(byId.C.detected, false);
  assert.equal(byId.D.detected, false);
  assert.equal(byId.E.detected, false);
  assert.equal(byId.S.detected, true, 'the surge was alerted on');

  assert.equal(ev.expected, 5);
  assert.equal(ev.detected, 2);
  assert.equal(ev.recall, 2 / 5);
  assert.equal(ev.episodes.length, 7);
  assert.equal(ev.matchedEpisodes, 3); // A, B, E
  assert.equal(ev.falseEpisodes, 4); // 325, 401, 510 (surge), pos-02
  assert.equal(ev.surgeEpisodes, 1);
  assert.equal(ev.precision, 3 / 7);
  const p = 3 / 7, r = 2 / 5;
  assert.ok(Math.abs(ev.f1! - (2 * p * r) / (p + r)) < 1e-12);
  assert.equal(ev.medianDelay, 6);
  assert.equal(ev.maxDelay, 9);
  const surge = ev.episodes.find((e) => e.episode.start === 510)!;
  assert.deepEqual([surge.false, surge.surges], [true, ['S']]);

  const kinds = Object.fromEntries(ev.perKind.map((k) => [k.kind, k]));
  assert.deepEqual([kinds.failed_spike.expected, kinds.failed_spike.detected, kinds.failed_spike.recall], [4, 2, 0.5]);
  assert.equal(kinds.failed_spike.medianDelay, 6);
  assert.deepEqual([kinds.volume_surge.expected, kinds.volume_surge.recall, kinds.volume_surge.alertedWithoutExpectation], [0, null, 1]);
  assert.deepEqual([kinds.denied_burst.recall, kinds.denied_burst.medianDelay], [0, null]);
});

test('tolerance is configurable; nothing at all gives null precision and zero recall', () => {
  const inc = [incident('A', 'all', 100, 110)];
  const late = [alert('all', 112, 113)];
  assert.equal(evaluateDetection(late, inc, { toleranceMinutes: 0 }).detected, 0);
  assert.equal(evaluateDetection(late, inc, { toleranceMinutes: 5 }).detected, 1);
  const none = evaluateDetection([], inc);
  assert.equal(none.precision, null);
  assert.equal(none.recall, 0);
  assert.equal(none.f1, null);
  assert.equal(evaluateDetection([], []).recall, null);
});

test("match 'status' needs an alert about one of the incident's statuses (or the whole scope for volume incidents)", () => {
  const failed = incident('F', 'all', 100, 110);
  const outage = incident('O', 'all', 200, 210, { kind: 'outage', statuses: ['approved', 'denied'] });
  const deniedAlert = alert('all', 101, 103, 'denied_count_high');
  const totalAlert = alert('all', 201, 202, 'total_volume_low');
  assert.equal(alertMatches(deniedAlert, failed, 'scope'), true);
  assert.equal(alertMatches(deniedAlert, failed, 'status'), false);
  assert.equal(alertMatches(totalAlert, outage, 'status'), true);
  assert.equal(alertMatches(alert('all', 0, 0, 'no_data'), outage, 'status'), true);
  const ev = evaluateDetection([deniedAlert, totalAlert], [failed, outage], { match: 'status' });
  assert.deepEqual(ev.incidents.map((o) => o.detected), [false, true]);
  assert.equal(ev.falseEpisodes, 1, 'the denied alert during the failed spike does not match it');
});
