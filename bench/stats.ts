/**
 * Micro-benchmarks of the statistics and of the univariate stream scorer.
 *
 *   node bench/stats.ts            (Node 24; ~10 s on 2 cores)
 *
 * Prints ns/op for the tail functions at typical txmon arguments and rows/s for the scorer over
 * 1M synthetic rows (and for the whole CSV path, parse + validate + score + format), each with
 * its ratio to a reference measured in the same run — a plain loop of Math.exp over the same
 * count — so numbers from different machines or runs can be compared.
 */
import { Rng } from '../src/domain/prng.ts';
import { binomialUpperTail, nbUpperTail, normalSf, poissonUpperTail, poissonLowerTail } from '../src/detect/stats/distributions.ts';
import { CsvStreamScorer, StreamScorer } from '../src/eval/score.ts';

let sink = 0;

/** Best of `reps` timings of fn (which runs `n` operations); returns ns per operation. */
function nsPerOp(n: number, reps: number, fn: () => number): number {
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    sink += fn();
    const dt = Number(process.hrtime.bigint() - t0);
    best = Math.min(best, dt / n);
  }
  return best;
}

const OPS = 200_000;
const args = new Float64Array(OPS);
const rng = new Rng(1);
for (let i = 0; i < OPS; i++) args[i] = rng.uniform();

const refExp = nsPerOp(OPS, 7, () => {
  let s = 0;
  for (let i = 0; i < OPS; i++) s += Math.exp(-args[i] * 10);
  return s;
});

interface Row { name: string; ns: number }
const rows: Row[] = [];
function bench(name: string, f: (u: number) => number): void {
  const ns = nsPerOp(OPS, 5, () => {
    let s = 0;
    for (let i = 0; i < OPS; i++) s += f(args[i]);
    return s;
  });
  rows.push({ name, ns });
}

// Typical arguments: a minute count near its baseline of 20–200, a 3σ-ish excess, shares of 2–5%.
bench('normalSf(z ∈ [0, 6))', (u) => normalSf(u * 6));
bench('poissonUpperTail(k = 1.3·mu, mu ∈ [20, 220))', (u) => { const mu = 20 + 200 * u; return poissonUpperTail(Math.ceil(mu * 1.3), mu); });
bench('poissonLowerTail(k = 0.7·mu, mu ∈ [20, 220))', (u) => { const mu = 20 + 200 * u; return poissonLowerTail(Math.floor(mu * 0.7), mu); });
bench('poissonUpperTail(k, mu = 1e6 + 3σ)', (u) => poissonUpperTail(1e6 + 3000 + Math.floor(u * 10), 1e6));
bench('nbUpperTail(k = 1.5·mu, mu ∈ [20, 220), r = 10)', (u) => { const mu = 20 + 200 * u; return nbUpperTail(Math.ceil(mu * 1.5), mu, 10); });
bench('binomialUpperTail(k, n ∈ [100, 1100), p = 0.03)', (u) => { const n = 100 + Math.floor(1000 * u); return binomialUpperTail(Math.ceil(n * 0.06), n, 0.03); });

// Scorer over 1M synthetic rows: daily-ish seasonality, noise, a few spikes and a level shift.
const N = 1_000_000;
const xs = new Float64Array(N);
for (let i = 0; i < N; i++) xs[i] = 50 + 20 * Math.sin((2 * Math.PI * i) / 288) + rng.normal() + (i % 50_000 === 0 ? 15 : 0) + (i > 600_000 ? 5 : 0);
const refExpRows = nsPerOp(N, 5, () => {
  let s = 0;
  for (let i = 0; i < N; i++) s += Math.exp(-xs[i] * 1e-3);
  return s;
});
const scorerNs = nsPerOp(N, 2, () => {
  const s = new StreamScorer();
  let acc = 0;
  for (let i = 0; i < N; i++) acc += s.push(xs[i]);
  return acc;
});
const t0 = Date.UTC(2014, 3, 1);
const lines: string[] = new Array(N);
for (let i = 0; i < N; i++) lines[i] = `${new Date(t0 + i * 300_000).toISOString().replace('T', ' ').slice(0, 19)},${xs[i].toFixed(3)}`;
const csvNs = nsPerOp(N, 2, () => {
  const c = new CsvStreamScorer();
  c.header('timestamp,value');
  let len = 0;
  for (let i = 0; i < N; i++) len += (c.line(lines[i]) as string).length;
  return len;
});

const pad = (s: string, n: number) => s.padEnd(n);
console.log(`reference: Math.exp loop ${refExp.toFixed(2)} ns/op (${refExpRows.toFixed(2)} ns/op over the 1M-row array)`);
console.log(`${pad('operation', 52)} ${'ns/op'.padStart(9)} ${'× exp'.padStart(8)}`);
for (const r of rows) console.log(`${pad(r.name, 52)} ${r.ns.toFixed(1).padStart(9)} ${(r.ns / refExp).toFixed(1).padStart(8)}`);
console.log(`${pad('StreamScorer.push (1M rows)', 52)} ${scorerNs.toFixed(1).padStart(9)} ${(scorerNs / refExpRows).toFixed(1).padStart(8)}   ${(1e9 / scorerNs / 1e3).toFixed(0)}k rows/s`);
console.log(`${pad('CsvStreamScorer.line (parse+validate+score+format)', 52)} ${csvNs.toFixed(1).padStart(9)} ${(csvNs / refExpRows).toFixed(1).padStart(8)}   ${(1e9 / csvNs / 1e3).toFixed(0)}k rows/s`);
if (sink === 42) console.log('');
