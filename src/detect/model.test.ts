/** The detection model's contract, whatever its detectors: deterministic, quiet on normal traffic, loud on incidents, never learning from them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Assessment, MinuteSnapshot } from '../domain/types.ts';
import { SEVERITY_RANK } from '../domain/types.ts';
import { DetectionModel } from './model.ts';

const M0 = Date.UTC(2025, 6, 1, 10, 0) / 60_000;
const wave = [0, 3, -2, 5, -4, 1, -1, 4, -3, 2];
const normal = (i: number): Record<string, number> => ({
  approved: 116 + wave[i % 10] * 2, denied: 7 + (i % 3) - 1, failed: 0, reversed: i % 3 === 0 ? 2 : 1, backend_reversed: 0, refunded: i % 4 === 0 ? 2 : 1,
});
const snap = (i: number, counts: Record<string, number>, scope = 'all'): MinuteSnapshot => ({ scope, minute: M0 + i, counts, authCodes: {}, hasData: true });
const warm = (model: DetectionModel, n: number, scope = 'all'): Assessment[] => Array.from({ length: n }, (_, i) => model.evaluate(snap(i, normal(i), scope)));
const alerting = (a: Assessment) => a.findings.filter((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK.warning);

test('normal traffic raises nothing', () => {
  const model = new DetectionModel();
  const out = warm(model, 180);
  const loud = out.flatMap((a) => alerting(a).map((f) => `${a.minute - M0}: ${f.message}`));
  assert.deepEqual(loud, []);
  assert.ok(out.every((a) => a.severity === 'none' && a.anomalyScore < 40));
  assert.equal(out[0].metrics.total, Object.values(normal(0)).reduce((a, b) => a + b, 0));
});

test('a failed spike is critical, names failed, and is explained', () => {
  const model = new DetectionModel();
  warm(model, 120);
  const a = model.evaluate(snap(120, { ...normal(120), failed: 40 }));
  assert.equal(a.severity, 'critical');
  assert.ok(a.anomalyScore >= 70);
  const failed = alerting(a).filter((f) => f.status === 'failed');
  assert.ok(failed.length > 0);
  assert.ok(failed.every((f) => f.direction === 'up' && f.observed > 0 && f.message.length > 0));
  assert.match(a.explanation, /failed/);
  assert.equal(a.metrics.counts.failed, 40);
});

test('a collapse of approved volume alerts downward', () => {
  const model = new DetectionModel();
  warm(model, 120);
  const a = model.evaluate(snap(120, { ...normal(120), approved: 10 }));
  const drop = alerting(a).filter((f) => (f.status === 'approved' || f.metric === 'total') && f.direction === 'down');
  assert.ok(drop.length > 0, a.explanation);
  assert.equal(a.severity, 'critical');
});

test('deterministic: the same minutes give the same assessments', () => {
  const run = () => {
    const model = new DetectionModel();
    const out = warm(model, 90);
    out.push(model.evaluate(snap(90, { ...normal(90), denied: 60 })));
    out.push(model.evaluate(snap(91, normal(91))));
    return { out, baselines: model.baselines() };
  };
  assert.deepEqual(run(), run());
});

test('incidents are not learned, and previews never learn', () => {
  const a = new DetectionModel();
  const b = new DetectionModel();
  warm(a, 120);
  warm(b, 120);
  a.evaluate(snap(120, { ...normal(120), failed: 40 }));
  b.evaluate(snap(120, normal(120)));
  const failedA = a.baselines('all').find((s) => s.metric === 'count' && s.status === 'failed')!;
  assert.ok(failedA.expected < 0.5, `failed baseline after a spike: ${failedA.expected}`);
  // Previews of a spike leave the model exactly as it was.
  const before = b.baselines();
  for (let i = 0; i < 5; i++) b.preview(snap(121, { ...normal(121), failed: 40 }));
  assert.deepEqual(b.baselines(), before);
  assert.equal(b.lastMinute('all'), M0 + 120);
});

test('baselines per scope; unknown statuses are monitored too', () => {
  const model = new DetectionModel();
  for (let i = 0; i < 60; i++) model.evaluate(snap(i, { ...normal(i), chargeback: 2 }, 'pos-1'));
  warm(model, 10, 'pos-2');
  const pos1 = model.baselines('pos-1');
  assert.ok(pos1.length > 0 && pos1.every((s) => s.scope === 'pos-1'));
  assert.ok(pos1.some((s) => s.status === 'chargeback'), 'unknown status has a baseline');
  const approved = pos1.find((s) => s.metric === 'count' && s.status === 'approved')!;
  assert.ok(approved.ready);
  assert.ok(approved.band[0] <= approved.expected && approved.expected <= approved.band[1]);
  assert.ok(Math.abs(approved.expected - 116) < 10, `approved expected ${approved.expected}`);
  assert.ok(model.baselines().some((s) => s.scope === 'pos-2'));
});

test('a minute without data is marked so', () => {
  const model = new DetectionModel();
  warm(model, 60);
  const a = model.evaluate({ scope: 'all', minute: M0 + 60, counts: {}, authCodes: {}, hasData: false });
  assert.equal(a.hasData, false);
  assert.equal(a.metrics.total, 0);
  assert.match(a.explanation, /no data/);
});

test('preview looks without touching: same later assessments, no new scopes or series', () => {
  const plain = new DetectionModel();
  const peeked = new DetectionModel();
  warm(plain, 200);
  warm(peeked, 200);
  // A slow rise of failed shares that only the sustained (CUSUM) detector sees over time.
  const drift = (i: number) => ({ ...normal(i), failed: i % 2 === 0 ? 2 : 1 });
  for (let i = 200; i < 260; i++) {
    // Several partial posts of the minute are previewed before it closes.
    for (let k = 0; k < 3; k++) peeked.preview(snap(i, { approved: 50, failed: drift(i).failed, brand_new: 1 }));
    peeked.preview(snap(i, { approved: 1 }, 'unseen-scope'));
    assert.deepEqual(peeked.evaluate(snap(i, drift(i))), plain.evaluate(snap(i, drift(i))), `minute ${i}`);
  }
  assert.deepEqual(peeked.baselines(), plain.baselines());
  assert.equal(peeked.lastMinute('unseen-scope'), null);
});

test('a sustained rise reports the run it judged: observed above expected, the chart restarts once the burst is over', () => {
  const model = new DetectionModel();
  warm(model, 180);
  // 40 minutes of a mild backend_reversed storm (2–4 per minute on ≈ 120), then normal again.
  const storm = Array.from({ length: 40 }, (_, j) => model.evaluate(snap(180 + j, { ...normal(180 + j), backend_reversed: 2 + (j % 3) })));
  const sustained = storm.flatMap((a) => a.findings).filter((f) => f.detector === 'cusum' && f.severity !== 'info');
  assert.ok(sustained.length > 10, 'the storm is seen as a sustained rise');
  for (const f of sustained) {
    assert.ok(f.observed > (f.expected ?? Infinity), `rise with observed ${f.observed} ≤ expected ${f.expected}: ${f.message}`);
    assert.match(f.message, /averaged .* over the \d+ min since \d\d:\d\d/);
  }
  const after = Array.from({ length: 20 }, (_, j) => model.evaluate(snap(220 + j, normal(220 + j))));
  const lingering = after.findIndex((a, j) => j >= 3 && a.findings.some((f) => f.detector === 'cusum'));
  assert.equal(lingering, -1, 'no sustained-shift finding three minutes after the storm ended');
  assert.ok(after.slice(3).every((a) => alerting(a).length === 0), 'nothing alerts once the storm is over');
});

test('severity of a sustained shift never rises on a minute that argues against it', () => {
  const model = new DetectionModel({ cusum: { ...new DetectionModel().config.cusum, criticalAfterMinutes: 5 } });
  warm(model, 180);
  for (let j = 0; j < 30; j++) {
    const quietMinute = j % 4 === 3;
    const a = model.evaluate(snap(180 + j, { ...normal(180 + j), backend_reversed: quietMinute ? 0 : 4 }));
    const f = a.findings.find((x) => x.detector === 'cusum' && x.status === 'backend_reversed');
    if (quietMinute && f) assert.notEqual(f.severity, 'critical', `minute ${j}: critical on a quiet minute`);
  }
});

test('a persistent level shift becomes the new normal within adapt_minutes', () => {
  const model = new DetectionModel({ adaptMinutes: 60 });
  warm(model, 240);
  // Sales fall to 40 % of normal and stay there.
  const shifted = (i: number) => ({ ...normal(i), approved: Math.round(normal(i).approved * 0.4) });
  const out = Array.from({ length: 180 }, (_, j) => model.evaluate(snap(240 + j, shifted(240 + j))));
  const alertingMinutes = out.map((a, j) => (alerting(a).some((f) => f.direction === 'down') ? j : -1)).filter((j) => j >= 0);
  assert.ok(alertingMinutes.length > 0 && alertingMinutes[0] < 15, 'the drop alerts at its onset');
  assert.ok(alertingMinutes[alertingMinutes.length - 1] < 120, `still alerting ${alertingMinutes[alertingMinutes.length - 1]} min after the shift`);
  const view = model.baselines('all').find((b) => b.metric === 'count' && b.status === 'approved')!;
  assert.ok(view.expected < 60, `expected approved ${view.expected} follows the new level`);
});

test('a storm of a few events a minute is paged in its first minutes: a significant minute corroborates a chart two-thirds of the way up', () => {
  const model = new DetectionModel();
  warm(model, 240);
  // backend_reversed 4, then 1, 1, 4 on ≈ 120 transactions (expected ≈ 0): no single later minute is significant.
  const storm = [4, 1, 1, 4, 2, 3].map((n, j) => model.evaluate(snap(240 + j, { ...normal(240 + j), backend_reversed: n })));
  const first = storm.findIndex((a) => alerting(a).some((f) => f.status === 'backend_reversed'));
  assert.ok(first >= 0 && first <= 2, `first alerting minute ${first}`);
  for (const a of storm) for (const f of alerting(a)) assert.ok(f.observed > (f.expected ?? Infinity), f.message);
});
