import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rollingZFinding, type ZSeries } from './rollingZ.ts';
import { RollingWindow } from './stats/robust.ts';
import type { RollingZConfig } from './config.ts';

const CFG: RollingZConfig = {
  enabled: true, window: 60, minHistory: 30, warningZ: 2, criticalZ: 3, minSigmaCount: 1, minSigmaShare: 0.005, minMean: 0, confirm: { k: 1, n: 1 },
};

function series(values: number[], kind: ZSeries['kind'] = 'count', direction: ZSeries['direction'] = 'up', window = 60): ZSeries {
  const stats = new RollingWindow(window);
  for (const v of values) stats.push(v);
  return { kind, status: kind === 'total' ? 'total' : 'denied', direction, stats, flaggedIn: -1 };
}
/** Alternating values: mean m, sample sd ≈ d. */
const wobble = (n: number, m: number, d: number) => Array.from({ length: n }, (_, i) => (i % 2 ? m + d : m - d));

test('cold start: silent until minHistory values', () => {
  assert.equal(rollingZFinding(series(wobble(29, 10, 1)), 100, 'all', 0, CFG, 200), null);
  assert.ok(rollingZFinding(series(wobble(30, 10, 1)), 100, 'all', 0, CFG, 200));
});

test('warning at 2σ, critical at 3σ, with band, z and p', () => {
  // mean 100, sd ≈ 10.08 (> √100 floor).
  const s = series(wobble(60, 100, 10));
  const sd = s.stats.std();
  assert.equal(rollingZFinding(s, 100 + 1.9 * sd, 'all', 5, CFG, 0), null);
  const w = rollingZFinding(s, 100 + 2.5 * sd, 'all', 5, CFG, 0)!;
  assert.equal(w.severity, 'warning');
  assert.equal(w.z, 2.5);
  assert.equal(w.expected, 100);
  assert.deepEqual(w.band, [Math.round((100 - 2 * sd) * 1e4) / 1e4, Math.round((100 + 2 * sd) * 1e4) / 1e4]);
  assert.ok(w.pValue! > 0.005 && w.pValue! < 0.01);
  assert.equal(w.detector, 'rolling_z');
  assert.match(w.message, /denied count .* vs expected 100 \(z = 2\.5, above 60-min baseline\)/);
  const c = rollingZFinding(s, 100 + 3.5 * sd, 'all', 5, CFG, 0)!;
  assert.equal(c.severity, 'critical');
  assert.ok(c.score > w.score);
});

test('zero-variance guard: a flat series does not alert on its first wiggle', () => {
  // Flat at 100: sd 0, floor √100 = 10; 115 is 1.5σ.
  assert.equal(rollingZFinding(series(Array(60).fill(100)), 115, 'all', 0, CFG, 0), null);
  assert.equal(rollingZFinding(series(Array(60).fill(100)), 125, 'all', 0, CFG, 0)?.severity, 'warning');
  // Flat at 0 (failed at night): floor minSigmaCount 1, so 1 failure is 1σ.
  assert.equal(rollingZFinding(series(Array(60).fill(0)), 1, 'all', 0, CFG, 0), null);
  // Flat share: floor 0.005 → 0.6 % above a 0 % baseline is 1.2σ.
  assert.equal(rollingZFinding(series(Array(60).fill(0), 'share'), 0.006, 'all', 0, CFG, 100), null);
  assert.equal(rollingZFinding(series(Array(60).fill(0), 'share'), 0.02, 'all', 0, CFG, 100)?.severity, 'critical');
});

test('direction: up-series alert on rises only, down-series on drops only', () => {
  const up = series(wobble(60, 100, 10));
  assert.equal(rollingZFinding(up, 50, 'all', 0, CFG, 0), null, 'a drop of a problem status is good news');
  const down = series(wobble(60, 100, 10), 'count', 'down');
  assert.equal(rollingZFinding(down, 150, 'all', 0, CFG, 0), null, 'a surge of approved is not an incident');
  const drop = rollingZFinding(down, 50, 'all', 0, CFG, 0)!;
  assert.equal(drop.severity, 'critical');
  assert.equal(drop.direction, 'down');
  assert.ok(drop.z! < 0);
  assert.match(drop.message, /below 60-min baseline/);
  const total = rollingZFinding(series(wobble(60, 100, 10), 'total', 'down'), 60, 'all', 0, CFG, 0)!;
  assert.match(total.message, /^total volume /);
});
