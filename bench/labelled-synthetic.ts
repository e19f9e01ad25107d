/**
 * A synthetic, NAB-shaped labelled corpus for `txmon eval`: 48 series of 4 032 five-minute rows
 * (14 days), half with a daily rhythm, a third with occasional 3× noise bursts, each with 1–3
 * anomalies after the first 15 % — spikes, dips, persistent level shifts up and down, a changed
 * daily shape (a missing peak, or a bump on a flat series), a noise increase, a stuck (flat)
 * signal, a slow drift. An anomaly's label is its onset (1 row for a spike or dip, 3 rows for the
 * others), as NAB labels anomalies by a point and builds its windows around it.
 *
 *   node bench/labelled-synthetic.ts OUT_DIR && node bin/txmon.js eval OUT_DIR
 *
 * Deterministic (seeded); used with the Microsoft corpus to tune `txmon score` on more than one
 * kind of data (docs/scoring.md).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../src/simulate/prng.ts';

const out = process.argv[2];
if (!out) {
  console.error('usage: node bench/labelled-synthetic.ts OUT_DIR');
  process.exit(2);
}
mkdirSync(out, { recursive: true });

const N = 4032;
const DAY = 288;
const KINDS = ['spike', 'dip', 'shiftUp', 'shiftDown', 'shape', 'noise', 'flat', 'drift'] as const;

for (let seed = 1; seed <= 48; seed++) {
  const rng = new Rng(seed * 7919);
  const seasonal = seed % 2 === 0;
  const bursty = seed % 3 === 0;
  const level = 50 + rng.uniform() * 1000;
  const sd = level * (0.01 + 0.05 * rng.uniform());
  const amp = seasonal ? level * (0.2 + 0.5 * rng.uniform()) : 0;
  const k = 1 + (seed % 3);
  const starts: number[] = [];
  for (let j = 0; j < k; j++) starts.push(Math.floor(N * (0.2 + (0.75 * (j + rng.uniform() * 0.6)) / k)));
  const kinds = starts.map((_, j) => KINDS[(seed + j * 3) % KINDS.length]);
  const values: number[] = [];
  const labels = new Uint8Array(N);
  let shift = 0;
  let noise = 1;
  let flatUntil = -1;
  let flatValue = 0;
  let drift = 0;
  for (let i = 0; i < N; i++) {
    const phase = (2 * Math.PI * (i % DAY)) / DAY;
    const season = amp * (0.6 * Math.sin(phase) + 0.4 * Math.sin(2 * phase + 1));
    let e = rng.normal();
    if (bursty && rng.uniform() < 0.05) e *= 3;
    let v = level + season + shift + drift + sd * noise * e;
    for (let j = 0; j < k; j++) {
      const s = starts[j];
      const kind = kinds[j];
      if (i === s) {
        labels.fill(1, s, Math.min(N, s + (kind === 'spike' || kind === 'dip' ? 1 : 3)));
        if (kind === 'shiftUp') shift += 6 * sd + 0.1 * amp;
        if (kind === 'shiftDown') shift -= 6 * sd + 0.1 * amp;
        if (kind === 'noise') noise = 4;
        if (kind === 'flat') {
          flatUntil = s + 200;
          flatValue = v;
        }
      }
      if (kind === 'spike' && i === s) v += 10 * sd + 0.5 * amp;
      if (kind === 'dip' && i === s) v -= 10 * sd + 0.5 * amp;
      if (kind === 'shape' && i >= s && i < s + DAY / 4) v -= amp > 0 ? 0.8 * season : 5 * sd * Math.sin((Math.PI * (i - s)) / (DAY / 4));
      if (kind === 'drift' && i >= s && i < s + 300) drift += (8 * sd) / 300;
    }
    if (i <= flatUntil) v = flatValue;
    values.push(v);
  }
  const t0 = Date.UTC(2015, 1, 2);
  const rows = ['timestamp,value,label'];
  for (let i = 0; i < N; i++) rows.push(`${new Date(t0 + i * 300_000).toISOString().slice(0, 19).replace('T', ' ')},${values[i].toFixed(3)},${labels[i]}`);
  const name = `s${String(seed).padStart(2, '0')}-${seasonal ? 'seasonal' : 'flat'}-${kinds.join('+')}.csv`;
  writeFileSync(join(out, name), rows.join('\n') + '\n');
}
console.log(`wrote 48 labelled series to ${out}`);
