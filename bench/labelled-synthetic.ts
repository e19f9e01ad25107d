/**
 * A synthetic, NAB-shaped labelled corpus for `txmon eval`, 84 series:
 *
 * - s01…s48: 4 032 five-minute rows (14 days), half with a daily rhythm, a third with occasional
 *   3× noise bursts, each with 1–3 anomalies after the first 15 % — spikes, dips, persistent level
 *   shifts up and down, a changed daily shape (a missing peak, or a bump on a flat series), a noise
 *   increase, a stuck (flat) signal, a slow drift;
 * - tw01…tw12: 8 000 five-minute Poisson counts with a daily rhythm and frequent harmless bursts,
 *   two 2-hour surges (mention counts);
 * - taxi01…taxi12: six weeks of 30-minute data with a daily and a weekly shape (weekend mornings
 *   quiet), a holiday (a whole day at 55 %) and a spike (ride counts);
 * - irr01…irr12: 5 000 rows about five minutes apart (jitter, occasional hour-long gaps), a level
 *   shift and a later spike.
 *
 * An anomaly's label is its onset (1 row for a spike or dip, 3 rows for the others; the
 * holiday's afternoon), as NAB labels anomalies by a point and builds its windows around it.
 *
 *   node bench/labelled-synthetic.ts OUT_DIR && node bin/txmon.js eval OUT_DIR
 *
 * Deterministic (seeded); used with the Microsoft corpus to tune `txmon score` on more than one
 * kind of data (docs/scoring.md).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../src/domain/prng.ts';

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
function write(name: string, times: number[], values: number[], labels: Uint8Array): void {
  const rows = ['timestamp,value,label'];
  for (let i = 0; i < values.length; i++) rows.push(`${new Date(times[i]).toISOString().slice(0, 19).replace('T', ' ')},${values[i].toFixed(3)},${labels[i]}`);
  writeFileSync(join(out, `${name}.csv`), rows.join('\n') + '\n');
}

for (let seed = 1; seed <= 12; seed++) {
  const rng = new Rng(seed * 101);
  const id = String(seed).padStart(2, '0');
  {
    const n = 8000;
    const times: number[] = [];
    const values: number[] = [];
    const labels = new Uint8Array(n);
    const surges = [Math.floor(n * 0.4 + rng.uniform() * 800), Math.floor(n * 0.75 + rng.uniform() * 800)];
    let burst = 0;
    for (let i = 0; i < n; i++) {
      const base = 20 * (1 + 0.5 * Math.sin((2 * Math.PI * i) / DAY));
      if (rng.uniform() < 0.01) burst = 6;
      burst = Math.max(0, burst - 1);
      let lambda = base * (burst ? 1.8 : 1);
      for (const a of surges) if (i >= a && i < a + 24) lambda = base * 5;
      if (surges.includes(i)) labels.fill(1, i, i + 3);
      times.push(Date.UTC(2015, 2, 1) + i * 300_000);
      values.push(rng.poisson(lambda));
    }
    write(`tw${id}`, times, values, labels);
  }
  {
    const n = 48 * 7 * 6;
    const times: number[] = [];
    const values: number[] = [];
    const labels = new Uint8Array(n);
    const holiday = 48 * (7 * 3 + (seed % 7));
    const spike = 48 * 7 * 5 + 10 + seed;
    for (let i = 0; i < n; i++) {
      const hour = (i % 48) / 2;
      const weekday = Math.floor(i / 48) % 7 < 5;
      let v = 10_000 + 8000 * Math.exp(-((hour - 19) ** 2) / 8) + 5000 * Math.exp(-((hour - 9) ** 2) / 4) * (weekday ? 1 : 0.3) - 6000 * (hour < 5 ? 1 : 0);
      v *= 1 + 0.03 * rng.normal();
      if (i >= holiday && i < holiday + 48) v *= 0.55;
      if (i === spike) v *= 1.8;
      times.push(Date.UTC(2014, 6, 1) + i * 1_800_000);
      values.push(v);
    }
    labels.fill(1, holiday + 28, holiday + 31);
    labels[spike] = 1;
    write(`taxi${id}`, times, values, labels);
  }
  {
    const n = 5000;
    const times: number[] = [];
    const values: number[] = [];
    const labels = new Uint8Array(n);
    let t = Date.UTC(2015, 8, 1);
    const shift = 2500 + seed * 50;
    const spike = 4200 + seed * 20;
    for (let i = 0; i < n; i++) {
      t += 300_000 + Math.round((rng.uniform() - 0.5) * 120_000) + (rng.uniform() < 0.01 ? 3_600_000 : 0);
      let v = 50 + 5 * rng.normal() + (i >= shift ? 20 : 0);
      if (i === spike) v += 60;
      times.push(t);
      values.push(v);
    }
    labels.fill(1, shift, shift + 3);
    labels[spike] = 1;
    write(`irr${id}`, times, values, labels);
  }
}
console.log(`wrote 84 labelled series to ${out}`);
