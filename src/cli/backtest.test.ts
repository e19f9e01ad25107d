import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TxmonError } from '../domain/errors.ts';
import { Simulator } from '../simulate/simulator.ts';
import { writeSimulationFiles } from '../simulate/write.ts';
import { backtestCommand, type BacktestCliOptions } from './backtest.ts';

const BIN = fileURLToPath(new URL('../../bin/txmon.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'txmon-cli-backtest-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

interface Result { code: number; stdout: string; stderr: string }
function txmon(...args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const counts = join(dir, 'counts.csv');
const codes = join(dir, 'codes.csv');
const labels = join(dir, 'labels.json');
const ready = writeSimulationFiles(new Simulator({ days: 1.5, seed: 3 }), { counts, authCodes: codes, labels });

test('backtest CLI end to end: events NDJSON with the required fields, identical bytes twice, labelled summary', async () => {
  await ready;
  const [a, b] = await Promise.all(['a', 'b'].map((n) => txmon('backtest', counts, '--auth-codes', codes, '--labels', labels, '--events-out', join(dir, `${n}.ndjson`), '--no-progress')));
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(a.stdout, b.stdout, 'stdout is deterministic');
  const bytesA = readFileSync(join(dir, 'a.ndjson'));
  assert.ok(bytesA.equals(readFileSync(join(dir, 'b.ndjson'))), 'the events file is deterministic');
  assert.match(a.stderr, /backtest took [\d.]+ s/, 'timing goes to stderr');
  assert.doesNotMatch(a.stdout, /took|rows\/s/);

  const lines = bytesA.toString('utf8').split('\n').filter(Boolean);
  assert.ok(lines.length > 0, 'the simulated incidents raise alerts');
  for (const line of lines) {
    const e = JSON.parse(line) as Record<string, unknown>;
    assert.match(String(e.at), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.equal(typeof e.alert, 'string');
    assert.ok(e.status === 'firing' || e.status === 'resolved', String(e.status));
    assert.ok(['info', 'warning', 'critical'].includes(String(e.severity)));
    assert.ok(e.labels !== null && typeof e.labels === 'object');
    assert.equal(typeof e.score, 'number');
    assert.equal(typeof e.explanation, 'string');
  }
  assert.match(a.stdout, /^alerts +\d+ fired/m);
  assert.match(a.stdout, /^ {2}alert-minutes \d+; episodes \d+$/m);
  assert.match(a.stdout, /^recall +\d\.\d{3} /m);
  assert.match(a.stdout, /^precision +(\d\.\d{3}|n\/a) /m);
  assert.match(a.stdout, /^F1 /m);
  assert.match(a.stdout, /^delay +median/m);
  assert.match(a.stdout, /^false-alert episodes \d+/m);
  assert.match(a.stdout, /^alerts on legitimate surges \d+ episodes$/m);
  assert.match(a.stdout, /^per kind$/m);
});

test('backtest CLI: bad input fails with a clear message and a non-zero exit', async () => {
  await ready;
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"incidents": [ {"id": "x", ');
  // Two through the real binary (exit code, stderr), two at a time: process start-up dominates.
  const spawned: Array<[string[], RegExp]> = [
    [['backtest', join(dir, 'missing.csv')], /^txmon: TXMON_ERR_BAD_PARAMETER: cannot read file ".*missing\.csv"/],
    [['backtest', counts, '--labels', bad], /^txmon: TXMON_ERR_BAD_JSON: .*bad\.json: not valid JSON/],
  ];
  const results = await Promise.all(spawned.map(([args]) => txmon(...args, '--no-progress')));
  results.forEach((r, i) => {
    assert.notEqual(r.code, 0, `${spawned[i][0].join(' ')} must fail`);
    assert.match(r.stderr, spawned[i][1]);
    assert.equal(r.stdout, '');
  });
  // The rest in process: the same function the command runs.
  const inProcess: Array<[BacktestCliOptions, RegExp]> = [
    [{ date: '2025-7-1' }, /^--date must be YYYY-MM-DD, got "2025-7-1"$/],
    [{ labels: join(dir, 'nope.json') }, /^--labels: cannot read ".*nope\.json"/],
    [{ match: 'rule' }, /^--match must be "scope" or "status"/],
    [{ maxEpisodes: '-1' }, /^--max-episodes must be an integer/],
    [{ config: join(dir, 'nope.yaml') }, /cannot read config file/],
    [{ eventsOut: join(dir, 'no-such-dir', 'e.ndjson') }, /^--events-out: cannot write/],
  ];
  for (const [opts, message] of inProcess) {
    await assert.rejects(backtestCommand(counts, { ...opts, progress: false }), (err: unknown) => {
      assert.ok(err instanceof TxmonError, String(err));
      assert.match(err.message, message);
      return true;
    });
  }
});
