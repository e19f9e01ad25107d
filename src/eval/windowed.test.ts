import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWindows, NAB_PROFILES, probationLength, scaledSigmoid, scoreWindowed } from './windowed.ts';

const near = (a: number, b: number, eps = 1e-4): boolean => Math.abs(a - b) < eps;
const [standard, lowFp, lowFn] = NAB_PROFILES;

test('the scaled sigmoid and the profiles are NAB\'s', () => {
  assert.ok(near(scaledSigmoid(-1), 0.98661));
  assert.ok(near(scaledSigmoid(-0.5), 0.84828));
  assert.equal(scaledSigmoid(0), 0);
  assert.ok(near(scaledSigmoid(1), -0.98661));
  assert.equal(scaledSigmoid(3), -1);
  assert.deepEqual(
    NAB_PROFILES.map((p) => [p.name, p.tp, p.fn, p.fp]),
    [
      ['standard', 1, 1, 0.11],
      ['reward_low_FP_rate', 1, 1, 0.22],
      ['reward_low_FN_rate', 1, 2, 0.11],
    ],
  );
  assert.equal(probationLength(1000), 150);
  assert.equal(probationLength(100_000), 750);
});

test('windows: 10 % of the file shared among its events, centred, widened to a run, merged when they overlap', () => {
  assert.deepEqual(buildWindows(1000, [[500, 500]]), [[450, 550]]);
  assert.deepEqual(buildWindows(1000, [[500, 600]]), [[500, 600]]); // the run is the window
  assert.deepEqual(buildWindows(1000, [[520, 530]]), [[475, 575]]);
  assert.deepEqual(
    buildWindows(1000, [
      [300, 300],
      [320, 320],
    ]),
    [[275, 345]],
  );
  assert.deepEqual(buildWindows(1000, [[5, 5]]), [[0, 55]]); // clipped at the start
  assert.deepEqual(buildWindows(1000, []), []);
});

function file(n: number, event: number, flags: Record<number, number>): { name: string; scores: number[]; events: Array<[number, number]> } {
  const scores = new Array(n).fill(0);
  for (const [i, v] of Object.entries(flags)) scores[Number(i)] = v;
  return { name: `f${event}`, scores, events: [[event, event]] };
}

test('a perfect detector scores 100, the null detector 0, under every profile', () => {
  // window [450, 550]: a detection on its first row earns A_TP.
  for (const p of NAB_PROFILES) {
    const perfect = scoreWindowed([file(1000, 500, { 450: 1 })], p);
    assert.ok(near(perfect.normalized ?? NaN, 100, 1e-9), `${p.name}: ${perfect.normalized}`);
    assert.equal(perfect.detectedWindows, 1);
    const nul = scoreWindowed([file(1000, 500, {})], p);
    assert.equal(nul.normalized, 0);
    assert.equal(nul.threshold, Infinity);
  }
});

test('early detections earn more; the first detection in a window is the one that counts', () => {
  const early = scoreWindowed([file(1000, 500, { 460: 1 })], standard);
  const late = scoreWindowed([file(1000, 500, { 540: 1 })], standard);
  assert.ok((early.normalized ?? 0) > (late.normalized ?? 0));
  // Raw window reward at row i of [450, 550]: σ̃(−(550 − i + 1)/101)/σ̃(−1).
  assert.ok(near(early.raw, scaledSigmoid(-(550 - 460 + 1) / 101) / scaledSigmoid(-1)));
  const both = scoreWindowed([file(1000, 500, { 460: 1, 540: 1 })], standard);
  assert.ok(near(both.raw, early.raw));
});

test('false positives: −A_FP before any window, a smaller penalty just after one; probation is ignored', () => {
  // Hit at 450 (+1) and an FP at 300, before the window: 1 − 0.11.
  const before = scoreWindowed([file(1000, 500, { 450: 1, 300: 1 })], standard);
  assert.ok(near(before.raw, 1 - 0.11));
  assert.equal(before.falsePositives, 1);
  // An FP 10 rows after the window's end: σ̃(10/100)·A_FP.
  const after = scoreWindowed([file(1000, 500, { 450: 1, 560: 1 })], standard);
  assert.ok(near(after.raw, 1 + scaledSigmoid(10 / 100) * 0.11));
  // Detections inside probation (the first 150 rows) cost nothing.
  const prob = scoreWindowed([file(1000, 500, { 450: 1, 100: 1 })], standard);
  assert.ok(near(prob.raw, 1));
  // The low-FP profile charges twice as much.
  const fp2 = scoreWindowed([file(1000, 500, { 450: 1, 300: 1 })], lowFp);
  assert.ok(near(fp2.raw, 1 - 0.22));
});

test('one threshold for the corpus, the one with the best summed score; missed windows cost A_FN', () => {
  // File a: its window is caught only at a score of 0.6; file b has a false alarm at 0.7.
  const a = file(1000, 500, { 450: 0.6 });
  const b = file(1000, 500, { 300: 0.7 });
  const r = scoreWindowed([a, b], lowFn);
  // At 0.6: a caught (+1), b missed (−2) and its FP (−0.11): −1.11; above 0.7 both missed: −4; at 0.7: −4.11.
  assert.equal(r.threshold, 0.6);
  assert.ok(near(r.raw, -1.11));
  assert.equal(r.windows, 2);
  assert.equal(r.detectedWindows, 1);
  assert.ok(near(r.null, -4));
  assert.ok(near(r.perfect, 2));
  assert.ok(near(r.normalized ?? NaN, (100 * (-1.11 + 4)) / 6));
  assert.equal(r.files.length, 2);
});
