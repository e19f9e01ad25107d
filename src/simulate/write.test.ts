import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TxmonError } from '../domain/errors.ts';
import type { MinuteCount } from '../domain/types.ts';
import { batchesByMinute, readBatchFile } from '../sources/file.ts';
import { mergeMinutes, readMinutes, type MinuteRows } from '../sources/stream.ts';
import { DEFAULT_START, Simulator } from './simulator.ts';
import { csvTimestamp, exportTime, labelsJson, writeSimulation, writeSimulationFiles } from './write.ts';

/** A Writable that keeps what it receives and applies backpressure (tiny buffer). */
class Collect extends Writable {
  chunks: string[] = [];
  writes = 0;
  constructor() {
    super({ highWaterMark: 1024, decodeStrings: false });
  }
  override _write(chunk: string, _enc: BufferEncoding, done: () => void): void {
    this.chunks.push(chunk);
    this.writes++;
    setImmediate(done);
  }
  get text(): string {
    return this.chunks.join('');
  }
}

async function csv(opts: ConstructorParameters<typeof Simulator>[0]): Promise<{ counts: string; auth: string; sim: Simulator }> {
  const sim = new Simulator(opts);
  const counts = new Collect();
  const authCodes = new Collect();
  await writeSimulation(sim, { counts, authCodes });
  return { counts: counts.text, auth: authCodes.text, sim };
}

test('csvTimestamp is YYYY-MM-DD HH:MM:SS in UTC', () => {
  assert.equal(csvTimestamp(Date.UTC(2025, 6, 12, 13, 45) / 60_000), '2025-07-12 13:45:00');
  assert.equal(csvTimestamp(0), '1970-01-01 00:00:00');
});

test('one scope: timestamp,status,count with every status every minute, zeros included', async () => {
  const { counts, auth, sim } = await csv({ days: 0.25, seed: 3, incidents: false });
  const lines = counts.trimEnd().split('\n');
  assert.equal(lines[0], 'timestamp,status,count');
  assert.equal(lines.length - 1, 360 * 7);
  assert.deepEqual(lines.slice(1, 8).map((l) => l.split(',')[1]), ['approved', 'denied', 'failed', 'reversed', 'backend_reversed', 'refunded', 'processing']);
  for (const line of lines.slice(1)) assert.match(line, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:00,[a-z_]+,\d+$/);
  assert.ok(lines.some((l) => l.endsWith(',failed,0')), 'zeros are written');
  // Rows match the simulator's minutes.
  const first = sim.minute('all', sim.start);
  assert.equal(lines[1], `2025-07-14 00:00:00,approved,${first.counts.approved}`);
  assert.equal(lines[2], `2025-07-14 00:00:00,denied,${first.counts.denied}`);
  const codes = auth.trimEnd().split('\n');
  assert.equal(codes[0], 'timestamp,auth_code,count');
  assert.deepEqual(codes.slice(1, 4), [
    `2025-07-14 00:00:00,00,${first.authCodes['00']}`,
    `2025-07-14 00:00:00,51,${first.authCodes['51']}`,
    `2025-07-14 00:00:00,59,${first.authCodes['59']}`,
  ]);
  assert.equal(codes.length - 1, 360 * 3);
});

test('several scopes: a scope column, scopes in order within each minute, silent minutes skipped', async () => {
  const { counts, auth, sim } = await csv({ days: 2, seed: 5, scopes: 3, incidentsPerDay: 8 });
  const lines = counts.trimEnd().split('\n');
  assert.equal(lines[0], 'timestamp,status,count,scope');
  assert.deepEqual(lines.slice(1, 22).map((l) => l.split(',')[3]), [...Array(7).fill('pos-01'), ...Array(7).fill('pos-02'), ...Array(7).fill('pos-03')]);
  assert.equal(auth.split('\n')[0], 'timestamp,auth_code,count,scope');
  const silent = sim.incidents.filter((l) => l.kind === 'silent_scope');
  assert.ok(silent.length > 0);
  const silentMinutes = silent.reduce((s, l) => s + (Date.parse(l.end) - Date.parse(l.start)) / 60_000, 0);
  assert.equal(lines.length - 1, (2880 * 3 - silentMinutes) * 7);
  const gap = silent[0];
  const ts = csvTimestamp(Date.parse(gap.start) / 60_000);
  assert.ok(!lines.some((l) => l.startsWith(ts) && l.endsWith(',' + gap.scope)), 'no rows for a silent scope-minute');
  assert.ok(lines.some((l) => l.startsWith(ts)), 'the other scopes still report');
});

test('same seed → same bytes; different seed → different bytes', async () => {
  const a = await csv({ days: 0.5, seed: 11, scopes: 2 });
  const b = await csv({ days: 0.5, seed: 11, scopes: 2 });
  const c = await csv({ days: 0.5, seed: 12, scopes: 2 });
  assert.equal(a.counts, b.counts);
  assert.equal(a.auth, b.auth);
  assert.notEqual(a.counts, c.counts);
  assert.equal(labelsJson(a.sim), labelsJson(b.sim));
});

test('writing respects backpressure (many small writes, none lost)', async () => {
  const sim = new Simulator({ days: 3, seed: 1, scopes: 4 });
  const counts = new Collect();
  const summary = await writeSimulation(sim, { counts });
  const rows = counts.text.trimEnd().split('\n').length - 1;
  assert.equal(rows, summary.countRows);
  assert.equal(summary.scopeMinutes + summary.silentScopeMinutes, 3 * 1440 * 4);
  assert.equal(summary.authCodeRows, 0);
  assert.ok(counts.writes > 5, 'chunked');
});

test('labels JSON lists every incident with the agreed fields', () => {
  const sim = new Simulator({ days: 3, seed: 2, scopes: 2 });
  const doc = JSON.parse(labelsJson(sim)) as { incidents: Array<Record<string, unknown>>; simulation: Record<string, unknown> };
  assert.equal(doc.incidents.length, sim.incidents.length);
  assert.deepEqual(Object.keys(doc.incidents[0]), ['id', 'start', 'end', 'statuses', 'kind', 'scope', 'expect_alert', 'severity', 'description']);
  for (const i of doc.incidents) {
    assert.match(String(i.start), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\.000Z$/);
    assert.ok(Date.parse(String(i.end)) > Date.parse(String(i.start)));
  }
  assert.equal(doc.simulation.seed, 2);
  assert.deepEqual(doc.simulation.scopes, ['pos-01', 'pos-02']);
});

test('writeSimulationFiles writes and closes the three files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'txmon-sim-'));
  try {
    const sim = new Simulator({ days: 0.5, seed: 4 });
    const files = { counts: join(dir, 'c.csv'), authCodes: join(dir, 'a.csv'), labels: join(dir, 'l.json') };
    const summary = await writeSimulationFiles(sim, files);
    const counts = readFileSync(files.counts, 'utf8');
    assert.equal(counts.trimEnd().split('\n').length - 1, summary.countRows);
    assert.equal(readFileSync(files.authCodes, 'utf8').trimEnd().split('\n').length - 1, summary.authCodeRows);
    assert.equal(readFileSync(files.labels, 'utf8'), labelsJson(sim));
    await assert.rejects(writeSimulationFiles(sim, { counts: join(dir, 'missing', 'c.csv') }), /ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('exportTime is HHh MM of the UTC day', () => {
  assert.equal(exportTime(Date.UTC(2025, 6, 14, 0, 0) / 60_000), '00h 00');
  assert.equal(exportTime(Date.UTC(2025, 6, 14, 14, 5) / 60_000), '14h 05');
  assert.equal(exportTime(Date.UTC(2025, 6, 14, 23, 59) / 60_000), '23h 59');
});

test('export layout: time,status,f0_ with HHh MM, rows only for counts > 0, sparse at night; read back to the same counts with --date', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'txmon-sim-export-'));
  try {
    const sim = new Simulator({ days: 1, seed: 12, rhythm: 'strong', volumeScale: 0.1, incidentsPerDay: 3, rareStatuses: [{ status: 'chargeback', perMinute: 0.01 }] });
    const files = { counts: join(dir, 'day.csv'), authCodes: join(dir, 'day_a.csv'), labels: join(dir, 'day.json') };
    const summary = await writeSimulationFiles(sim, files, { format: 'export' });
    const lines = readFileSync(files.counts, 'utf8').trimEnd().split('\n');
    assert.equal(lines[0], 'time,status,f0_');
    assert.equal(lines.length - 1, summary.countRows);
    for (const line of lines.slice(1)) assert.match(line, /^\d{2}h \d{2},[a-z_]+,[1-9]\d*$/);
    const minutesWithRows = new Set(lines.slice(1).map((l) => l.slice(0, 6)));
    assert.ok(minutesWithRows.size < 1440, `${1440 - minutesWithRows.size} minutes without any row`);
    const night = lines.filter((l) => /^0[3-5]h/.test(l)).length;
    assert.ok(night < 180 * 2, `${night} rows between 3 and 6 h (sparse)`);
    assert.ok(lines.some((l) => l.includes(',chargeback,')), 'rare status rows');
    const auth = readFileSync(files.authCodes, 'utf8').trimEnd().split('\n');
    assert.equal(auth[0], 'time,auth_code,f0_');
    assert.equal(auth.length - 1, summary.authCodeRows);
    assert.ok(auth.slice(1).every((l) => /^\d{2}h \d{2},(00|51|59),[1-9]\d*$/.test(l)));
    const doc = JSON.parse(readFileSync(files.labels, 'utf8')) as { incidents: unknown[]; simulation: Record<string, unknown> };
    assert.equal(doc.simulation.format, 'export');
    assert.equal(doc.simulation.date, '2025-07-14');
    assert.equal(doc.incidents.length, 3);
    // Read back as `txmon backtest FILE --date 2025-07-14` reads it: every minute from the first row
    // to the last is there (absent pairs = 0), with the simulator's counts.
    const got = new Map<number, Map<string, number>>();
    for await (const g of readMinutes(files.counts, { date: '2025-07-14' })) {
      got.set(g.minute, new Map(g.counts.map((c) => [c.status, c.count])));
    }
    const mins = [...got.keys()];
    assert.deepEqual(mins, Array.from({ length: mins[mins.length - 1] - mins[0] + 1 }, (_, i) => mins[0] + i), 'every minute between first and last');
    assert.ok(mins[0] >= sim.start && mins[mins.length - 1] < sim.end);
    for (let m = sim.start; m < sim.end; m++) {
      const x = sim.minute('all', m);
      for (const status of sim.statuses) assert.equal(got.get(m)?.get(status) ?? 0, x.counts[status], `${csvTimestamp(m)} ${status}`);
    }
    const codes = new Map<string, number>();
    for await (const g of readMinutes(files.authCodes, { date: '2025-07-14' })) for (const c of g.authCodes) codes.set(`${g.minute}|${c.authCode}`, c.count);
    for (let m = sim.start + 600; m < sim.start + 660; m++) {
      const x = sim.minute('all', m);
      for (const code of ['00', '51', '59']) assert.equal(codes.get(`${m}|${code}`) ?? 0, x.authCodes[code]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('export layout: one scope and one UTC day, else a precise error before any file is written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'txmon-sim-export-'));
  try {
    const path = join(dir, 'x.csv');
    const cases: Array<[Simulator, RegExp]> = [
      [new Simulator({ days: 1, seed: 1, scopes: 2 }), /^option "format" "export" needs one scope, got 2 scopes$/],
      [new Simulator({ days: 2, seed: 1 }), /^option "format" "export" needs a range inside one UTC day .*, got 2025-07-14T00:00:00.000Z → 2025-07-16T00:00:00.000Z$/],
      [new Simulator({ days: 1, seed: 1, start: DEFAULT_START + 60 }), /inside one UTC day/],
    ];
    for (const [sim, msg] of cases) {
      await assert.rejects(writeSimulationFiles(sim, { counts: path }, { format: 'export' }), (err: unknown) => err instanceof TxmonError && err.code === 'TXMON_ERR_BAD_PARAMETER' && msg.test(err.message));
      assert.ok(!existsSync(path), 'no file created');
    }
    await assert.rejects(writeSimulationFiles(new Simulator({ days: 1, seed: 1 }), { counts: path }, { format: 'tsv' as never }), /option "format" must be "csv" or "export", got "tsv"/);
    // Part of a day is fine.
    const half = new Simulator({ days: 0.5, seed: 1, start: DEFAULT_START + 720 });
    await writeSimulationFiles(half, { counts: path }, { format: 'export' });
    assert.match(readFileSync(path, 'utf8').split('\n')[1], /^12h 00,approved,\d+$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('csv layout with a rare status: one more row per present scope-minute, zeros included', async () => {
  const { counts, sim } = await csv({ days: 0.25, seed: 3, incidents: false, rareStatuses: [{ status: 'chargeback', perMinute: 0.002 }] });
  const lines = counts.trimEnd().split('\n');
  assert.equal(lines.length - 1, 360 * 8);
  assert.deepEqual(lines.slice(1, 9).map((l) => l.split(',')[1]), [...sim.statuses]);
  assert.equal(lines[8], `2025-07-14 00:00:00,chargeback,${sim.minute('all', sim.start).counts.chargeback}`);
});

test('multi-scope simulated file: the streaming reader equals the whole-file parser row for row, auth codes merged by minute', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'txmon-sim-stream-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const sim = new Simulator({ days: 0.25, seed: 11, scopes: 3 });
  const p = join(dir, 'sim.csv');
  const a = join(dir, 'sim-auth.csv');
  await writeSimulationFiles(sim, { counts: p, authCodes: a });
  const groups: MinuteRows[] = [];
  for await (const g of readMinutes(p, { chunkBytes: 4096 })) groups.push(g);
  const rows = (cs: MinuteCount[]): string[] => cs.map((c) => `${c.scope}|${c.status}|${c.count}`).sort();
  const ref = batchesByMinute(readBatchFile(p).batch);
  assert.deepEqual(groups.map((g) => g.minute), ref.map((r) => r.minute));
  groups.forEach((g, i) => assert.deepEqual(rows(g.counts), rows(ref[i].batch.counts), `minute ${g.minute}`));
  assert.equal(groups.reduce((s, g) => s + g.counts.length, 0), sim.scopes.length * 360 * 7);
  const merged: MinuteRows[] = [];
  for await (const g of mergeMinutes(readMinutes(p), readMinutes(a, { kind: 'auth-codes' }))) merged.push(g);
  assert.equal(merged.length, groups.length);
  assert.equal(merged.reduce((s, g) => s + g.authCodes.length, 0), readBatchFile(a).batch.authCodes.length);
  assert.ok(merged.every((g) => g.authCodes.every((c) => c.minute === g.minute)));
});
