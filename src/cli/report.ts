/**
 * `txmon report [--from T] [--to T] [--range R] [--scope S] [--db URL] [--config F] --out FILE.png|.svg|.html`
 *
 * Renders the dashboard's main panels from the store on the server — the same chart
 * specifications the live page draws (src/report/charts.ts), ECharts SSR + resvg, no browser.
 */
import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Command } from 'commander';
import { TxmonError } from '../domain/errors.ts';
import { parseTimestamp } from '../domain/time.ts';
import { loadConfig } from '../config/config.ts';
import { openExistingStore } from '../store/open.ts';
import { DetectionModel } from '../detect/model.ts';
import { buildDashboardView, loadPanelData, RANGES } from '../report/panels.ts';
import { renderReport, type ReportFormat } from '../report/report.ts';

const FORMATS: Record<string, ReportFormat> = { '.png': 'png', '.svg': 'svg', '.html': 'html', '.htm': 'html' };

export interface ReportCommandOptions {
  out: string;
  from?: string;
  to?: string;
  range?: string;
  scope?: string;
  db?: string;
  config?: string;
  width?: number;
}

/** Runs the report command; returns what was written (for tests and the log line). */
export async function runReport(opts: ReportCommandOptions): Promise<{ path: string; format: ReportFormat; bytes: number; alerts: number; empty: boolean }> {
  const format = FORMATS[extname(opts.out).toLowerCase()];
  if (!format) throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `--out must end in .png, .svg or .html, got "${opts.out}"`, { field: 'out' });
  const range = opts.range ?? 'all';
  if (!(range in RANGES)) throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `--range must be one of ${Object.keys(RANGES).join(', ')}, got "${range}"`, { field: 'range' });
  const config = loadConfig(opts.config);
  const time = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const ms = parseTimestamp(v, config.timeZone);
    if (ms === null) throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `--${name} must be a timestamp such as 2025-07-12T13:00:00Z, got "${v}"`, { field: name });
    return ms;
  };
  const fromMs = time('from', opts.from);
  const toMs = time('to', opts.to);
  if (fromMs !== undefined && toMs !== undefined && toMs <= fromMs) {
    throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `--to (${opts.to}) must be after --from (${opts.from})`, { field: 'to' });
  }
  const store = await openExistingStore(opts.db ?? config.storeUrl, opts.db !== undefined ? '--db' : 'store.url');
  try {
    const probe = new DetectionModel(config.detect);
    const loaded = await loadPanelData(
      { store, detect: probe.config, timeZone: config.timeZone, newModel: () => new DetectionModel(config.detect) },
      { scope: opts.scope, range, fromMs, toMs },
    );
    const view = buildDashboardView(loaded, probe.config);
    const body = renderReport(view, format, { width: opts.width, title: 'txmon report' });
    writeFileSync(opts.out, body);
    return { path: opts.out, format, bytes: Buffer.byteLength(body), alerts: view.alerts.length, empty: view.empty };
  } finally {
    await store.close();
  }
}

export function register(program: Command): void {
  program
    .command('report')
    .description('render the dashboard panels to a PNG, SVG or HTML file (server-side, no browser)')
    .requiredOption('-o, --out <file>', 'output file: .png, .svg or .html')
    .option('--from <time>', 'start of the range (ISO-8601; naive times in server.time_zone)')
    .option('--to <time>', 'end of the range, exclusive (default: the scope\'s latest minute)')
    .option('--range <range>', `range back from --to or the latest minute when --from is not given: ${Object.keys(RANGES).join(', ')}`, 'all')
    .option('--scope <scope>', 'scope to report on', 'all')
    .option('--db <url>', 'store: SQLite file or postgres://… (default from config / TXMON_DATABASE_URL)')
    .option('-c, --config <file>', 'YAML configuration file (detector thresholds, time zone)')
    .option('--width <px>', 'page width in pixels', (v) => {
      const n = Number(v);
      if (!/^\d+$/.test(v) || n < 800 || n > 6000) throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `--width must be an integer from 800 to 6000, got "${v}"`);
      return n;
    })
    .action(async (opts: ReportCommandOptions) => {
      const started = Date.now();
      const r = await runReport(opts);
      process.stdout.write(`wrote ${r.path} (${r.format}, ${r.bytes} bytes, ${r.alerts} alerts${r.empty ? ', no data in range' : ''}) in ${Date.now() - started} ms\n`);
    });
}
