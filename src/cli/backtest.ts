/**
 * `txmon backtest FILE`: runs the live engine over a file on a virtual clock and prints what it
 * would have alerted — alerts per rule and severity, alert-minutes, episodes — and, with
 * `--labels`, per-incident detection, delays, false-alert episodes, precision, recall and F1
 * (definitions in src/eval/metrics.ts). stdout and the `--events-out` file are deterministic;
 * timing goes to stderr only.
 */
import { closeSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { TxmonError } from '../domain/errors.ts';
import { loadConfig } from '../config/config.ts';
import { runBacktest, formatSummary, type AlertEvent, type BacktestRun } from '../eval/backtest.ts';
import { parseLabels, type LabelledIncident } from '../eval/labels.ts';
import { evaluateDetection, type Evaluation } from '../eval/metrics.ts';
import { checkStreamOptions } from '../sources/stream.ts';

export interface BacktestCliOptions {
  authCodes?: string;
  config?: string;
  eventsOut?: string;
  labels?: string;
  date?: string;
  match?: string;
  /** commander's `--no-progress` sets progress: false. */
  progress?: boolean;
  maxEpisodes?: string;
}

/** An NDJSON file written in large blocks; `restart` empties it (the run started again). */
export class EventsFile {
  private readonly fd: number;
  private buf = '';
  private pos = 0;

  constructor(path: string) {
    try {
      this.fd = openSync(path, 'w');
    } catch (err) {
      throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `--events-out: cannot write "${path}": ${(err as Error).message}`, { field: 'events-out' });
    }
  }

  write(e: AlertEvent): void {
    this.buf += JSON.stringify(e) + '\n';
    if (this.buf.length >= 1 << 20) this.flush();
  }

  restart(): void {
    this.buf = '';
    this.pos = 0;
    ftruncateSync(this.fd, 0);
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.buf === '') return;
    const data = Buffer.from(this.buf, 'utf8');
    let off = 0;
    while (off < data.length) off += writeSync(this.fd, data, off, data.length - off, this.pos + off);
    this.pos += data.length;
    this.buf = '';
  }
}

/** Reads and validates a labels file. */
export function readLabelsFile(path: string): LabelledIncident[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `--labels: cannot read "${path}": ${(err as Error).message}`, { field: 'labels' });
  }
  return parseLabels(text, path);
}

/** Runs the command; returns the summary text (stdout) and the run. Progress and timing go to stderr. */
export async function backtestCommand(file: string, o: BacktestCliOptions, stderr: NodeJS.WriteStream = process.stderr): Promise<{ text: string; run: BacktestRun; evaluation: Evaluation | null }> {
  checkStreamOptions({ date: o.date });
  if (o.match !== undefined && o.match !== 'scope' && o.match !== 'status') {
    throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `--match must be "scope" or "status", got ${JSON.stringify(o.match)}`, { field: 'match' });
  }
  const maxEpisodes = o.maxEpisodes === undefined ? 100 : Number(o.maxEpisodes);
  if (!Number.isInteger(maxEpisodes) || maxEpisodes < 0) {
    throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `--max-episodes must be an integer ≥ 0, got ${JSON.stringify(o.maxEpisodes)}`, { field: 'max-episodes' });
  }
  const config = loadConfig(o.config);
  // Labels are checked before the (possibly long) run.
  const incidents = o.labels === undefined ? null : readLabelsFile(o.labels);
  const events = o.eventsOut === undefined ? null : new EventsFile(o.eventsOut);
  let bar: cliProgress.SingleBar | null = null;
  if (o.progress !== false && stderr.isTTY === true) {
    bar = new cliProgress.SingleBar({ stream: stderr, format: 'backtest [{bar}] {percentage}% | {value}/{total} MB | eta {eta}s', hideCursor: true }, cliProgress.Presets.shades_classic);
  }
  const MB = 1024 * 1024;
  let barTotal = -1;
  const started = performance.now();
  let run: BacktestRun;
  try {
    run = await runBacktest({
      file,
      authCodes: o.authCodes,
      date: o.date,
      timeZone: config.timeZone,
      detect: config.detect,
      lifecycle: config.lifecycle,
      graceMs: config.graceMs,
      maxGapMinutes: config.maxGapMinutes,
      onEvent: events ? (e) => events.write(e) : undefined,
      onProgress: bar ? (done, total) => {
        if (barTotal !== total) { barTotal = total; bar!.start(Math.max(1, Math.ceil(total / MB)), 0); }
        bar!.update(Math.floor(done / MB));
      } : undefined,
      onRestart: (reason) => {
        events?.restart();
        if (bar) { bar.stop(); barTotal = -1; }
        stderr.write(`note: ${reason}\n`);
      },
    });
  } finally {
    bar?.stop();
    events?.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const rows = run.fileRows; // rows read from the file(s): zero-fill is not input
  stderr.write(`backtest took ${seconds.toFixed(2)} s (${Math.round(rows / Math.max(seconds, 1e-6)).toLocaleString('en-US')} rows/s)\n`);
  const evaluation = incidents ? evaluateDetection(run.alerts, incidents, { match: (o.match as 'scope' | 'status' | undefined) ?? 'scope' }) : null;
  return { text: formatSummary(run, evaluation, { labelsFile: o.labels, maxEpisodes }), run, evaluation };
}

export function register(program: Command): void {
  program
    .command('backtest')
    .description('run the detection engine over a file on a virtual clock; summarise alerts and, with --labels, precision/recall/delay')
    .argument('<file>', 'counts CSV (timestamp,status,count[,scope], an export time,status,count|f0_, or raw transactions)')
    .option('--auth-codes <file>', 'auth-code counts (timestamp,auth_code,count[,scope]) merged by (scope, minute)')
    .option('--config <file>', 'YAML config (detect, alerting, engine and server.time_zone sections are used)')
    .option('--events-out <file>', 'write every firing / resolved alert change as one JSON object per line')
    .option('--labels <file>', 'incident labels JSON {"incidents":[{id,start,end,statuses,kind,scope,expect_alert}]}')
    .option('--match <rule>', 'how an alert detects an incident: "scope" (any alert of its scope, default) or "status" (also about one of its statuses)')
    .option('--date <YYYY-MM-DD>', 'date of "HHh MM" times in CSV exports')
    .option('--max-episodes <n>', 'episodes listed in the summary (default 100)')
    .option('--no-progress', 'no progress bar (it is shown on a terminal only)')
    .action(async (file: string, opts: BacktestCliOptions) => {
      const { text } = await backtestCommand(file, opts);
      process.stdout.write(text);
    });
}
