import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Simulator } from '../simulate/simulator.ts';
import { labelsJson, writeSimulationFiles } from '../simulate/write.ts';
import { formatSummary, runBacktest, runEngine, simulatedMinutes, type AlertEvent } from './backtest.ts';
import { parseLabels } from './labels.ts';
import { evaluateDetection } from './metrics.ts';

const dir = mkdtempSync(join(tmpdir(), 'txmon-backtest-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

// Two days, one scope, eight incidents (several kinds): small enough to run in about a second.
const sim = new Simulator({ days: 2, seed: 5 });
const counts = join(dir, 'counts.csv');
const codes = join(dir, 'codes.csv');
const ready = writeSimulationFiles(sim, { counts, authCodes: codes });

test('a run over a file: events are firing/resolved pairs in time order; the same bytes twice; equal to the in-process simulation', async () => {
  await ready;
  const collect = async (): Promise<{ events: AlertEvent[]; text: string }> => {
    const events: AlertEvent[] = [];
    const run = await runBacktest({ file: counts, authCodes: codes, onEvent: (e) => events.push(e) });
    const ev = evaluateDetection(run.alerts, parseLabels(labelsJson(sim)));
    return { events, text: formatSummary(run, ev) };
  };
  const a = await collect();
  const b = await collect();
  assert.ok(a.events.length > 0, 'the simulated incidents raise alerts');
  assert.equal(JSON.stringify(a.events), JSON.stringify(b.events));
  assert.equal(a.text, b.text);
  assert.match(a.text, /recall {5}\d\.\d{3} \(\d+\/\d+ incidents detected\)/);

  const firing = new Map<number, string>();
  let lastAt = '';
  for (const e of a.events) {
    assert.ok(e.status === 'firing' || e.status === 'resolved');
    assert.ok(e.at >= lastAt, 'events in time order');
    lastAt = e.at;
    assert.equal(e.labels.alertname, e.alert);
    assert.ok(typeof e.score === 'number' && typeof e.explanation === 'string' && e.explanation.length > 0);
    if (e.status === 'firing') {
      assert.ok(!firing.has(e.id), 'fires once per alert');
      firing.set(e.id, e.at);
    } else {
      assert.ok(firing.has(e.id), 'resolved only after firing');
      assert.ok(e.at > firing.get(e.id)!);
      firing.delete(e.id);
    }
  }

  const inProcess: AlertEvent[] = [];
  await runEngine(simulatedMinutes(sim, { authCodes: true }), { onEvent: (e) => inProcess.push(e) });
  assert.equal(JSON.stringify(inProcess), JSON.stringify(a.events), 'the in-process simulation gives what its files give');
});

test('a file not in time order restarts in buffer order and gives the same events as the sorted file', async () => {
  await ready;
  const lines = readFileSync(counts, 'utf8').trimEnd().split('\n');
  const header = lines.shift()!;
  // Sorted by status, then time — the layout of the real export.
  const byStatus = lines.map((l) => l.split(',')).sort((x, y) => (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  const shuffled = join(dir, 'by-status.csv');
  writeFileSync(shuffled, [header, ...byStatus.map((f) => f.join(','))].join('\n') + '\n');
  const sorted: AlertEvent[] = [];
  await runBacktest({ file: counts, onEvent: (e) => sorted.push(e) });
  let restarts = 0;
  let got: AlertEvent[] = [];
  const run = await runBacktest({ file: shuffled, onEvent: (e) => got.push(e), onRestart: () => { restarts++; got = []; } });
  assert.equal(restarts, 1);
  assert.equal(run.order.counts, 'buffer');
  assert.equal(JSON.stringify(got), JSON.stringify(sorted));
  await assert.rejects(runBacktest({ file: shuffled, order: 'stream' }), /streaming needs rows in time order/);
});

test('a data gap of the only scope is judged while it lasts (the virtual clock ticks through it)', async () => {
  // A 1-day flat simulation without incidents, then a 40-minute hole in the afternoon.
  const quiet = new Simulator({ days: 1, seed: 9, incidents: false, rhythm: 'flat' });
  const gapFrom = quiet.start + 900;
  const gapTo = gapFrom + 40;
  const groups = [...simulatedMinutes(quiet)].filter((g) => g.minute < gapFrom || g.minute >= gapTo);
  const events: AlertEvent[] = [];
  const run = await runEngine(groups, { onEvent: (e) => events.push(e) });
  const silence = events.find((e) => e.status === 'firing' && (e.labels.metric === 'no_data' || e.alert === 'no_data'));
  assert.ok(silence, `a no-data alert fires (got ${events.map((e) => e.alert).join(', ') || 'nothing'})`);
  const at = Date.parse(silence.at) / 60_000;
  assert.ok(at > gapFrom && at < gapTo, `it fires during the gap (at minute ${at - gapFrom} of 40)`);
  assert.equal(run.minutes, 1440 - 40);
});

test('rows are the rows read from the file: the zero-fill of a sparse export is not counted as input', async () => {
  const file = join(dir, 'export.csv');
  // 3 minutes, 4 rows; 00h 01 has no row at all, denied appears only at 00h 02.
  writeFileSync(file, 'time,status,f0_\n00h 00,approved,9\n00h 02,approved,7\n00h 02,denied,1\n00h 03,approved,8\n');
  const run = await runBacktest({ file, date: '2025-07-12' });
  assert.equal(run.fileRows, 4);
  assert.ok(run.countRows > run.fileRows, `zero-filled rows handed to the engine: ${run.countRows}`);
});
