/**
 * Writers of simulated traffic: the counts CSV (`timestamp,status,count[,scope]`), the auth-code
 * CSV (`timestamp,auth_code,count[,scope]`) and the incident labels JSON. They stream in chunks
 * and wait for the destination to drain, so memory stays flat for any number of rows.
 *
 * Two layouts (`format`):
 * - `csv` (default): full timestamps, every status of every present scope-minute, zeros included.
 * - `export`: the one-day export layout of the real data — header `time,status,f0_` (auth codes
 *   `time,auth_code,f0_`), times `HHh MM` of the UTC day, one row per (minute, status) only when
 *   the count is > 0, one scope, one UTC day. Readers take the day apart (`--date YYYY-MM-DD`)
 *   and read absent pairs as 0; a minute with no rows at all (a silent scope, or nothing at night)
 *   is read as zeros too, since an export cannot tell the two apart.
 */
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import type { EpochMinute } from '../domain/types.ts';
import { minuteToIso } from '../domain/time.ts';
import { TxmonError } from '../domain/errors.ts';
import { C, N_COMPONENTS } from './rates.ts';
import { INCIDENT_KINDS } from './incidents.ts';
import type { Simulator } from './simulator.ts';

/** `YYYY-MM-DD HH:MM:SS` (UTC), the timestamp format of the real CSV files. */
export function csvTimestamp(minute: EpochMinute): string {
  const iso = minuteToIso(minute);
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** `HHh MM` of the UTC day (e.g. `00h 00`, `14h 05`), the time format of the one-day exports. */
export function exportTime(minute: EpochMinute): string {
  const m = ((minute % 1440) + 1440) % 1440;
  const h = Math.floor(m / 60);
  const mi = m % 60;
  return `${h < 10 ? '0' : ''}${h}h ${mi < 10 ? '0' : ''}${mi}`;
}

/** File layouts: `csv` (full timestamps, zeros included) or `export` (one-day export, see above). */
export type SimulationFormat = 'csv' | 'export';
export const SIMULATION_FORMATS: readonly SimulationFormat[] = ['csv', 'export'];

/** Where the CSVs go. Streams are written, not ended (so stdout works); see `writeSimulationFiles`. */
export interface SimulationTargets {
  counts: Writable;
  authCodes?: Writable;
}

export interface WriteOptions {
  /** First minute (default: the simulator's start). */
  from?: EpochMinute;
  /** End, exclusive (default: the simulator's end). */
  to?: EpochMinute;
  /** Layout (default 'csv'); 'export' needs one scope and [from, to) inside one UTC day. */
  format?: SimulationFormat;
  /** Called every simulated day and at the end with minutes done and minutes in total. */
  onProgress?: (done: number, total: number) => void;
}

export interface WriteSummary {
  /** Minutes covered. */
  minutes: number;
  /** Scope-minutes written (present). */
  scopeMinutes: number;
  /** Scope-minutes skipped because the scope was silent. */
  silentScopeMinutes: number;
  countRows: number;
  authCodeRows: number;
}

const CHUNK = 1 << 18;

/** Accumulates text and writes it in chunks, waiting on backpressure. */
class ChunkSink {
  private buf = '';
  private readonly out: Writable;

  constructor(out: Writable) {
    this.out = out;
  }

  add(text: string): Promise<void> | null {
    this.buf += text;
    return this.buf.length >= CHUNK ? this.flush() : null;
  }

  async flush(): Promise<void> {
    if (this.buf === '') return;
    const text = this.buf;
    this.buf = '';
    if (!this.out.write(text)) await once(this.out, 'drain');
  }
}

/**
 * Streams [from, to) of a simulation as CSV: every status (and every auth code) of every present
 * scope-minute, zeros included; silent scope-minutes are skipped. The `scope` column is added when
 * there is more than one scope.
 */
export async function writeSimulation(sim: Simulator, targets: SimulationTargets, opts: WriteOptions = {}): Promise<WriteSummary> {
  const from = opts.from ?? sim.start;
  const to = opts.to ?? sim.end;
  const format = opts.format ?? 'csv';
  if (!SIMULATION_FORMATS.includes(format)) throw badFormat(`"csv" or "export"`, format);
  if (format === 'export') return writeExport(sim, targets, from, to, opts);
  const multi = sim.scopes.length > 1;
  const suffix = sim.scopes.map((s) => (multi ? `,${s}\n` : '\n'));
  const counts = new ChunkSink(targets.counts);
  const auth = targets.authCodes ? new ChunkSink(targets.authCodes) : null;
  const v = new Int32Array(N_COMPONENTS);
  const rare = sim.rareStatuses.map((r) => ',' + r.status + ',');
  const rv = new Int32Array(rare.length);
  const summary: WriteSummary = { minutes: Math.max(0, to - from), scopeMinutes: 0, silentScopeMinutes: 0, countRows: 0, authCodeRows: 0 };
  await counts.add(multi ? 'timestamp,status,count,scope\n' : 'timestamp,status,count\n');
  if (auth) await auth.add(multi ? 'timestamp,auth_code,count,scope\n' : 'timestamp,auth_code,count\n');
  for (let m = from; m < to; m++) {
    const ts = csvTimestamp(m);
    let text = '';
    let codes = '';
    for (let si = 0; si < sim.scopes.length; si++) {
      if (!sim.fill(si, m, v)) {
        summary.silentScopeMinutes++;
        continue;
      }
      summary.scopeMinutes++;
      const end = suffix[si];
      text += ts + ',approved,' + v[C.approved] + end
        + ts + ',denied,' + (v[C.d51] + v[C.d59]) + end
        + ts + ',failed,' + v[C.failed] + end
        + ts + ',reversed,' + v[C.reversed] + end
        + ts + ',backend_reversed,' + v[C.backendReversed] + end
        + ts + ',refunded,' + v[C.refunded] + end
        + ts + ',processing,' + v[C.processing] + end;
      if (rare.length > 0) {
        sim.fillRare(si, m, rv);
        for (let k = 0; k < rare.length; k++) text += ts + rare[k] + rv[k] + end;
      }
      if (auth) codes += ts + ',00,' + v[C.approved] + end + ts + ',51,' + v[C.d51] + end + ts + ',59,' + v[C.d59] + end;
    }
    const p1 = counts.add(text);
    if (p1) await p1;
    if (auth) {
      const p2 = auth.add(codes);
      if (p2) await p2;
    }
    if (opts.onProgress && (m - from + 1) % 1440 === 0) opts.onProgress(m - from + 1, summary.minutes);
  }
  await counts.flush();
  if (auth) await auth.flush();
  summary.countRows = summary.scopeMinutes * sim.statuses.length;
  summary.authCodeRows = auth ? summary.scopeMinutes * sim.authCodes.length : 0;
  opts.onProgress?.(summary.minutes, summary.minutes);
  return summary;
}

function badFormat(expected: string, got: unknown): TxmonError {
  return new TxmonError('TXMON_ERR_BAD_PARAMETER', `option "format" must be ${expected}, got ${JSON.stringify(got)}`, { field: 'format', expected, got });
}

/**
 * Checks that [from, to) of a simulation can be written as a one-day export: one scope, a
 * non-empty range inside one UTC day. Returns the day (YYYY-MM-DD) readers must be given.
 */
export function exportDay(sim: Simulator, from: EpochMinute = sim.start, to: EpochMinute = sim.end): string {
  const fail = (expected: string, got: string): TxmonError =>
    new TxmonError('TXMON_ERR_BAD_PARAMETER', `option "format" "export" needs ${expected}, got ${got}`, { field: 'format', expected, got });
  if (sim.scopes.length !== 1) throw fail('one scope', `${sim.scopes.length} scopes`);
  if (to <= from || Math.floor(from / 1440) !== Math.floor((to - 1) / 1440)) {
    throw fail('a range inside one UTC day (an export has times of day only)', `${minuteToIso(from)} → ${minuteToIso(to)}`);
  }
  return minuteToIso(from).slice(0, 10);
}

/** The `export` layout: sparse `HHh MM,status,count` rows of one scope and one UTC day. */
async function writeExport(sim: Simulator, targets: SimulationTargets, from: EpochMinute, to: EpochMinute, opts: WriteOptions): Promise<WriteSummary> {
  exportDay(sim, from, to);
  const counts = new ChunkSink(targets.counts);
  const auth = targets.authCodes ? new ChunkSink(targets.authCodes) : null;
  const v = new Int32Array(N_COMPONENTS);
  const rare = sim.rareStatuses.map((r) => ',' + r.status + ',');
  const rv = new Int32Array(rare.length);
  const summary: WriteSummary = { minutes: Math.max(0, to - from), scopeMinutes: 0, silentScopeMinutes: 0, countRows: 0, authCodeRows: 0 };
  await counts.add('time,status,f0_\n');
  if (auth) await auth.add('time,auth_code,f0_\n');
  // Component → status column, in the order of the csv layout (denied folds two components).
  const cols: Array<[string, number]> = [
    [',approved,', C.approved], [',denied,', -1], [',failed,', C.failed], [',reversed,', C.reversed],
    [',backend_reversed,', C.backendReversed], [',refunded,', C.refunded], [',processing,', C.processing],
  ];
  for (let m = from; m < to; m++) {
    if (!sim.fill(0, m, v)) {
      summary.silentScopeMinutes++;
      continue;
    }
    summary.scopeMinutes++;
    const t = exportTime(m);
    let text = '';
    for (const [col, c] of cols) {
      const n = c < 0 ? v[C.d51] + v[C.d59] : v[c];
      if (n > 0) {
        text += t + col + n + '\n';
        summary.countRows++;
      }
    }
    if (rare.length > 0) {
      sim.fillRare(0, m, rv);
      for (let k = 0; k < rare.length; k++) {
        if (rv[k] > 0) {
          text += t + rare[k] + rv[k] + '\n';
          summary.countRows++;
        }
      }
    }
    const p1 = counts.add(text);
    if (p1) await p1;
    if (auth) {
      let codes = '';
      for (const [code, n] of [['00', v[C.approved]], ['51', v[C.d51]], ['59', v[C.d59]]] as const) {
        if (n > 0) {
          codes += t + ',' + code + ',' + n + '\n';
          summary.authCodeRows++;
        }
      }
      const p2 = auth.add(codes);
      if (p2) await p2;
    }
  }
  await counts.flush();
  if (auth) await auth.flush();
  opts.onProgress?.(summary.minutes, summary.minutes);
  return summary;
}

/**
 * The labels document: `{"incidents":[{id,start,end,statuses,kind,scope,expect_alert,severity,
 * description}], "simulation": {…}}`, pretty-printed. `simulation` records how to regenerate it.
 */
export function labelsJson(sim: Simulator, opts: { format?: SimulationFormat } = {}): string {
  const incidents = sim.incidents.map((l) => ({
    id: l.id,
    start: l.start,
    end: l.end,
    statuses: l.statuses,
    kind: l.kind,
    scope: l.scope,
    expect_alert: l.expect_alert,
    severity: l.severity,
    description: l.description,
  }));
  const simulation: Record<string, unknown> = {
    seed: sim.seed,
    start: minuteToIso(sim.start),
    end: minuteToIso(sim.end),
    scopes: sim.scopes,
    rhythm: sim.rhythm,
    volumeScale: sim.volumeScale,
  };
  // Non-default settings only, so default labels keep their bytes.
  if (sim.incidentKinds !== INCIDENT_KINDS) simulation.incidentKinds = sim.incidentKinds;
  if (sim.rareStatuses.length > 0) simulation.rareStatuses = sim.rareStatuses;
  if (opts.format === 'export') {
    simulation.format = 'export';
    simulation.date = exportDay(sim);
  }
  return JSON.stringify({ incidents, simulation }, null, 2) + '\n';
}

/** File paths of `writeSimulationFiles`; `counts` and `authCodes` may be "-" for standard output. */
export interface SimulationFiles {
  counts: string;
  authCodes?: string;
  labels?: string;
}

function open(path: string): Writable {
  return path === '-' ? process.stdout : createWriteStream(path, { highWaterMark: 1 << 20 });
}

async function close(stream: Writable): Promise<void> {
  if (stream === process.stdout) return;
  stream.end();
  await finished(stream);
}

/** Writes the CSVs (and the labels JSON) of a simulation to files, closing them at the end. */
export async function writeSimulationFiles(sim: Simulator, files: SimulationFiles, opts: WriteOptions = {}): Promise<WriteSummary> {
  // Reject a layout that cannot be written before any file is created.
  if (opts.format !== undefined && !SIMULATION_FORMATS.includes(opts.format)) throw badFormat('"csv" or "export"', opts.format);
  if (opts.format === 'export') exportDay(sim, opts.from ?? sim.start, opts.to ?? sim.end);
  const counts = open(files.counts);
  const authCodes = files.authCodes ? open(files.authCodes) : undefined;
  const errors: Error[] = [];
  const onError = (err: Error): void => void errors.push(err);
  counts.on('error', onError);
  authCodes?.on('error', onError);
  try {
    const summary = await writeSimulation(sim, { counts, authCodes }, opts);
    await close(counts);
    if (authCodes) await close(authCodes);
    if (files.labels) await writeFile(files.labels, labelsJson(sim, { format: opts.format }));
    return summary;
  } catch (err) {
    if (counts !== process.stdout) counts.destroy();
    if (authCodes && authCodes !== process.stdout) authCodes.destroy();
    throw errors[0] ?? err;
  }
}
