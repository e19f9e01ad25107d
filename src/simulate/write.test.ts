import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Simulator } from './simulator.ts';
import { csvTimestamp, labelsJson, writeSimulation, writeSimulationFiles } from './write.ts';

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
