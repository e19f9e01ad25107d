import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../domain/prng.ts';
import { TxmonError } from '../domain/errors.ts';
import { CsvStreamScorer, DEFAULT_SCORER, scoreCsvText, scoreValues, SCORE_HEADER, StreamScorer } from './score.ts';

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

/** 5-minute timestamps (epoch ms), the sampling of most NAB-style series. */
const FIVE_MIN = (i: number): number => Date.UTC(2014, 3, 1) + i * 300_000;

/** Scores values with timestamps `time(i)`. */
function scoreTimed(xs: number[], time: (i: number) => number, params = {}): Float64Array {
  const s = new StreamScorer(params);
  return Float64Array.from(xs, (x, i) => s.push(x, time(i)));
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
  test(`scorer: ${kind} at the onset outscores every normal record (5 seeds, 5-minute data)`, () => {
    for (let seed = 1; seed <= 5; seed++) {
      const { normal, anomaly } = maxima(scoreTimed(series(kind, seed), FIVE_MIN));
      assert.ok(normal < 0.1, `${kind} seed ${seed}: normal max ${normal}`);
      assert.ok(anomaly > 0.14, `${kind} seed ${seed}: anomaly max ${anomaly}`);
      assert.ok(anomaly > normal + 0.1, `${kind} seed ${seed}: margin ${anomaly} vs ${normal}`);
    }
  });
}

test('scorer: scores are in [0, 1], 0 during warm-up, deterministic', () => {
  const xs = series('spike', 9);
  const a = scoreTimed(xs, FIVE_MIN);
  const b = scoreTimed(xs, FIVE_MIN);
  assert.deepEqual(a, b);
  for (let i = 0; i < a.length; i++) assert.ok(a[i] >= 0 && a[i] <= 1, `score ${a[i]} at ${i}`);
  for (let i = 0; i < DEFAULT_SCORER.warmup; i++) assert.equal(a[i], 0);
  assert.deepEqual(scoreValues(xs), scoreValues(xs)); // without timestamps too
});

test('scorer: a constant series scores 0 throughout; a step after it scores high', () => {
  const flat = scoreValues(new Array(3000).fill(42.5));
  assert.ok(flat.every((s) => s === 0));
  const step = new Array(3000).fill(0).map((_, i) => (i < 2000 ? 7 : 8));
  const s = scoreValues(step);
  assert.ok(s.slice(0, 2000).every((v) => v === 0));
  assert.ok(Math.max(...s.slice(2000, 2010)) > 0.9);
});

test('scorer: noiseless periodic series (a sine, a square wave) score 0 once learnt, also when a season is chosen', () => {
  const n = 288 * 14;
  const sine = Array.from({ length: n }, (_, i) => 50 + 30 * Math.sin((2 * Math.PI * i) / 288));
  const square = Array.from({ length: n }, (_, i) => (i % 288 < 144 ? 20 : 80));
  for (const xs of [sine, square]) {
    const out = scoreTimed(xs, FIVE_MIN);
    assert.equal(Math.max(...out.slice(600)), 0);
  }
});

test('scorer: a lasting anomaly is reported by its onset; the records after it score lower', () => {
  const out = scoreTimed(series('shift', 3), FIVE_MIN);
  const onset = Math.max(...out.slice(AT, AT + 20));
  assert.ok(Math.max(...out.slice(AT + 20, AT + 400)) < onset);
});

test('scorer: a repeat loses evidence but is not capped — an extreme repeat still scores high', () => {
  const xs = series('spike', 4);
  xs[AT] += 200;
  xs[AT + 5] += 200;
  const out = scoreTimed(xs, FIVE_MIN);
  assert.ok(out[AT] > 0.95, `first ${out[AT]}`);
  assert.ok(out[AT + 5] > 0.9 && out[AT + 5] < out[AT], `repeat ${out[AT + 5]} vs ${out[AT]}`);
  const halved = out[AT] * 0.5; // what the old rule made of it
  assert.ok(out[AT + 5] > halved + 0.3);
});

test('scorer: missing values score 0 and keep their row; the state skips them', () => {
  const xs: number[] = series('spike', 2);
  const withGaps = xs.slice();
  for (let i = 500; i < 4000; i += 97) withGaps[i] = NaN;
  const a = scoreTimed(withGaps, FIVE_MIN);
  assert.equal(a.length, xs.length);
  for (let i = 500; i < 4000; i += 97) assert.equal(a[i], 0);
  const { normal, anomaly } = maxima(a);
  assert.ok(anomaly > normal + 0.1, `${anomaly} vs ${normal}`);
});

test('scorer: candidate periods come from the sampling step (hour, day, week of 4 … 10 080 records)', () => {
  const periods = (stepMs: number): readonly number[] => {
    const s = new StreamScorer();
    for (let i = 0; i < 40; i++) s.push(i % 3, Date.UTC(2020, 0, 1) + i * stepMs);
    return s.periods;
  };
  assert.deepEqual(periods(300_000), [12, 288, 2016]);
  assert.deepEqual(periods(3_600_000), [24, 168]);
  assert.deepEqual(periods(60_000), [60, 1440, 10080]);
  assert.deepEqual(periods(420_000), [206, 1440]); // 7 minutes: no hour; a day within 1 %
  assert.deepEqual(periods(2 * 86_400_000), []); // too coarse for any
  const noTime = new StreamScorer();
  for (let i = 0; i < 40; i++) noTime.push(i);
  assert.deepEqual(noTime.periods, []);
});

test('scorer: a changed daily shape (a missing midday peak) is caught only with seasons', () => {
  const day = 288;
  const at = day * 10 + 110;
  const run = (params: object): { normal: number; anomaly: number } => {
    const rng = new Rng(5);
    const s = new StreamScorer(params);
    let normal = 0;
    let anomaly = 0;
    for (let i = 0; i < day * 14; i++) {
      const season = 40 * Math.sin((2 * Math.PI * (i % day)) / day);
      let x = 100 + season + 2 * rng.normal();
      if (i >= at && i < at + 36) x -= 0.9 * season; // three hours flat where the peak should be
      const v = s.push(x, FIVE_MIN(i));
      if (i < 3 * day) continue;
      if (i >= at - 2 && i < at + 60) anomaly = Math.max(anomaly, v);
      else if (i < at - 2 || i > at + 100) normal = Math.max(normal, v);
    }
    return { normal, anomaly };
  };
  const seasonal = run({});
  assert.ok(seasonal.anomaly > seasonal.normal + 0.15, `with seasons ${JSON.stringify(seasonal)}`);
  const flat = run({ seasonGain: 0 }); // a season is never preferred
  assert.ok(seasonal.anomaly > flat.anomaly + 0.1, `without seasons ${JSON.stringify(flat)}`);
});

test('scorer: p-values are per hour of data — the same values sampled every minute score lower', () => {
  const xs = series('spike', 1);
  const hourly = scoreTimed(xs, (i) => Date.UTC(2014, 3, 1) + i * 3_600_000);
  const minutely = scoreTimed(xs, (i) => Date.UTC(2014, 3, 1) + i * 60_000);
  assert.ok(hourly[AT] > minutely[AT], `${hourly[AT]} vs ${minutely[AT]}`);
  assert.ok(Math.max(...minutely.slice(100, AT - 5)) < Math.max(...hourly.slice(100, AT - 5)));
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
