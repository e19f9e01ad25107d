/**
 * `npm run bench:backtest`: throughput and memory of CSV → engine → events on a generated file.
 *
 * 1. Generates a simulated counts CSV (default 20 scopes × 50 days × 1440 min × 7 statuses ≈ 10 M
 *    rows) with the `txmon simulate` writer into a temp dir. Many days rather than many scopes: the
 *    detection model keeps per-series seasonal state that fills during the first week (bounded by
 *    its rings), so a long file shows whether memory then stays flat as rows keep coming.
 * 2. Reference: reads the file and splits every line (`splitCsvLine`) — the floor any CSV reader
 *    pays here.
 * 3. Parse: the streaming reader alone (validation, minute groups, zero-fill).
 * 4. Full: reader → the same Engine as the server (memory store, virtual clock) → events NDJSON,
 *    with time, rows/s and RSS at ¼, ½ and the whole file; memory must stay flat in the rows.
 *
 * The machine may be shared: besides wall-clock rows/s the table shows rows per CPU-second of this
 * process (GC threads included), which other processes do not distort.
 *
 * Environment: TXMON_BENCH_DAYS (50), TXMON_BENCH_SCOPES (20), TXMON_BENCH_SEED (7),
 * TXMON_BENCH_KEEP=1 keeps the temp dir. Profile with `node --cpu-prof bench/backtest.ts`.
 * `npm run bench:backtest` runs it with the young-generation size `txmon backtest` uses
 * (--max-semi-space-size=32, bin/txmon.js), so the figures are those of the command.
 */
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { join } from 'node:path';
import { Simulator } from '../src/simulate/simulator.ts';
import { writeSimulationFiles } from '../src/simulate/write.ts';
import { splitCsvLine } from '../src/ingest/csv.ts';
import { readMinutes, type MinuteRows } from '../src/sources/stream.ts';
import { runEngine } from '../src/eval/backtest.ts';
import { EventsFile } from '../src/cli/backtest.ts';

const env = (name: string, fallback: number): number => {
  const v = process.env[name];
  const n = v === undefined ? fallback : Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got ${v}`);
  return n;
};
const days = env('TXMON_BENCH_DAYS', 50);
const scopes = env('TXMON_BENCH_SCOPES', 20);
const seed = env('TXMON_BENCH_SEED', 7);

// A full GC before each memory reading, so "live heap" is what the run holds, not garbage not yet collected.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const MB = 1024 * 1024;
const mb = (bytes: number): string => `${(bytes / MB).toFixed(0)} MB`;
const rate = (rows: number, ms: number): string => `${(rows / ms / 1000).toFixed(2)} M rows/s`;
const out = (line: string): void => void process.stdout.write(line + '\n');

/** Lines read and split (minus the header); the field total keeps the split from being optimised away. */
async function readAndSplit(path: string): Promise<{ rows: number; fields: number }> {
  let carry = '';
  let lines = 0;
  let fields = 0;
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 }) as AsyncIterable<string>) {
    const text = carry + chunk;
    let s = 0;
    for (;;) {
      const nl = text.indexOf('\n', s);
      if (nl === -1) break;
      fields += splitCsvLine(text.slice(s, nl), lines + 1).length;
      lines++;
      s = nl + 1;
    }
    carry = text.slice(s);
  }
  return { rows: lines - 1, fields };
}

interface Checkpoint { label: string; rows: number; ms: number; cpuMs: number; rss: number; heap: number; live: number }

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'txmon-bench-'));
  const csv = join(dir, 'counts.csv');
  try {
    out(`bench:backtest — ${scopes} scopes × ${days} days, seed ${seed}; node ${process.version} ${process.execArgv.join(' ')}; temp ${dir}`);
    let t = performance.now();
    const sim = new Simulator({ days, seed, scopes });
    const gen = await writeSimulationFiles(sim, { counts: csv });
    const total = gen.countRows;
    out(`generate   ${total.toLocaleString('en-US')} rows, ${mb(statSync(csv).size)} in ${((performance.now() - t) / 1000).toFixed(1)} s (${sim.incidents.length} incidents)`);

    t = performance.now();
    const ref = await readAndSplit(csv);
    const refRows = ref.rows;
    const refMs = performance.now() - t;
    out(`reference  read + split lines: ${(refMs / 1000).toFixed(2)} s, ${rate(refRows, refMs)} (${ref.fields.toLocaleString('en-US')} fields)`);

    t = performance.now();
    let parsed = 0;
    for await (const g of readMinutes(csv)) parsed += g.counts.length;
    const parseMs = performance.now() - t;
    out(`parse      streaming reader:   ${(parseMs / 1000).toFixed(2)} s, ${rate(parsed, parseMs)} (${(parseMs / refMs).toFixed(2)}× reference)`);

    const checkpoints: Checkpoint[] = [];
    const marks = [Math.ceil(total / 4), Math.ceil(total / 2)];
    let rows = 0;
    let peakRss = 0;
    let groups = 0;
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    // The forced GC of each reading is taken out of the wall and CPU times.
    let gcWallMs = 0;
    let gcCpuMs = 0;
    const mark = (label: string): void => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      const c = process.cpuUsage(cpu0);
      const point: Checkpoint = { label, rows, ms: performance.now() - started - gcWallMs, cpuMs: (c.user + c.system) / 1000 - gcCpuMs, rss: m.rss, heap: m.heapUsed, live: 0 };
      const w0 = performance.now();
      const c0 = process.cpuUsage();
      gc();
      point.live = process.memoryUsage().heapUsed;
      const c1 = process.cpuUsage(c0);
      gcWallMs += performance.now() - w0;
      gcCpuMs += (c1.user + c1.system) / 1000;
      checkpoints.push(point);
    };
    async function* counted(): AsyncGenerator<MinuteRows> {
      for await (const g of readMinutes(csv)) {
        yield g;
        rows += g.counts.length;
        if ((++groups & 63) === 0) peakRss = Math.max(peakRss, process.memoryUsage.rss());
        while (marks.length > 0 && rows >= marks[0]) {
          mark(marks.length === 2 ? '1/4' : '1/2');
          marks.shift();
        }
      }
    }
    const events = new EventsFile(join(dir, 'events.ndjson'));
    const run = await runEngine(counted(), { onEvent: (e) => events.write(e) });
    events.close();
    mark('full');
    const fullMs = checkpoints[checkpoints.length - 1].ms;
    const fullCpuMs = checkpoints[checkpoints.length - 1].cpuMs;

    out(`full       CSV → engine → events: ${run.minutesEvaluated.toLocaleString('en-US')} scope-minutes evaluated, ${run.alerts.length} alerts, ${run.events} events (${mb(statSync(join(dir, 'events.ndjson')).size)})`);
    out('');
    out('  at     rows          wall       rows/s (cumulative)   rows/s (this part)   rows per CPU-s (this part)   RSS       heap used   live heap (after GC)');
    let prev: Checkpoint | null = null;
    for (const c of checkpoints) {
      const part = prev ? rate(c.rows - prev.rows, c.ms - prev.ms) : rate(c.rows, c.ms);
      const cpuPart = prev ? rate(c.rows - prev.rows, c.cpuMs - prev.cpuMs) : rate(c.rows, c.cpuMs);
      out(`  ${c.label.padEnd(5)}  ${c.rows.toLocaleString('en-US').padStart(12)}  ${(c.ms / 1000).toFixed(1).padStart(6)} s  ${rate(c.rows, c.ms).padStart(19)}  ${part.padStart(19)}  ${cpuPart.padStart(26)}  ${mb(c.rss).padStart(7)}  ${mb(c.heap).padStart(9)}  ${mb(c.live).padStart(9)}`);
      prev = c;
    }
    out('');
    out(`peak RSS   ${mb(peakRss)} sampled; process max RSS ${mb(process.resourceUsage().maxRSS * 1024)} (includes generation)`);
    out(`cpu        ${(fullCpuMs / fullMs).toFixed(2)} cores busy on average during the full run (GC threads included; < 1 means the machine was shared)`);
    out(`result     ${rate(total, fullMs)} end to end (${rate(total, fullCpuMs)} per CPU-second); reference ${rate(refRows, refMs)}; ratio full/reference time ${(fullMs / refMs).toFixed(1)}×; target ≥ 1.00 M rows/s`);
  } finally {
    if (process.env.TXMON_BENCH_KEEP === '1') out(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

await main();
