import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TxmonError } from '../domain/errors.ts';
import { minuteOfDay } from '../domain/time.ts';
import { INCIDENT_KINDS } from './incidents.ts';
import { DEFAULT_START, Simulator, type IncidentLabel, type SimulatedMinute } from './simulator.ts';

const toMin = (iso: string): number => Date.parse(iso) / 60_000;
const total = (c: Record<string, number>): number => Object.values(c).reduce((a, b) => a + b, 0);

// One 14-day, 3-scope run with incidents and the same run without, shared by the incident tests.
const WITH = new Simulator({ days: 14, seed: 21, scopes: 3 });
const WITHOUT = new Simulator({ days: 14, seed: 21, scopes: 3, incidents: false });

function minutesOf(sim: Simulator, l: IncidentLabel): SimulatedMinute[] {
  const out: SimulatedMinute[] = [];
  for (let m = toMin(l.start); m < toMin(l.end); m++) out.push(sim.minute(l.scope, m));
  return out;
}
const sum = (xs: SimulatedMinute[], f: (x: SimulatedMinute) => number): number => xs.reduce((s, x) => s + f(x), 0);

test('same (seed, scope, minute) gives the same counts, by random access or by range', () => {
  const a = new Simulator({ days: 1, seed: 5, scopes: 2 });
  const b = new Simulator({ days: 1, seed: 5, scopes: 2 });
  const ranged = [...a.range(a.start + 600, a.start + 603)];
  assert.deepEqual(ranged.map((x) => [x.scope, x.minute]), [
    ['pos-01', a.start + 600], ['pos-02', a.start + 600],
    ['pos-01', a.start + 601], ['pos-02', a.start + 601],
    ['pos-01', a.start + 602], ['pos-02', a.start + 602],
  ], 'minute-major, scopes in order');
  // Random access in reverse order on a fresh simulator gives the same minutes.
  for (let i = ranged.length - 1; i >= 0; i--) assert.deepEqual(b.minute(ranged[i].scope, ranged[i].minute), ranged[i]);
  // Minutes outside the file work too (baseline only), and do not depend on `days`.
  const far = a.start + 100_000;
  assert.deepEqual(a.minute('pos-02', far), new Simulator({ days: 3, seed: 5, scopes: 2, incidents: false }).minute('pos-02', far));
});

test('a different seed gives different counts', () => {
  const a = [...new Simulator({ days: 1, seed: 1 }).range(DEFAULT_START, DEFAULT_START + 60)].map((x) => x.counts);
  const b = [...new Simulator({ days: 1, seed: 2 }).range(DEFAULT_START, DEFAULT_START + 60)].map((x) => x.counts);
  assert.notDeepEqual(a, b);
});

test('every minute carries all statuses and auth codes as non-negative integers; 00 = approved, 51 + 59 = denied', () => {
  for (const x of WITH.range(WITH.start, WITH.start + 300)) {
    assert.deepEqual(Object.keys(x.counts), ['approved', 'denied', 'failed', 'reversed', 'backend_reversed', 'refunded', 'processing']);
    // (JS objects list integer-like keys first: "51", "59", then "00" — compare as a set.)
    assert.deepEqual(Object.keys(x.authCodes).sort(), ['00', '51', '59']);
    for (const v of [...Object.values(x.counts), ...Object.values(x.authCodes)]) assert.ok(Number.isInteger(v) && v >= 0);
    assert.equal(x.authCodes['00'], x.counts.approved);
    assert.equal(x.authCodes['51'] + x.authCodes['59'], x.counts.denied);
  }
});

test('realism over a week at scale 1: approved ≈ 116/min, denied ≈ 6 %, failed rare, night < day, weekend < weekday', () => {
  const sim = new Simulator({ days: 7, seed: 3, incidents: false });
  let n = 0;
  const s: Record<string, number> = {};
  const byHour = new Float64Array(24);
  const hourN = new Float64Array(24);
  const byDay = new Float64Array(7);
  for (const x of sim.range(sim.start, sim.end)) {
    n++;
    for (const [k, v] of Object.entries(x.counts)) s[k] = (s[k] ?? 0) + v;
    const h = Math.floor(minuteOfDay(x.minute) / 60);
    byHour[h] += x.counts.approved;
    hourN[h]++;
    byDay[Math.floor((x.minute - sim.start) / 1440)] += x.counts.approved;
  }
  const mean = (k: string): number => s[k] / n;
  assert.ok(Math.abs(mean('approved') / 116 - 1) < 0.05, `approved ${mean('approved')}`);
  const share = s.denied / total(s);
  assert.ok(share > 0.05 && share < 0.07, `denied share ${share}`);
  assert.ok(Math.abs(mean('denied') - 7.2) < 0.5, `denied ${mean('denied')}`);
  assert.ok(Math.abs(mean('reversed') - 1) < 0.1 && Math.abs(mean('refunded') - 1) < 0.1);
  assert.ok(mean('failed') < 0.2, `failed ${mean('failed')}`);
  assert.ok(mean('backend_reversed') < 0.2, `backend_reversed ${mean('backend_reversed')}`);
  assert.ok(mean('processing') < 0.05);
  const hourly = [...byHour].map((v, h) => v / hourN[h]);
  assert.ok(hourly[4] < 45 && hourly[4] > 18, `4 a.m. ${hourly[4]}`);
  assert.ok(hourly[13] > 3 * hourly[4], `1 p.m. ${hourly[13]} vs 4 a.m. ${hourly[4]}`);
  assert.ok(byDay[6] < byDay[2] * 0.92, 'Sunday below Wednesday');
});

test('denied is overdispersed relative to Poisson, within a stretch of constant rate', () => {
  // Flat rhythm, 2 days: rate changes only by the slow day level (±4 %).
  const sim = new Simulator({ days: 2, seed: 8, rhythm: 'flat', incidents: false });
  const d: number[] = [];
  for (const x of sim.range(sim.start, sim.end)) d.push(x.counts.denied);
  const mean = d.reduce((a, b) => a + b, 0) / d.length;
  const variance = d.reduce((a, b) => a + (b - mean) ** 2, 0) / d.length;
  assert.ok(variance / mean > 1.1, `var/mean ${variance / mean}`);
});

test('a 14-day run has every incident kind, several per day, spread over days and hours, never overlapping', () => {
  const labels = WITH.incidents;
  assert.equal(labels.length, 56);
  for (const kind of INCIDENT_KINDS) assert.ok(labels.filter((l) => l.kind === kind).length >= 6, kind);
  const days = new Set(labels.map((l) => l.start.slice(0, 10)));
  assert.equal(days.size, 14);
  assert.ok(labels.some((l) => new Date(l.start).getUTCHours() < 6), 'night incidents');
  assert.ok(labels.some((l) => l.severity === 'critical') && labels.some((l) => l.severity === 'warning'));
  assert.equal(new Set(labels.map((l) => l.id)).size, labels.length);
  assert.equal(new Set(labels.map((l) => l.scope)).size, 3, 'incidents on every scope');
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    assert.ok(toMin(l.start) >= WITH.start + 60 && toMin(l.end) <= WITH.end, `${l.id} inside the file`);
    assert.ok(toMin(l.end) > toMin(l.start));
    assert.equal(l.expect_alert, l.kind !== 'volume_surge');
    assert.ok(l.statuses.length > 0 && l.description.length > 20);
    if (i > 0) assert.ok(toMin(l.start) >= toMin(labels[i - 1].end) + 20, `${l.id} leaves a quiet gap after ${labels[i - 1].id}`);
  }
  const durations = (k: string): number[] => labels.filter((l) => l.kind === k).map((l) => toMin(l.end) - toMin(l.start));
  assert.ok(Math.min(...durations('slow_drift')) >= 60, 'drifts last an hour or more');
  assert.ok(Math.max(...durations('outage')) <= 20);
});

test('schedules are deterministic by seed', () => {
  assert.deepEqual(new Simulator({ days: 14, seed: 21, scopes: 3 }).incidents, WITH.incidents);
  assert.notDeepEqual(new Simulator({ days: 14, seed: 22, scopes: 3 }).incidents, WITH.incidents);
  assert.deepEqual(WITHOUT.incidents, []);
  assert.equal(new Simulator({ days: 2, seed: 1, incidentsPerDay: 10 }).incidents.length, 20);
});

test('an incident leaves every other scope and minute untouched', () => {
  const l = WITH.incidents.find((x) => x.kind === 'denied_burst') as IncidentLabel;
  const other = WITH.scopes.find((s) => s !== l.scope) as string;
  const m = toMin(l.start) + 3;
  assert.deepEqual(WITH.minute(other, m), WITHOUT.minute(other, m));
  assert.deepEqual(WITH.minute(l.scope, toMin(l.start) - 1), WITHOUT.minute(l.scope, toMin(l.start) - 1));
  assert.deepEqual(WITH.minute(l.scope, toMin(l.end)), WITHOUT.minute(l.scope, toMin(l.end)));
  // Statuses the burst does not touch keep their exact draws.
  assert.equal(WITH.minute(l.scope, m).counts.refunded, WITHOUT.minute(l.scope, m).counts.refunded);
});

const byKind = (k: string): IncidentLabel[] => WITH.incidents.filter((l) => l.kind === k);

test('outage: approved near zero while many are expected', () => {
  for (const l of byKind('outage')) {
    const xs = minutesOf(WITH, l);
    const expected = xs.reduce((s, x) => s + WITH.expected(l.scope, x.minute, false).approved, 0);
    const observed = sum(xs, (x) => x.counts.approved);
    assert.ok(expected / xs.length >= 15, `${l.id}: ${expected / xs.length} approved/min expected`);
    assert.ok(observed <= 0.12 * expected, `${l.id}: ${observed} approved vs ${expected} expected`);
    assert.ok(xs.every((x) => x.present), 'an outage still reports (zeros)');
  }
});

test('silent_scope: no data at all for the labelled minutes, data right before and after', () => {
  for (const l of byKind('silent_scope')) {
    assert.ok(minutesOf(WITH, l).every((x) => !x.present && total(x.counts) === 0), l.id);
    assert.ok(WITH.minute(l.scope, toMin(l.start) - 1).present);
    assert.ok(WITH.minute(l.scope, toMin(l.end)).present);
    assert.deepEqual(l.statuses.length, 7);
  }
});

test('volume_surge: total ×2–3 with the denied share unchanged (and it expects no alert)', () => {
  for (const l of byKind('volume_surge')) {
    assert.equal(l.expect_alert, false);
    const w = minutesOf(WITH, l);
    const wo = minutesOf(WITHOUT, l);
    const ratio = sum(w, (x) => total(x.counts)) / sum(wo, (x) => total(x.counts));
    assert.ok(ratio > 1.6 && ratio < 3.1, `${l.id}: total ×${ratio}`);
    const shareW = sum(w, (x) => x.counts.denied) / sum(w, (x) => total(x.counts));
    const shareWo = sum(wo, (x) => x.counts.denied) / sum(wo, (x) => total(x.counts));
    assert.ok(Math.abs(shareW - shareWo) < 0.012, `${l.id}: denied share ${shareW} vs ${shareWo}`);
  }
});

test('failed_spike: failed jumps to several per minute; outside incidents failed stays rare', () => {
  for (const l of byKind('failed_spike')) {
    const xs = minutesOf(WITH, l);
    assert.ok(sum(xs, (x) => x.counts.failed) / xs.length >= 2.5, `${l.id}: ${sum(xs, (x) => x.counts.failed) / xs.length}/min`);
  }
  let failed = 0;
  let n = 0;
  for (const x of WITH.range(WITH.start, WITH.end)) {
    if (WITH.incidentAt(WITH.indexOf(x.scope), x.minute)) continue;
    failed += x.counts.failed;
    n++;
  }
  assert.ok(failed / n < 0.2, `failed outside incidents ${failed / n}/min`);
});

test('denied_burst: denied several ×, approved down, and the named auth code takes over the mix', () => {
  for (const l of byKind('denied_burst')) {
    const w = minutesOf(WITH, l);
    const wo = minutesOf(WITHOUT, l);
    assert.ok(sum(w, (x) => x.counts.denied) >= 2 * sum(wo, (x) => x.counts.denied), l.id);
    assert.ok(sum(w, (x) => x.counts.approved) < 0.95 * sum(wo, (x) => x.counts.approved), l.id);
    const code = l.description.includes('auth code 59') ? '59' : '51';
    const shareW = sum(w, (x) => x.authCodes[code]) / sum(w, (x) => x.counts.denied);
    const shareWo = sum(wo, (x) => x.authCodes[code]) / Math.max(1, sum(wo, (x) => x.counts.denied));
    assert.ok(shareW > shareWo + 0.15, `${l.id}: code ${code} share ${shareW} vs ${shareWo}`);
  }
});

test('backend_reversed_storm: backend_reversed well above its near-zero baseline', () => {
  for (const l of byKind('backend_reversed_storm')) {
    const xs = minutesOf(WITH, l);
    assert.ok(sum(xs, (x) => x.counts.backend_reversed) / xs.length >= 1.5, l.id);
    if (l.statuses.includes('failed')) assert.ok(sum(xs, (x) => x.counts.failed) / xs.length >= 0.4, `${l.id} failed companion`);
  }
});

test('slow_drift: the status share climbs over time while total volume stays put', () => {
  for (const l of byKind('slow_drift')) {
    const status = l.statuses[0];
    const w = minutesOf(WITH, l);
    const wo = minutesOf(WITHOUT, l);
    const q = Math.floor(w.length / 4);
    const share = (xs: SimulatedMinute[]): number => sum(xs, (x) => x.counts[status]) / sum(xs, (x) => total(x.counts));
    const first = share(w.slice(0, q));
    const last = share(w.slice(-q));
    const base = share(wo);
    assert.ok(last > 1.6 * base, `${l.id}: ${status} share ${last} vs baseline ${base}`);
    assert.ok(last > first * 1.3, `${l.id}: rises (${first} → ${last})`);
    const ratio = sum(w, (x) => total(x.counts)) / sum(wo, (x) => total(x.counts));
    assert.ok(Math.abs(ratio - 1) < 0.05, `${l.id}: total ×${ratio}`);
  }
});

test('one scope: silent_scope is a data gap of "all"', () => {
  const sim = new Simulator({ days: 14, seed: 1 });
  assert.deepEqual(sim.scopes, ['all']);
  const gaps = sim.incidents.filter((l) => l.kind === 'silent_scope');
  assert.ok(gaps.length > 0 && gaps.every((l) => l.scope === 'all' && l.description.startsWith('data gap')));
  assert.equal(sim.minute('all', toMin(gaps[0].start)).present, false);
});

test('demo schedule: first incident within 5 minutes, then one every 10–30 minutes, forever, computed per block', () => {
  const start = 29_123_457;
  const sim = new Simulator({ days: 1, seed: 4, scopes: 4, start, incidentEveryMinutes: 15 });
  const labels = sim.incidents;
  assert.equal(labels.length, 96);
  const first = toMin(labels[0].start) - start;
  assert.ok(first >= 2 && first <= 5, `first at +${first}`);
  assert.notEqual(labels[0].kind, 'volume_surge');
  assert.equal(labels[0].expect_alert, true);
  for (let i = 1; i < labels.length; i++) {
    const gap = toMin(labels[i].start) - toMin(labels[i - 1].start);
    assert.ok(gap >= 5 && gap <= 28, `gap ${gap}`);
    assert.ok(toMin(labels[i].start) >= toMin(labels[i - 1].end), 'no overlap');
  }
  for (const kind of INCIDENT_KINDS) assert.ok(labels.some((l) => l.kind === kind), kind);
  // Far beyond `days` the demo keeps injecting, and any minute is computable on its own.
  const later = sim.incidentsBetween(start + 50_000, start + 50_060);
  assert.ok(later.length >= 3);
  const l = later[1];
  const fresh = new Simulator({ days: 1, seed: 4, scopes: 4, start, incidentEveryMinutes: 15 });
  assert.deepEqual(fresh.minute(l.scope, toMin(l.start)), sim.minute(l.scope, toMin(l.start)));
  assert.deepEqual(fresh.incidentsBetween(start + 50_000, start + 50_060), later);
  // No incident before the demo starts (the demo back-fills clean history).
  assert.equal(sim.incidentAt(0, start - 1), null);
});

test('options are validated with precise errors', () => {
  const bad: Array<[Record<string, unknown>, RegExp]> = [
    [{ days: 0, seed: 1 }, /"days" must be a number > 0 and ≤ 366, got 0/],
    [{ days: 367, seed: 1 }, /"days"/],
    [{ days: Number.NaN, seed: 1 }, /"days"/],
    [{ days: 1, seed: 1.5 }, /"seed" must be an integer from 0 to 4294967295, got 1.5/],
    [{ days: 1, seed: -1 }, /"seed"/],
    [{ days: 1, seed: 1, scopes: 0 }, /"scopes" must be an integer from 1 to 1000/],
    [{ days: 1, seed: 1, volumeScale: 0 }, /"volumeScale"/],
    [{ days: 1, seed: 1, incidentsPerDay: 25 }, /"incidentsPerDay"/],
    [{ days: 1, seed: 1, rhythm: 'weekly' }, /"rhythm" must be "retail", "flat" or "strong", got "weekly"/],
    [{ days: 1, seed: 1, incidentEveryMinutes: 5 }, /"incidentEveryMinutes" must be an integer from 10 to 1440/],
    [{ days: 1, seed: 1, start: -3 }, /"start"/],
  ];
  for (const [opts, msg] of bad) {
    assert.throws(() => new Simulator(opts as never), (err: unknown) => err instanceof TxmonError && err.code === 'TXMON_ERR_BAD_PARAMETER' && msg.test(err.message), JSON.stringify(opts));
  }
  assert.throws(() => WITH.minute('pos-99', WITH.start), (e: unknown) => e instanceof TxmonError && e.code === 'TXMON_ERR_NOT_FOUND');
});
