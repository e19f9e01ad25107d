/**
 * Writers of simulated traffic: the counts CSV (`timestamp,status,count[,scope]`), the auth-code
 * CSV (`timestamp,auth_code,count[,scope]`) and the incident labels JSON. They stream in chunks
 * and wait for the destination to drain, so memory stays flat for any number of rows.
 */
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import type { EpochMinute } from '../domain/types.ts';
import { minuteToIso } from '../domain/time.ts';
import { C, N_COMPONENTS } from './rates.ts';
import type { Simulator } from './simulator.ts';

/** `YYYY-MM-DD HH:MM:SS` (UTC), the timestamp format of the real CSV files. */
export function csvTimestamp(minute: EpochMinute): string {
  const iso = minuteToIso(minute);
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

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
  const multi = sim.scopes.length > 1;
  const suffix = sim.scopes.map((s) => (multi ? `,${s}\n` : '\n'));
  const counts = new ChunkSink(targets.counts);
  const auth = targets.authCodes ? new ChunkSink(targets.authCodes) : null;
  const v = new Int32Array(N_COMPONENTS);
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

/**
 * The labels document: `{"incidents":[{id,start,end,statuses,kind,scope,expect_alert,severity,
 * description}], "simulation": {…}}`, pretty-printed. `simulation` records how to regenerate it.
 */
export function labelsJson(sim: Simulator): string {
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
  const simulation = {
    seed: sim.seed,
    start: minuteToIso(sim.start),
    end: minuteToIso(sim.end),
    scopes: sim.scopes,
    rhythm: sim.rhythm,
    volumeScale: sim.volumeScale,
  };
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
    if (files.labels) await writeFile(files.labels, labelsJson(sim));
    return summary;
  } catch (err) {
    if (counts !== process.stdout) counts.destroy();
    if (authCodes && authCodes !== process.stdout) authCodes.destroy();
    throw errors[0] ?? err;
  }
}
