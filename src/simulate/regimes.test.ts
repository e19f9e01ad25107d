// Traffic regimes beyond the defaults (docs/simulate.md): the strong daily rhythm, low volume,
// lasting level shifts, rare statuses — and the pin that keeps the default output byte-identical.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { TxmonError } from '../domain/errors.ts';
import { minuteOfDay } from '../domain/time.ts';
import { INCIDENT_KINDS, LEVEL_SHIFT_WINDOW } from './incidents.ts';
import { deniedMix, expectedRate, rhythmFactor } from './rates.ts';
import { Simulator, type IncidentLabel, type SimulatedMinute } from './simulator.ts';
import { labelsJson, writeSimulation } from './write.ts';

const toMin = (iso: string): number => Date.parse(iso) / 60_000;
const total = (c: Record<string, number>): number => Object.values(c).reduce((a, b) => a + b, 0);

class Collect extends Writable {
  chunks: string[] = [];
  constructor() {
    super({ decodeStrings: false });
  }
  override _write(chunk: string, _enc: BufferEncoding, done: () => void): void {
    this.chunks.push(chunk);
    done();
  }
  get text(): string {
    return this.chunks.join('');
  }
}
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

test('default output is pinned byte for byte (txmon simulate --days 3 --seed 1, with auth codes and labels)', async () => {
  const sim = new Simulator({ days: 3, seed: 1 });
  const counts = new Collect();
  const authCodes = new Collect();
  await writeSimulation(sim, { counts, authCodes });
  assert.equal(sha256(counts.text), 'e91eaf36adb942fb905b25dc73e2321a4ac141332eb345dd48bc165ad13f38d4');
  assert.equal(sha256(authCodes.text), 'bf54e7c5304496474273b69c8d93e9fc22fe333b68139f8b2a1870dd217d6f74');
  assert.equal(sha256(labelsJson(sim)), 'a63a4f79d2f4d943861f6eba6be463961a99b45506c428ee74b9fee1a2807363');
  assert.deepEqual(sim.incidentKinds, INCIDENT_KINDS);
  assert.ok(!sim.incidents.some((l) => l.kind === 'level_shift'), 'level shifts are opt-in');
});

/** Hourly means over a run: approved, denied share of approved + denied, reversed + refunded. */
function hourly(sim: Simulator): { approved: number[]; deniedShare: number[]; after: number[] } {
  const a = new Float64Array(24);
  const d = new Float64Array(24);
  const r = new Float64Array(24);
  const n = new Float64Array(24);
  for (const x of sim.range(sim.start, sim.end)) {
    const h = Math.floor(minuteOfDay(x.minute) / 60);
    a[h] += x.counts.approved;
    d[h] += x.counts.denied;
    r[h] += x.counts.reversed + x.counts.refunded;
    n[h]++;
  }
  return {
    approved: [...a].map((v, h) => v / n[h]),
    deniedShare: [...d].map((v, h) => v / (v + a[h])),
    after: [...r].map((v, h) => v / n[h]),
  };
}

test('strong rhythm: night trough 5–10 % of an evening peak at 19–21 h, a morning ramp, denied share 4 % by day → 9–12 % late evening', () => {
  const sim = new Simulator({ days: 7, seed: 3, rhythm: 'strong', incidents: false });
  const h = hourly(sim);
  const peak = Math.max(...h.approved);
  const peakHour = h.approved.indexOf(peak);
  const trough = Math.min(...h.approved);
  assert.ok(peakHour >= 19 && peakHour <= 21, `peak at ${peakHour} h`);
  assert.ok(trough / peak >= 0.05 && trough / peak <= 0.1, `trough/peak ${trough / peak}`);
  assert.ok(h.approved.indexOf(trough) >= 2 && h.approved.indexOf(trough) <= 5, 'trough in the small hours');
  for (let x = 5; x < 10; x++) assert.ok(h.approved[x + 1] > h.approved[x], `morning ramp ${x} → ${x + 1} h`);
  assert.ok(h.approved[20] > 1.4 * h.approved[14], `evening rise: 20 h ${h.approved[20]} vs 14 h ${h.approved[14]}`);
  // Weekly mean stays ≈ 116 approved/min (BASE_RATES are weekly means under every rhythm).
  const mean = h.approved.reduce((s, v) => s + v, 0) / 24;
  assert.ok(Math.abs(mean / 116 - 1) < 0.06, `mean approved ${mean}`);
  // Denied share moves with the time of day, smoothly.
  for (let x = 9; x <= 15; x++) assert.ok(h.deniedShare[x] > 0.033 && h.deniedShare[x] < 0.048, `${x} h denied share ${h.deniedShare[x]}`);
  for (const x of [22, 23]) assert.ok(h.deniedShare[x] > 0.09 && h.deniedShare[x] < 0.12, `${x} h denied share ${h.deniedShare[x]}`);
  for (let x = 0; x < 24; x++) {
    const step = Math.abs(h.deniedShare[(x + 1) % 24] - h.deniedShare[x]);
    assert.ok(step < 0.02, `denied share jumps ${step} from ${x} h`);
  }
  // Reversed and refunded follow volume: the same hours are high and low.
  const ratio = (x: number): number => h.after[x] / h.approved[x];
  assert.ok(h.after[20] > 5 * h.after[4], `reversed+refunded 20 h ${h.after[20]} vs 4 h ${h.after[4]}`);
  assert.ok(Math.abs(ratio(20) / ratio(11) - 1) < 0.2, 'per approved, about the same by day and evening');
  // Expected rates say the same (the model behind the draws).
  const at = (hh: number): number => sim.start + 2 * 1440 + hh * 60 + 30;
  assert.ok(Math.abs(deniedMix(at(13), 'strong') * 7.2 / 116 - 0.04 / 0.96) < 1e-3);
  assert.equal(deniedMix(at(13), 'retail'), 1);
  assert.ok(Math.abs(expectedRate('denied', at(22), 1, 'strong') / expectedRate('approved', at(22), 1, 'strong') - 0.105 / 0.895) < 1e-3);
  assert.ok(rhythmFactor(at(20), 'strong') / rhythmFactor(at(4), 'strong') > 10);
});

test('strong rhythm is normal traffic: no labels without incidents, and incidents keep their placement rules on top of it', () => {
  assert.deepEqual(new Simulator({ days: 3, seed: 4, rhythm: 'strong', incidents: false }).incidents, []);
  const withInc = new Simulator({ days: 14, seed: 4, rhythm: 'strong' });
  const without = new Simulator({ days: 14, seed: 4, rhythm: 'strong', incidents: false });
  const labels = withInc.incidents;
  assert.equal(labels.length, 56);
  for (const kind of INCIDENT_KINDS) assert.ok(labels.some((l) => l.kind === kind), kind);
  const minutes = (sim: Simulator, l: IncidentLabel): SimulatedMinute[] => {
    const out: SimulatedMinute[] = [];
    for (let m = toMin(l.start); m < toMin(l.end); m++) out.push(sim.minute(l.scope, m));
    return out;
  };
  const sum = (xs: SimulatedMinute[], f: (x: SimulatedMinute) => number): number => xs.reduce((s, x) => s + f(x), 0);
  for (const l of labels) {
    const w = minutes(withInc, l);
    const wo = minutes(without, l);
    if (l.kind === 'outage') {
      const expected = w.reduce((s, x) => s + withInc.expected(l.scope, x.minute, false).approved, 0) / w.length;
      assert.ok(expected >= 15, `${l.id}: outage placed where ≥ 15 approved/min are expected (${expected})`);
    }
    if (l.kind === 'denied_burst') assert.ok(sum(w, (x) => x.counts.denied) >= 2 * sum(wo, (x) => x.counts.denied), `${l.id} at ${l.start}`);
    if (l.kind === 'failed_spike') assert.ok(sum(w, (x) => x.counts.failed) / w.length >= 2.5, `${l.id} at ${l.start}`);
  }
  // Bursts and spikes land in the evening rise too (uniform time of day).
  const evening = labels.filter((l) => ['denied_burst', 'failed_spike'].includes(l.kind) && new Date(l.start).getUTCHours() >= 17);
  assert.ok(evening.length >= 1, 'an evening burst or spike');
});

test('low volume (volumeScale 0.05): a few approved a minute, rare statuses mostly 0, empty minutes at night', () => {
  const sim = new Simulator({ days: 7, seed: 6, volumeScale: 0.05, incidents: false });
  let n = 0;
  let approved = 0;
  const zeros: Record<string, number> = { failed: 0, backend_reversed: 0, processing: 0, reversed: 0, refunded: 0 };
  for (const x of sim.range(sim.start, sim.end)) {
    n++;
    approved += x.counts.approved;
    for (const k of Object.keys(zeros)) if (x.counts[k] === 0) zeros[k]++;
    for (const v of Object.values(x.counts)) assert.ok(Number.isInteger(v) && v >= 0);
  }
  assert.ok(Math.abs(approved / n / (116 * 0.05) - 1) < 0.05, `approved ${approved / n}/min`);
  for (const k of ['failed', 'backend_reversed', 'processing']) assert.ok(zeros[k] / n > 0.99, `${k} zero in ${zeros[k] / n}`);
  for (const k of ['reversed', 'refunded']) assert.ok(zeros[k] / n > 0.9, `${k} zero in ${zeros[k] / n}`);
  // With the strong rhythm, whole minutes are empty at night.
  const night = new Simulator({ days: 1, seed: 6, volumeScale: 0.05, rhythm: 'strong', incidents: false });
  let empty = 0;
  for (const x of night.range(night.start + 180, night.start + 360)) if (total(x.counts) === 0) empty++;
  assert.ok(empty > 60, `${empty} of 180 minutes empty between 3 and 6 h`);
  // Incidents still place and stay recognisable (floors of a few per minute).
  const inc = new Simulator({ days: 7, seed: 6, volumeScale: 0.05 });
  for (const l of inc.incidents.filter((x) => x.kind === 'failed_spike')) {
    let failed = 0;
    for (let m = toMin(l.start); m < toMin(l.end); m++) failed += inc.minute(l.scope, m).counts.failed;
    assert.ok(failed / (toMin(l.end) - toMin(l.start)) >= 2, `${l.id}: failed ${failed}`);
  }
});

test('level_shift: opt-in; from its onset the volume (every status) changes by the drawn factor and stays, labelled for its first 30 min only', () => {
  const kinds = ['level_shift', 'denied_burst', 'failed_spike'] as const;
  const sim = new Simulator({ days: 14, seed: 9, scopes: 2, incidentKinds: kinds });
  const plain = new Simulator({ days: 14, seed: 9, scopes: 2, incidents: false });
  const shifts = sim.incidents.filter((l) => l.kind === 'level_shift');
  assert.ok(shifts.length >= 15, `${shifts.length} shifts`);
  assert.deepEqual([...new Set(sim.incidents.map((l) => l.kind))].sort(), [...kinds].sort());
  for (const l of shifts) {
    assert.equal(toMin(l.end) - toMin(l.start), LEVEL_SHIFT_WINDOW);
    assert.equal(l.expect_alert, true);
    assert.match(l.description, /^level shift: all statuses ×\d\.\d\d from here to the end of the file .* later alerts on it are false/);
  }
  // Up and down shifts both occur, factors in [0.4, 2.5]·level range, and the level compounds.
  for (const si of [0, 1]) {
    const scope = sim.scopes[si];
    const mine = shifts.filter((l) => l.scope === scope);
    let level = 1;
    for (const l of mine) {
      const factor = Number(/×(\d\.\d\d)/.exec(l.description)![1]);
      assert.ok((factor >= 0.5 && factor <= 0.75) || (factor >= 1.3 && factor <= 2), `${l.id} ×${factor}`);
      const s = toMin(l.start);
      assert.equal(sim.levelAt(si, s - 1), level, `${l.id}: level before`);
      const after = sim.levelAt(si, s + 10);
      assert.ok(Math.abs(after / level / factor - 1) < 0.01, `${l.id}: level ${level} → ${after}, ×${factor}`);
      level = after;
      assert.ok(level >= 0.4 && level <= 2.5, `${l.id}: level ${level}`);
    }
  }
  assert.ok(shifts.some((l) => /×0\./.test(l.description)) && shifts.some((l) => /×1\./.test(l.description)), 'ups and downs');
  // Counts follow: before the first shift of a scope, identical; over the day after a shift (outside
  // other incidents), total ≈ level × the unshifted total, shares unchanged.
  const first = shifts[0];
  const si = sim.indexOf(first.scope);
  assert.deepEqual(sim.minute(first.scope, toMin(first.start) - 1), plain.minute(first.scope, toMin(first.start) - 1));
  const next = shifts.find((l) => l.scope === first.scope && l !== first);
  const from = toMin(first.start) + LEVEL_SHIFT_WINDOW;
  const to = next ? toMin(next.start) : sim.end;
  let w = 0;
  let wo = 0;
  let dw = 0;
  let dwo = 0;
  for (let m = from; m < to; m++) {
    if (sim.incidentAt(si, m)) continue;
    const a = sim.minute(first.scope, m).counts;
    const b = plain.minute(first.scope, m).counts;
    w += total(a);
    wo += total(b);
    dw += a.denied;
    dwo += b.denied;
  }
  const level = sim.levelAt(si, from);
  assert.ok(Math.abs(w / wo / level - 1) < 0.03, `total ×${w / wo} vs level ${level}`);
  assert.ok(Math.abs(dw / w - dwo / wo) < 0.004, `denied share ${dw / w} vs ${dwo / wo}`);
  // Incidents after a shift see the shifted level (their labels quote shifted numbers).
  assert.ok(Math.abs(sim.expected(first.scope, from + 60, false).approved / plain.expected(first.scope, from + 60, false).approved - level) < 1e-9);
  // Deterministic.
  assert.deepEqual(new Simulator({ days: 14, seed: 9, scopes: 2, incidentKinds: kinds }).incidents, sim.incidents);
});

test('level_shift mixed into the default deck: every kind still appears, incidents never overlap', () => {
  const sim = new Simulator({ days: 14, seed: 2, incidentKinds: [...INCIDENT_KINDS, 'level_shift'] });
  const labels = sim.incidents;
  for (const kind of [...INCIDENT_KINDS, 'level_shift']) assert.ok(labels.filter((l) => l.kind === kind).length >= 5, kind);
  for (let i = 1; i < labels.length; i++) assert.ok(toMin(labels[i].start) >= toMin(labels[i - 1].end) + 20);
  const doc = JSON.parse(labelsJson(sim)) as { simulation: Record<string, unknown> };
  assert.deepEqual(doc.simulation.incidentKinds, [...INCIDENT_KINDS, 'level_shift']);
});

test('rare statuses: normal traffic, mostly 0, sometimes 1–2 in a minute, without touching the other counts', () => {
  const sim = new Simulator({ days: 14, seed: 5, rareStatuses: [{ status: 'chargeback', perMinute: 0.002 }] });
  const plain = new Simulator({ days: 14, seed: 5 });
  assert.deepEqual(sim.statuses, [...plain.statuses, 'chargeback']);
  assert.deepEqual(sim.incidents, plain.incidents, 'no labels for it');
  const byCount = new Map<number, number>();
  let n = 0;
  for (let m = sim.start; m < sim.end; m++) {
    const x = sim.minute('all', m);
    const y = plain.minute('all', m);
    const { chargeback, ...rest } = x.counts;
    assert.deepEqual(rest, y.counts);
    assert.equal(x.present, y.present);
    if (!x.present) assert.equal(chargeback, 0);
    byCount.set(chargeback, (byCount.get(chargeback) ?? 0) + 1);
    n++;
  }
  const events = [...byCount].reduce((s, [k, v]) => s + k * v, 0);
  assert.ok(events / n > 0.0015 && events / n < 0.0035, `${events} chargebacks in ${n} minutes`);
  assert.ok((byCount.get(0) ?? 0) / n > 0.99);
  assert.ok((byCount.get(1) ?? 0) > 10 && (byCount.get(2) ?? 0) >= 1, JSON.stringify([...byCount]));
  assert.ok(Math.abs(sim.expected('all', sim.start).chargeback - 0.0025) < 1e-12);
  const doc = JSON.parse(labelsJson(sim)) as { simulation: Record<string, unknown> };
  assert.deepEqual(doc.simulation.rareStatuses, [{ status: 'chargeback', perMinute: 0.002 }]);
});

test('new options are validated with precise errors', () => {
  const bad: Array<[Record<string, unknown>, RegExp]> = [
    [{ incidentKinds: [] }, /"incidentKinds" must be a non-empty list of distinct incident kinds from failed_spike, .*, level_shift, got \[\]/],
    [{ incidentKinds: ['level_shift', 'spike'] }, /"incidentKinds" must be .* got "spike"/],
    [{ incidentKinds: ['outage', 'outage'] }, /"incidentKinds" must be .* got "outage"/],
    [{ incidentKinds: ['outage'], incidentEveryMinutes: 15 }, /"incidentKinds" must be left unset with incidentEveryMinutes/],
    [{ rareStatuses: [{ status: 'Charge back', perMinute: 0.01 }] }, /"rareStatuses\[0\]\.status" must be a lower-case name/],
    [{ rareStatuses: [{ status: 'denied', perMinute: 0.01 }] }, /"rareStatuses\[0\]\.status" must be a status not already simulated/],
    [{ rareStatuses: [{ status: 'chargeback', perMinute: 0 }] }, /"rareStatuses\[0\]\.perMinute" must be a number > 0 and ≤ 1, got 0/],
    [{ rareStatuses: [{ status: 'a', perMinute: 0.1 }, { status: 'a', perMinute: 0.1 }] }, /"rareStatuses\[1\]\.status" must be a status not already simulated/],
    [{ rareStatuses: 'chargeback' }, /"rareStatuses" must be a list of at most 8/],
  ];
  for (const [extra, msg] of bad) {
    assert.throws(() => new Simulator({ days: 1, seed: 1, ...extra } as never), (err: unknown) => err instanceof TxmonError && err.code === 'TXMON_ERR_BAD_PARAMETER' && msg.test(err.message), JSON.stringify(extra));
  }
});
