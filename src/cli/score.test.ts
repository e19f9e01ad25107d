/** The `txmon score` command: files in, files out, exit codes (the scorer itself: eval/score.test.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Rng } from '../domain/prng.ts';
import { scoreCsvText } from '../eval/score.ts';
import { scoreFile } from './score.ts';

/** Noise around 10 with a level shift of +4 from record 3000: something for the scorer to find. */
function shiftedSeries(n: number): number[] {
  const rng = new Rng(4);
  return Array.from({ length: n }, (_, i) => 10 + rng.normal() + (i >= 3000 ? 4 : 0));
}

function toCsv(xs: number[], ts: (i: number) => string): string {
  return ['timestamp,value', ...xs.map((x, i) => `${ts(i)},${x.toFixed(4)}`)].join('\n') + '\n';
}

test('CLI: txmon score writes the scores; a bad file leaves no output behind', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'txmon-score-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const xs = shiftedSeries(3500);
  const input = join(dir, 'series.csv');
  const output = join(dir, 'scores.csv');
  await writeFile(input, toCsv(xs, (i) => String(1396310400 + i * 300)));
  const rows = await scoreFile(input, output);
  assert.equal(rows, 3500);
  const text = await readFile(output, 'utf8');
  assert.equal(text, scoreCsvText(await readFile(input, 'utf8')));
  // The real command line, once: exit code 2 and a precise message on bad input.
  const bad = join(dir, 'bad.csv');
  await writeFile(bad, 'timestamp,value\n1396310400,1\n1396310700,oops\n');
  const bin = fileURLToPath(new URL('../../bin/txmon.js', import.meta.url));
  const badOut = join(dir, 'bad-scores.csv');
  const r = spawnSync(process.execPath, [bin, 'score', '--input', bad, '--output', badOut], { encoding: 'utf8' });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /TXMON_ERR_VALIDATION: .*bad\.csv: row 2: field "value" must be a finite number/);
  await assert.rejects(access(badOut));
  const ok = spawnSync(process.execPath, [bin, 'score', '-i', input, '-o', join(dir, 'again.csv'), '-q'], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(await readFile(join(dir, 'again.csv'), 'utf8'), text);
});
