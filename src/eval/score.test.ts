import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Rng } from '../simulate/prng.ts';
import { TxmonError } from '../domain/errors.ts';
import { CsvStreamScorer, DEFAULT_SCORER, scoreCsvText, scoreValues, SCORE_HEADER, StreamScorer } from './score.ts';
import { scoreFile } from '../cli/score.ts';

const N = 5000;
const AT = 3000;

type Kind = 'spike' | 'dip' | 'shift' | 'variance' | 'flatline';

function series(kind: Kind, seed: number): number[] {
  const rng = new Rng(seed);
  const xs: number[] = [];
  for (let i = 0; i < N; i++) {
    const e = rng.normal();
    let x = 10 + e;
    if (kind === 'spike' && i === AT) x += 8;
    if (kind === 'dip' && i === AT) x -= 8;
    if (kind === 'shift' && i >= AT) x += 4;
    if (kind === 'variance' && i >= AT) x = 10 + 4 * e;
    if (kind === 'flatline' && i >= AT && i < AT + 100) x = 10;
    xs.push(x);
  }
  return xs;
}

/** Max score outside [AT−5, AT+150) after warm-up, and max within 20 records of the onset. */
function maxima(scores: Float64Array): { normal: number; anomaly: number } {
  let normal = 0;
  let anomaly = 0;
  for (let i = DEFAULT_SCORER.warmup; i < scores.length; i++) {
    if (i >= AT - 5 && i < AT + 150) {
      if (i >= AT && i < AT + 20) anomaly = Math.max(anomaly, scores[i]);
    } else normal = Math.max(normal, scores[i]);
  }
  return { normal, anomaly };
}

for (const kind of ['spike', 'dip', 'shift', 'variance', 'flatline'] as const) {
  test(`scorer: ${kind} scores high at the onset, low elsewhere (5 seeds)`, () => {
    let sum = 0;
    for (let seed = 1; seed <= 5; seed++) {
      const { normal, anomaly } = maxima(scoreValues(series(kind, seed)));
      assert.ok(normal < 0.5, `${kind} seed ${seed}: normal max ${normal}`);
      assert.ok(anomaly > 0.6, `${kind} seed ${seed}: anomaly max ${anomaly}`);
      assert.ok(anomaly > normal + 0.2, `${kind} seed ${seed}: margin ${anomaly} vs ${normal}`);
      sum += anomaly;
    }
    assert.ok(sum / 5 > 0.7, `${kind}: mean anomaly max ${sum / 5}`);
  });
}

test('scorer: scores are in [0, 1], 0 during warm-up, deterministic', () => {
  const xs = series('spike', 9);
  const a = scoreValues(xs);
  const b = scoreValues(xs);
  assert.deepEqual(a, b);
  for (let i = 0; i < a.length; i++) assert.ok(a[i] >= 0 && a[i] <= 1, `score ${a[i]} at ${i}`);
  for (let i = 0; i < DEFAULT_SCORER.warmup; i++) assert.equal(a[i], 0);
});

test('scorer: a constant series scores 0 throughout; a step after it scores high', () => {
  const flat = scoreValues(new Array(3000).fill(42.5));
  assert.ok(flat.every((s) => s === 0));
  const step = new Array(3000).fill(0).map((_, i) => (i < 2000 ? 7 : 8));
  const s = scoreValues(step);
  assert.ok(s.slice(0, 2000).every((v) => v === 0));
  assert.ok(Math.max(...s.slice(2000, 2010)) > 0.9);
});

test('scorer: a repeat of an episode is damped, a stronger one is not', () => {
  const xs = series('shift', 3);
  const s = new StreamScorer();
  const out = xs.map((x) => s.push(x));
  const onset = Math.max(...out.slice(AT, AT + 20));
  // After the onset the baselines re-learn: no later record in the episode may exceed the onset.
  assert.ok(Math.max(...out.slice(AT + 20, AT + 400)) < onset);
});

test('scorer: missing values score 0 and keep their row; the state skips them', () => {
  const xs: number[] = series('spike', 2);
  const withGaps = xs.slice();
  for (let i = 500; i < 4000; i += 97) withGaps[i] = NaN;
  const a = scoreValues(withGaps);
  assert.equal(a.length, xs.length);
  for (let i = 500; i < 4000; i += 97) assert.equal(a[i], 0);
  assert.ok(maxima(a).anomaly > 0.6);
});

function toCsv(xs: number[], ts: (i: number) => string): string {
  return ['timestamp,value', ...xs.map((x, i) => `${ts(i)},${Number.isNaN(x) ? '' : x.toFixed(4)}`)].join('\n') + '\n';
}

test('CSV: same rows in the same order, timestamp and value copied verbatim', () => {
  const xs = series('spike', 1).slice(0, 1200);
  const input = toCsv(xs, (i) => new Date(Date.UTC(2014, 3, 1) + i * 300_000).toISOString().replace('T', ' ').slice(0, 19));
  const out = scoreCsvText(input).split('\n');
  const inLines = input.split('\n');
  assert.equal(out[0], SCORE_HEADER);
  assert.equal(out.length, inLines.length);
  for (let i = 1; i < inLines.length - 1; i++) {
    const [t, v, s] = out[i].split(',');
    assert.equal(`${t},${v}`, inLines[i]);
    assert.ok(Number(s) >= 0 && Number(s) <= 1);
  }
  assert.equal(scoreCsvText(input), scoreCsvText(input)); // determinism, byte for byte
});

test('CSV: ISO with zone, epoch seconds/ms, quoted fields, CRLF, extra columns, missing markers', () => {
  const text = 'Value,extra,"Timestamp"\r\n1.5,a,2014-04-01T00:00:00Z\r\n"2.5",b,1396310700\r\nNaN,c,1396311000000\r\n,d,"2014-04-01 00:15:00"\r\n';
  const out = scoreCsvText(text).trimEnd().split('\n');
  assert.deepEqual(out, [SCORE_HEADER, '2014-04-01T00:00:00Z,1.5,0', '1396310700,"2.5",0', '1396311000000,NaN,0', '"2014-04-01 00:15:00",,0']);
});

test('CSV: bad input is rejected with the row and field named', () => {
  const badValue = 'timestamp,value\n2014-04-01 00:00:00,1\n2014-04-01 00:05:00,12abc\n';
  assert.throws(() => scoreCsvText(badValue), (e: unknown) => e instanceof TxmonError && e.code === 'TXMON_ERR_VALIDATION' && e.detail?.row === 2 && e.detail?.field === 'value' && /row 2: field "value"/.test(e.message));
  const badTs = 'timestamp,value\nyesterday,1\n';
  assert.throws(() => scoreCsvText(badTs), (e: unknown) => e instanceof TxmonError && e.detail?.row === 1 && e.detail?.field === 'timestamp');
  assert.throws(() => scoreCsvText('time,value\n1,2\n'), (e: unknown) => e instanceof TxmonError && e.code === 'TXMON_ERR_BAD_CSV' && /"timestamp"/.test(e.message));
  assert.throws(() => scoreCsvText('timestamp,value\n2014-04-01 00:00:00,1,3\n'), (e: unknown) => e instanceof TxmonError && e.detail?.row === 1 && /expected 2 fields/.test(e.message));
  assert.throws(() => scoreCsvText('\n\n'), (e: unknown) => e instanceof TxmonError && e.code === 'TXMON_ERR_EMPTY_BODY');
  const csv = new CsvStreamScorer();
  csv.header('timestamp,value');
  assert.equal(csv.line(''), null); // blank lines are not rows
  assert.equal(csv.rows, 0);
});

test('CLI: txmon score writes the scores; a bad file leaves no output behind', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'txmon-score-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const xs = series('shift', 4).slice(0, 3500);
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
