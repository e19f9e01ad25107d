import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../domain/prng.ts';
import { evalCommand } from './eval.ts';
import { scoreFile } from './score.ts';

const BIN = fileURLToPath(new URL('../../bin/txmon.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MS_DATA = join(ROOT, '../shared/data/ms-cloud-monitoring/data');
const MS_EVAL = join(ROOT, '../shared/tools/ms-eval.mjs');

const dir = mkdtempSync(join(tmpdir(), 'txmon-cli-eval-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}
function run(file: string, ...args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [file, ...args], { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** A labelled hourly series with spikes at `at` (each labelled with the point before it). */
function labelledCsv(seed: number, at: number[], quoted: boolean): string {
  const rng = new Rng(seed);
  const rows = ['TimeStamp,Value,Label'];
  for (let i = 0; i < 800; i++) {
    const x = 50 + 10 * Math.sin((2 * Math.PI * i) / 24) + rng.normal() + (at.includes(i) ? 25 : 0);
    const label = at.includes(i) || at.includes(i + 1) ? 1 : 0;
    const t = new Date(Date.UTC(2018, 6, 1) + i * 3_600_000).toISOString();
    const ts = quoted ? `"${t.slice(0, 19).replace('T', ' ')}"` : t.replace('.000', '');
    rows.push(`${ts},${quoted ? `"${x.toFixed(3)}"` : x.toFixed(3)},${label}`);
  }
  return rows.join('\n') + '\n';
}

const data = join(dir, 'data');
mkdirSync(join(data, 'b'), { recursive: true });
writeFileSync(join(data, 'a.csv'), labelledCsv(1, [300, 500, 700], true));
writeFileSync(join(data, 'b', 'c.csv'), labelledCsv(2, [400], false));

test('txmon eval: per file and corpus metrics, JSON for machines, identical output twice', async () => {
  const [a, b] = await Promise.all([run(BIN, 'eval', data, '--format', 'json'), run(BIN, 'eval', data, '--format', 'json')]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(a.stdout, b.stdout);
  const r = JSON.parse(a.stdout);
  assert.equal(r.files, 2);
  assert.equal(r.rows, 1600);
  assert.equal(r.events, 4);
  assert.equal(typeof r.threshold, 'number');
  assert.equal(r.composite.threshold, r.threshold);
  assert.ok(r.composite.compositeF > 0.5, `composite F ${r.composite.compositeF}`);
  assert.equal(r.eventMetrics.caught + r.eventMetrics.missed, 4);
  assert.deepEqual(
    r.windowed.map((w: { profile: string }) => w.profile),
    ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'],
  );
  for (const w of r.windowed) assert.ok(w.score <= 100 && w.score > 0, `${w.profile}: ${w.score}`);
  assert.deepEqual(
    r.perFile.map((f: { name: string }) => f.name),
    ['a.csv', join('b', 'c.csv')],
  );
  const text = await run(BIN, 'eval', join(data, 'a.csv'), join(data, 'b'));
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^composite F +\d\.\d{3} +\(point precision \d\.\d{3}, event recall \d\.\d{3}/m);
  assert.match(text.stdout, /^threshold +\d\.\d{6}/m);
  assert.match(text.stdout, /^NAB standard +\d+\.\d/m);
  assert.match(text.stdout, /^a\.csv /m);
  assert.match(text.stderr, /eval took/);
});

test('txmon eval --scores measures score files written by txmon score: the same numbers', async () => {
  const scores = join(dir, 'scores');
  for (const rel of ['a.csv', join('b', 'c.csv')]) {
    mkdirSync(dirname(join(scores, rel)), { recursive: true });
    await scoreFile(join(data, rel), join(scores, rel));
  }
  const direct = JSON.parse(evalCommand([data], { format: 'json' }));
  const viaFiles = JSON.parse(evalCommand([data], { format: 'json', scores }));
  assert.equal(viaFiles.composite.compositeF, direct.composite.compositeF);
  assert.equal(viaFiles.threshold, direct.threshold);
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(viaFiles.windowed[i].score - direct.windowed[i].score) < 1e-6);
});

test('txmon eval: bad input fails with exit code 2 and names the file, row and field', async () => {
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, 'TimeStamp,Value,Label\n2018-07-03 14:00:00,1,0\n2018-07-03 15:00:00,2,yes\n');
  const r = await run(BIN, 'eval', bad);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /TXMON_ERR_VALIDATION: .*bad\.csv: row 2: field "label" must be 0 or 1, got "yes"/);
  const missing = await run(BIN, 'eval', join(dir, 'nope'));
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /TXMON_ERR_BAD_PARAMETER: .*nope: no such file or folder/);
  const fmt = await run(BIN, 'eval', data, '--format', 'xml');
  assert.equal(fmt.code, 2);
  assert.match(fmt.stderr, /--format must be "text" or "json"/);
});

const walk = (d: string): string[] => readdirSync(d).sort().flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : f.endsWith('.csv') ? [join(d, f)] : []));

test('the Microsoft corpus: composite F ≥ 0.6 with one threshold, and the team harness agrees', { skip: existsSync(MS_DATA) ? false : `no ${MS_DATA} (the shared data sits at ../shared beside the repository)` }, async () => {
  const r = JSON.parse(evalCommand([MS_DATA], { format: 'json' }));
  assert.equal(r.files, 60);
  assert.equal(r.events, 299);
  assert.ok(r.composite.compositeF >= 0.6, `composite F ${r.composite.compositeF}`);
  if (!existsSync(MS_EVAL)) return;
  const scores = join(dir, 'ms-scores');
  for (const f of walk(MS_DATA)) {
    const out = join(scores, relative(MS_DATA, f));
    mkdirSync(dirname(out), { recursive: true });
    await scoreFile(f, out);
  }
  const ref = await run(MS_EVAL, scores, MS_DATA);
  assert.equal(ref.code, 0, ref.stderr);
  const best = JSON.parse(ref.stdout).best;
  assert.equal(best.fc, Number(r.composite.compositeF.toFixed(3)));
  assert.equal(best.pointPrecision, Number(r.composite.pointPrecision.toFixed(3)));
  assert.equal(best.eventRecall, Number(r.composite.eventRecall.toFixed(3)));
  assert.equal(best.caught, r.eventMetrics.caught);
  assert.equal(best.falseEpisodes, r.eventMetrics.falseEpisodes);
});
