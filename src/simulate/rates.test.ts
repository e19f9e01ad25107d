import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BASE_RATES, expectedRate, expectedRates, rhythmFactor, scopeProfiles, SIM_STATUSES } from './rates.ts';
import { DEFAULT_START, Simulator } from './simulator.ts';

const MONDAY = DEFAULT_START;
const at = (day: number, hour: number, minute = 0): number => MONDAY + day * 1440 + hour * 60 + minute;

test('the retail rhythm has weekly mean 1, a night trough and a daytime plateau', () => {
  let sum = 0;
  for (let m = 0; m < 10080; m++) sum += rhythmFactor(MONDAY + m);
  assert.ok(Math.abs(sum / 10080 - 1) < 1e-9);
  // Weekday 4 a.m. ≈ 20–40 approved/min, noon ≈ 150–170/min at the reference size.
  const night = expectedRate('approved', at(1, 4));
  const noon = expectedRate('approved', at(1, 12));
  assert.ok(night >= 20 && night <= 40, `night ${night}`);
  assert.ok(noon >= 140 && noon <= 175, `noon ${noon}`);
  // Weekends are lower than weekdays at the same hour.
  assert.ok(expectedRate('approved', at(6, 12)) < expectedRate('approved', at(2, 12)) * 0.9);
  assert.ok(expectedRate('approved', at(5, 12)) < expectedRate('approved', at(2, 12)));
});

test('the rhythm is smooth: no step bigger than 2 % from one minute to the next', () => {
  for (let m = 0; m < 10080; m++) {
    const a = rhythmFactor(MONDAY + m);
    const b = rhythmFactor(MONDAY + m + 1);
    assert.ok(Math.abs(b / a - 1) < 0.02, `minute ${m}: ${a} → ${b}`);
  }
});

test('flat rhythm is constant and expectedRate scales with size', () => {
  assert.equal(rhythmFactor(at(0, 3), 'flat'), 1);
  assert.equal(expectedRate('approved', at(0, 3), 1, 'flat'), BASE_RATES[0]);
  assert.equal(expectedRate('approved', at(3, 9), 2.5, 'flat'), BASE_RATES[0] * 2.5);
  const r = expectedRates(at(2, 15), 1, 'flat');
  assert.deepEqual(Object.keys(r), [...SIM_STATUSES]);
  const share = r.denied / Object.values(r).reduce((a, b) => a + b, 0);
  assert.ok(share > 0.05 && share < 0.065, `denied share ${share}`);
  assert.equal(expectedRate('chargeback', at(0, 0)), 0);
});

test('scope profiles: "all" for one scope, deterministic pos-NN sizes otherwise', () => {
  assert.deepEqual(scopeProfiles(1, 1), [{ id: 'all', size: 1, deniedFactor: 1 }]);
  const five = scopeProfiles(1, 5);
  assert.deepEqual(five.map((p) => p.id), ['pos-01', 'pos-02', 'pos-03', 'pos-04', 'pos-05']);
  assert.deepEqual(scopeProfiles(1, 50).slice(0, 5), five, 'independent of the scope count');
  assert.notDeepEqual(scopeProfiles(2, 5), five, 'depends on the seed');
  assert.equal(scopeProfiles(1, 120)[119].id, 'pos-120');
  const sizes = scopeProfiles(9, 200).map((p) => p.size);
  assert.ok(Math.min(...sizes) >= 0.15 && Math.max(...sizes) <= 5);
  assert.ok(Math.max(...sizes) / Math.min(...sizes) > 4, 'sizes vary');
});

const REAL = fileURLToPath(new URL('../../../shared/data/cloudwalk/', import.meta.url));

function readReal(name: string): Map<string, Record<string, number>> {
  const rows = new Map<string, Record<string, number>>();
  const lines = readFileSync(REAL + name, 'utf8').trim().split('\n').slice(1);
  for (const line of lines) {
    const [ts, key, count] = line.split(',');
    const row = rows.get(ts) ?? {};
    row[key] = Number(count);
    rows.set(ts, row);
  }
  return rows;
}

test('calibration: quiet simulated minutes match the quiet minutes of the real sample', (t) => {
  if (!existsSync(REAL + 'transactions.csv') || !existsSync(REAL + 'transactions_auth_codes.csv')) {
    t.skip('real data (shared/data/cloudwalk) absent');
    return;
  }
  const tx = readReal('transactions.csv');
  const codes = readReal('transactions_auth_codes.csv');
  // Quiet real minutes: no storm, no burst (the sample's incidents are excluded as the model's baseline excludes them).
  const quiet = [...tx.entries()].filter(([, r]) => (r.denied ?? 0) <= 15 && !r.failed && (r.backend_reversed ?? 0) <= 1 && r.approved > 100);
  assert.ok(quiet.length > 3000);
  const realMean = (k: string): number => quiet.reduce((s, [, r]) => s + (r[k] ?? 0), 0) / quiet.length;
  const real59 = quiet.reduce((s, [ts]) => s + (codes.get(ts)?.['59'] ?? 0), 0) / quiet.reduce((s, [, r]) => s + r.denied, 0);

  const sim = new Simulator({ days: 3, seed: 4, rhythm: 'flat', incidents: false });
  const sums: Record<string, number> = {};
  let n = 0;
  let d59 = 0;
  for (const x of sim.range(sim.start, sim.end)) {
    n++;
    d59 += x.authCodes['59'];
    for (const [k, v] of Object.entries(x.counts)) sums[k] = (sums[k] ?? 0) + v;
  }
  const simMean = (k: string): number => sums[k] / n;
  // The model's approved is the all-minutes real mean (116.8; quiet minutes alone run ≈ 120), and
  // days differ by a few percent (day level), so 3 days land within ±6 %.
  const allApproved = [...tx.values()].reduce((s, r) => s + r.approved, 0) / tx.size;
  assert.ok(Math.abs(simMean('approved') / allApproved - 1) < 0.06, `approved ${simMean('approved')} vs ${allApproved}`);
  assert.ok(simMean('approved') < realMean('approved') * 1.02, 'not above the quiet real minutes');
  for (const k of ['reversed', 'refunded']) assert.ok(Math.abs(simMean(k) / realMean(k) - 1) < 0.1, `${k} ${simMean(k)} vs ${realMean(k)}`);
  // Denied sits between the quiet (6.0) and the all-minutes (6.9) real means.
  assert.ok(simMean('denied') > realMean('denied') && simMean('denied') < 7.6, `denied ${simMean('denied')} vs ${realMean('denied')}`);
  assert.ok(Math.abs(d59 / sums.denied - real59) < 0.04, `code 59 share ${d59 / sums.denied} vs ${real59}`);
  assert.ok(simMean('failed') < 0.1 && simMean('backend_reversed') < 0.2);
});
