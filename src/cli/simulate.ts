/**
 * `txmon simulate`: writes synthetic traffic with labelled incidents — a counts CSV, optionally an
 * auth-code CSV and a labels JSON — for backtests (precision / recall / delay) and benchmarks.
 */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { TxmonError } from '../domain/errors.ts';
import { minuteToIso, parseTimestamp, toMinute } from '../domain/time.ts';
import { ALL_INCIDENT_KINDS, LEVEL_SHIFT_WINDOW, type IncidentKind } from '../simulate/incidents.ts';
import { RHYTHMS, type Rhythm } from '../simulate/rates.ts';
import {
  DEFAULT_RARE_RATE, DEFAULT_START, MAX_DAYS, MAX_RARE_STATUSES, MAX_SCOPES, Simulator, type RareStatus, type SimulateOptions,
} from '../simulate/simulator.ts';
import {
  SIMULATION_FORMATS, exportDay, writeSimulationFiles, type SimulationFiles, type SimulationFormat, type WriteSummary,
} from '../simulate/write.ts';

/** Raw option values as commander hands them over (strings, or booleans for flags). */
export interface RawSimulateOptions {
  days?: string;
  seed?: string;
  scopes?: string;
  out?: string;
  authCodesOut?: string;
  labelsOut?: string;
  start?: string;
  incidents?: boolean;
  incidentsPerDay?: string;
  volumeScale?: string;
  rhythm?: string;
  format?: string;
  incidentKinds?: string;
  rareStatuses?: string;
}

function badOption(flag: string, expected: string, got: unknown): TxmonError {
  return new TxmonError('TXMON_ERR_BAD_PARAMETER', `${flag} must be ${expected}, got ${got === undefined ? 'nothing' : JSON.stringify(got)}`, {
    field: flag, expected, got,
  });
}

function number(flag: string, v: string, lo: number, hi: number, loOpen: boolean): number {
  const n = Number(v);
  const expected = `a number ${loOpen ? '>' : '≥'} ${lo} and ≤ ${hi}`;
  if (!/^\d+(\.\d+)?$/.test(v.trim()) || (loOpen ? !(n > lo) : !(n >= lo)) || n > hi) throw badOption(flag, expected, v);
  return n;
}

function integer(flag: string, v: string, lo: number, hi: number): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n < lo || n > hi) throw badOption(flag, `an integer from ${lo} to ${hi}`, v);
  return n;
}

const START_FORMAT = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::00)?Z?)?$/;

function startMinute(v: string): number {
  const ms = START_FORMAT.test(v.trim()) ? parseTimestamp(v.trim().replace(/Z$/, '')) : null;
  if (ms === null) throw badOption('--start', 'a UTC date YYYY-MM-DD (or YYYY-MM-DDTHH:MM)', v);
  return toMinute(ms);
}

function checkWritable(flag: string, path: string): void {
  if (path === '-') return;
  const dir = dirname(resolve(path));
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw badOption(flag, `a file in an existing directory (${dir} does not exist)`, path);
}

const quoted = (xs: readonly string[]): string => xs.map((x) => `"${x}"`).join(', ').replace(/, ([^,]*)$/, ' or $1');

/** `--incident-kinds a,b,…`: distinct kinds of ALL_INCIDENT_KINDS. */
function incidentKinds(v: string): IncidentKind[] {
  const expected = `a comma list of distinct incident kinds from ${ALL_INCIDENT_KINDS.join(', ')}`;
  const kinds = v.split(',').map((k) => k.trim());
  const seen = new Set<string>();
  for (const k of kinds) {
    if (!(ALL_INCIDENT_KINDS as readonly string[]).includes(k)) throw badOption('--incident-kinds', expected, k === '' ? v : k);
    if (seen.has(k)) throw badOption('--incident-kinds', `${expected} (${k} is listed twice)`, v);
    seen.add(k);
  }
  return kinds as IncidentKind[];
}

/** `--rare-statuses name[:rate],…`: extra statuses of normal traffic. */
function rareStatuses(v: string): RareStatus[] {
  const items = v.split(',').map((x) => x.trim());
  if (items.length > MAX_RARE_STATUSES) throw badOption('--rare-statuses', `at most ${MAX_RARE_STATUSES} statuses`, v);
  const known = new Set<string>(['approved', 'denied', 'failed', 'reversed', 'backend_reversed', 'refunded', 'processing']);
  return items.map((item) => {
    const m = /^([a-z][a-z0-9_]{0,63})(?::(\d+(?:\.\d+)?|\.\d+))?$/.exec(item);
    if (!m) throw badOption('--rare-statuses', 'a comma list of name[:rate] (lower-case name [a-z][a-z0-9_]*, rate = events per minute in (0, 1], e.g. chargeback:0.002)', item);
    if (known.has(m[1])) throw badOption('--rare-statuses', `names other than the simulated statuses and each other (${m[1]} is taken)`, item);
    known.add(m[1]);
    const rate = m[2] === undefined ? DEFAULT_RARE_RATE : Number(m[2]);
    if (!(rate > 0) || rate > 1) throw badOption('--rare-statuses', 'a rate in (0, 1] events per minute', item);
    return { status: m[1], perMinute: rate };
  });
}

/** Validates the raw CLI options into simulator options, output files and the file layout. */
export function parseSimulateOptions(raw: RawSimulateOptions): { options: SimulateOptions; files: SimulationFiles; format: SimulationFormat } {
  if (raw.out === undefined || raw.out.trim() === '') throw badOption('--out', 'a file path for the counts CSV ("-" for standard output)', raw.out);
  let format: SimulationFormat = 'csv';
  if (raw.format !== undefined) {
    if (!(SIMULATION_FORMATS as readonly string[]).includes(raw.format)) throw badOption('--format', quoted(SIMULATION_FORMATS), raw.format);
    format = raw.format as SimulationFormat;
  }
  const days = raw.days ?? (format === 'export' ? '1' : '14');
  const options: SimulateOptions = {
    days: number('--days', days, 0, MAX_DAYS, true),
    seed: integer('--seed', raw.seed ?? '1', 0, 0xffffffff),
    scopes: integer('--scopes', raw.scopes ?? '1', 1, MAX_SCOPES),
    incidents: raw.incidents !== false,
  };
  if (raw.start !== undefined) options.start = startMinute(raw.start);
  if (raw.incidentsPerDay !== undefined) options.incidentsPerDay = number('--incidents-per-day', raw.incidentsPerDay, 0, 24, false);
  if (raw.volumeScale !== undefined) options.volumeScale = number('--volume-scale', raw.volumeScale, 0, 1000, true);
  if (raw.rhythm !== undefined) {
    if (!(RHYTHMS as readonly string[]).includes(raw.rhythm)) throw badOption('--rhythm', quoted(RHYTHMS), raw.rhythm);
    options.rhythm = raw.rhythm as Rhythm;
  }
  if (raw.incidentKinds !== undefined) options.incidentKinds = incidentKinds(raw.incidentKinds);
  if (raw.rareStatuses !== undefined) options.rareStatuses = rareStatuses(raw.rareStatuses);
  if (format === 'export') {
    if (options.scopes !== 1) throw badOption('--scopes', '1 with --format export (an export holds one scope)', raw.scopes);
    if (options.days > 1) throw badOption('--days', 'at most 1 with --format export (an export holds one day)', days);
    const start = options.start ?? DEFAULT_START;
    const startOfDay = Math.floor(start / 1440) * 1440;
    if (start + Math.max(1, Math.round(options.days * 1440)) > startOfDay + 1440) {
      throw badOption('--start', `a time that leaves --days ${days} inside one UTC day with --format export (an export holds one day)`, raw.start);
    }
  }
  const files: SimulationFiles = { counts: raw.out };
  if (raw.authCodesOut !== undefined) files.authCodes = raw.authCodesOut;
  if (raw.labelsOut !== undefined) {
    if (raw.labelsOut === '-') throw badOption('--labels-out', 'a file path (not "-")', raw.labelsOut);
    files.labels = raw.labelsOut;
  }
  const paths: Array<[string, string | undefined]> = [['--out', files.counts], ['--auth-codes-out', files.authCodes], ['--labels-out', files.labels]];
  const seen = new Map<string, string>();
  for (const [flag, path] of paths) {
    if (path === undefined) continue;
    const key = path === '-' ? '-' : resolve(path);
    const other = seen.get(key);
    if (other) throw badOption(flag, `a different file from ${other}`, path);
    seen.set(key, flag);
    checkWritable(flag, path);
  }
  return { options, files, format };
}

/** Runs a simulation to files and returns the summary lines printed by the command. */
export async function runSimulate(raw: RawSimulateOptions, progress = false): Promise<{ summary: WriteSummary; lines: string[] }> {
  const { options, files, format } = parseSimulateOptions(raw);
  const sim = new Simulator(options);
  const day = format === 'export' ? exportDay(sim) : null;
  const started = performance.now();
  let bar: cliProgress.SingleBar | null = null;
  if (progress) {
    bar = new cliProgress.SingleBar({ stream: process.stderr, format: 'simulate [{bar}] {percentage}% | {value}/{total} minutes | eta {eta}s', hideCursor: true }, cliProgress.Presets.shades_classic);
    bar.start(sim.end - sim.start, 0);
  }
  let summary: WriteSummary;
  try {
    summary = await writeSimulationFiles(sim, files, { format, onProgress: bar ? (done) => bar.update(done) : undefined });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code && e.syscall) throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `cannot write ${e.path ?? 'output'}: ${e.code}`, { field: 'output', got: e.path });
    throw err;
  } finally {
    bar?.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  const byKind = sim.incidentKinds.map((k) => `${k} ${sim.incidents.filter((l) => l.kind === k).length}`).join(', ');
  const notes = [
    ...(sim.incidentKinds.includes('volume_surge') ? ['volume_surge expects no alert'] : []),
    ...(sim.incidentKinds.includes('level_shift') ? [`level_shift expects alerts only in its first ${LEVEL_SHIFT_WINDOW} min`] : []),
  ];
  const rows = summary.countRows + summary.authCodeRows;
  const lines = [
    `simulated ${summary.minutes} minutes (${minuteToIso(sim.start)} → ${minuteToIso(sim.end)}), ${sim.scopes.length} scope${sim.scopes.length > 1 ? 's' : ''}, seed ${sim.seed}`,
    `  counts      ${summary.countRows} rows → ${files.counts}${day ? ` (one-day export of ${day}: read it with --date ${day})` : ''}`,
    ...(files.authCodes ? [`  auth codes  ${summary.authCodeRows} rows → ${files.authCodes}`] : []),
    ...(summary.silentScopeMinutes > 0 ? [`  skipped     ${summary.silentScopeMinutes} silent scope-minutes`] : []),
    `  incidents   ${sim.incidents.length}${sim.incidents.length ? ` (${byKind}${notes.map((n) => `; ${n}`).join('')})` : ''}${files.labels ? ` → ${files.labels}` : ''}`,
    `  took        ${seconds.toFixed(2)} s (${(rows / Math.max(seconds, 1e-3) / 1e6).toFixed(2)} M rows/s)`,
  ];
  return { summary, lines };
}

export function register(program: Command): void {
  program
    .command('simulate')
    .description('write synthetic transaction counts with labelled incidents (for backtests and benchmarks; see docs/simulate.md)')
    .option('--days <n>', `days to simulate, > 0 and ≤ ${MAX_DAYS} (default 14; 1 with --format export)`)
    .option('--seed <n>', 'random seed, integer 0–4294967295 (same seed, same bytes)', '1')
    .option('--scopes <k>', `number of scopes, 1–${MAX_SCOPES} (1: scope "all"; more: pos-01, pos-02, … and a scope column)`, '1')
    .option('--out <file>', 'required: counts CSV, timestamp,status,count[,scope] ("-" for standard output)')
    .option('--auth-codes-out <file>', 'auth-code CSV: timestamp,auth_code,count[,scope]')
    .option('--labels-out <file>', 'incident labels JSON: {"incidents":[…]}')
    .option('--start <YYYY-MM-DD>', 'first day (UTC); default Monday 2025-07-14')
    .option('--no-incidents', 'baseline traffic only')
    .option('--incidents-per-day <n>', 'incidents per day, 0–24 (default 4)')
    .option('--volume-scale <x>', 'multiplier of every scope\'s volume (default 1 ≈ 116 approved/min)')
    .option('--rhythm <kind>', '"retail" daily/weekly rhythm (default), "flat" like the real sample, or "strong": night trough ≈ 6 % of an evening peak (20–21 h), denied share 4 % by day → ≈ 10 % late evening')
    .option('--format <layout>', '"csv" (default) or "export": one-day export, time,status,f0_ with "HHh MM" times, rows only for counts > 0 (one scope, one UTC day; read back with --date)')
    .option('--incident-kinds <list>', `comma list of incident kinds to deal, from ${ALL_INCIDENT_KINDS.join(', ')} (default: all but level_shift)`)
    .option('--rare-statuses <list>', `extra rare statuses of normal traffic, name[:rate per minute] (default rate ${DEFAULT_RARE_RATE}), e.g. chargeback`)
    .addHelpText('after', [
      '',
      'Recipes (docs/simulate.md):',
      '  held-out-like one-day export (strong rhythm, sparse night, 3 incidents):',
      '    txmon simulate --days 1 --rhythm strong --format export --volume-scale 0.3 --incidents-per-day 3 --seed 5 --out day.csv --labels-out day.json',
      '    txmon backtest day.csv --date 2025-07-14 --labels day.json',
      '  14 days with lasting level shifts and a rare status:',
      `    txmon simulate --days 14 --rhythm strong --rare-statuses chargeback --incident-kinds ${ALL_INCIDENT_KINDS.join(',')} --out shifts.csv --labels-out shifts.json`,
    ].join('\n'))
    .action(async (raw: RawSimulateOptions) => {
      const toStdout = raw.out === '-' || raw.authCodesOut === '-';
      const { lines } = await runSimulate(raw, !toStdout && process.stderr.isTTY === true);
      (toStdout ? process.stderr : process.stdout).write(lines.join('\n') + '\n');
    });
}
