/**
 * `txmon checkout analyze FILE... [--out DIR] [--format md|html|json]`
 *
 * For each hourly POS checkout file: parse → load into the store (table `checkout_hours`, source =
 * file name without extension) only when asked: `--db URL`, or `--store` for the configured store) →
 * analyse → write `<name>.svg`, `<name>.png` and `<name>.<format>` to --out → print the conclusion.
 * With a store, the report also carries the rows of the named query `checkout_hourly` for the
 * source (JSON: `storeQuery`; md/html: a short table). Every file is parsed before anything is
 * written, so a bad file fails the command with no partial output.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { TxmonError } from '../domain/errors.ts';
import { analyzeCheckout, type CheckoutAnalysis } from '../checkout/analyze.ts';
import { checkoutChartOption } from '../checkout/chart.ts';
import { parseCheckoutCsv } from '../checkout/parse.ts';
import type { CheckoutRow } from '../domain/checkout.ts';
import { checkoutReportHtml, checkoutReportJson, checkoutReportMarkdown, escapeHtml } from '../checkout/report.ts';
import { loadConfig } from '../config/config.ts';
import { runNamedQuery } from '../store/namedQueries.ts';
import { openStore } from '../store/open.ts';
import type { CheckoutStore, QueryStore } from '../store/store.ts';
import { renderSvg, svgToPng, type ChartSize } from '../report/render.ts';

export const CHECKOUT_FORMATS = ['md', 'html', 'json'] as const;
export type CheckoutFormat = (typeof CHECKOUT_FORMATS)[number];

/** Size of the checkout charts. */
export const CHECKOUT_CHART_SIZE: ChartSize = { width: 960, height: 480 };

/**
 * The seam where the store plugs in: load one parsed file into table `checkout_hours`
 * (one `source` per POS / file; see src/store/queries/checkout_hourly.sql).
 * {@link checkoutStoreDeps} builds it from a Store (`Store.writeCheckout`).
 */
export type CheckoutStoreLoader = (source: string, rows: readonly CheckoutRow[]) => Promise<void>;

/** Reads back one stored source: the rows of the named query `checkout_hourly`. */
export type CheckoutHourlyQuery = (source: string) => Promise<Array<Record<string, unknown>>>;

/** The name of the named query whose rows the report carries. */
export const CHECKOUT_HOURLY_QUERY = 'checkout_hourly';

/** Store-backed deps for {@link runCheckoutAnalyze}: write with `writeCheckout`, read with `checkout_hourly`. */
export function checkoutStoreDeps(store: CheckoutStore & QueryStore): Required<Pick<CheckoutCommandDeps, 'loadIntoStore' | 'queryHourly'>> {
  return {
    loadIntoStore: (source, rows) => store.writeCheckout(source, rows),
    queryHourly: async (source) => (await runNamedQuery(store, CHECKOUT_HOURLY_QUERY, { source })).rows,
  };
}

export interface CheckoutAnalyzeCommandOptions {
  /** Output directory; created when missing. */
  out: string;
  format: CheckoutFormat;
}

export interface CheckoutCommandDeps {
  /** Loads each parsed file into the store before it is analysed; absent = no store. */
  loadIntoStore?: CheckoutStoreLoader;
  /** Runs `checkout_hourly` for a loaded source; its rows go into the report. Absent = none. */
  queryHourly?: CheckoutHourlyQuery;
  /** Where conclusions are printed; default stdout. */
  print?: (text: string) => void;
}

/** What was produced for one file. */
export interface CheckoutFileResult {
  file: string;
  source: string;
  analysis: CheckoutAnalysis;
  /** Rows of `checkout_hourly` for the source, when a store was used. */
  storeQuery?: Array<Record<string, unknown>>;
  outputs: { svg: string; png: string; report: string };
}

/** The source name of a file: its base name without extension ("data/checkout_1.csv" → "checkout_1"). */
export function checkoutSourceName(file: string): string {
  const base = basename(file);
  const ext = extname(base);
  return ext ? base.slice(0, -ext.length) : base;
}

function parseFormat(value: string): CheckoutFormat {
  if ((CHECKOUT_FORMATS as readonly string[]).includes(value)) return value as CheckoutFormat;
  throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `--format must be one of ${CHECKOUT_FORMATS.join(', ')}, got ${JSON.stringify(value)}`, {
    field: 'format', expected: CHECKOUT_FORMATS.join('|'), got: value,
  });
}

async function readCheckoutFile(file: string): Promise<CheckoutRow[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new TxmonError('TXMON_ERR_NOT_FOUND', `cannot read checkout file ${file}: ${code ?? (err as Error).message}`, { field: 'file', got: file });
  }
  try {
    return parseCheckoutCsv(text);
  } catch (err) {
    if (err instanceof TxmonError) throw err.prefixed(`${file}: `);
    throw err;
  }
}

/** Columns of the short store table in md/html reports (the JSON carries every column). */
const STORE_TABLE_COLUMNS = ['hour', 'today', 'yesterday', 'pct_yesterday', 'same_day_last_week', 'pct_same_day_last_week', 'avg_last_month', 'pct_avg_last_month'] as const;

function cell(v: unknown): string {
  if (v === null || v === undefined) return '—';
  return typeof v === 'number' && !Number.isInteger(v) ? String(Number(v.toFixed(2))) : String(v);
}

function storeTableMarkdown(rows: ReadonlyArray<Record<string, unknown>>): string {
  const lines = [
    `## Stored hours (named query \`${CHECKOUT_HOURLY_QUERY}\`)`, '',
    `| ${STORE_TABLE_COLUMNS.join(' | ')} |`,
    `| ${STORE_TABLE_COLUMNS.map(() => '---:').join(' | ')} |`,
  ];
  for (const r of rows) lines.push(`| ${STORE_TABLE_COLUMNS.map((c) => cell(r[c])).join(' | ')} |`);
  return lines.join('\n') + '\n';
}

function storeTableHtml(rows: ReadonlyArray<Record<string, unknown>>): string {
  const head = STORE_TABLE_COLUMNS.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = rows.map((r) => `<tr>${STORE_TABLE_COLUMNS.map((c) => `<td>${escapeHtml(cell(r[c]))}</td>`).join('')}</tr>`).join('\n');
  return `<section><h2>Stored hours (named query <code>${CHECKOUT_HOURLY_QUERY}</code>)</h2>\n<table><thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table></section>\n`;
}

function renderReport(analysis: CheckoutAnalysis, format: CheckoutFormat, svg: string, pngName: string, storeQuery?: Array<Record<string, unknown>>): string {
  if (format === 'json') {
    if (!storeQuery) return checkoutReportJson(analysis);
    const doc = JSON.parse(checkoutReportJson(analysis)) as Record<string, unknown>;
    return JSON.stringify({ ...doc, storeQuery: { query: CHECKOUT_HOURLY_QUERY, rows: storeQuery } }, null, 2) + '\n';
  }
  if (format === 'html') {
    const html = checkoutReportHtml(analysis, svg);
    if (!storeQuery) return html;
    const at = html.lastIndexOf('</body>');
    return at < 0 ? html + storeTableHtml(storeQuery) : html.slice(0, at) + storeTableHtml(storeQuery) + html.slice(at);
  }
  const md = checkoutReportMarkdown(analysis, { chartPath: pngName });
  return storeQuery ? `${md.trimEnd()}\n\n${storeTableMarkdown(storeQuery)}` : md;
}

/**
 * Runs `checkout analyze` on the given files. Returns what it produced (tests and other commands
 * use it); prints one conclusion per file.
 */
export async function runCheckoutAnalyze(
  files: readonly string[],
  options: CheckoutAnalyzeCommandOptions,
  deps: CheckoutCommandDeps = {},
): Promise<CheckoutFileResult[]> {
  const format = parseFormat(options.format);
  if (files.length === 0) throw new TxmonError('TXMON_ERR_BAD_PARAMETER', 'checkout analyze needs at least one FILE', { field: 'file' });
  const print = deps.print ?? ((text: string) => process.stdout.write(text + '\n'));

  const seen = new Map<string, string>();
  for (const file of files) {
    const source = checkoutSourceName(file);
    const other = seen.get(source);
    if (other !== undefined) {
      throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `${file} and ${other} would both write "${source}.*"; rename one`, { field: 'file', got: file });
    }
    seen.set(source, file);
  }
  // Parse everything first: a bad file stops the command before anything is written.
  const parsed: Array<{ file: string; source: string; rows: CheckoutRow[] }> = [];
  for (const file of files) parsed.push({ file, source: checkoutSourceName(file), rows: await readCheckoutFile(file) });

  const out = resolve(options.out);
  await mkdir(out, { recursive: true });
  const results: CheckoutFileResult[] = [];
  for (const { file, source, rows } of parsed) {
    if (deps.loadIntoStore) await deps.loadIntoStore(source, rows);
    const storeQuery = deps.queryHourly ? await deps.queryHourly(source) : undefined;
    const analysis = analyzeCheckout(rows, source);
    const svg = renderSvg(checkoutChartOption(analysis), CHECKOUT_CHART_SIZE);
    const outputs = { svg: join(out, `${source}.svg`), png: join(out, `${source}.png`), report: join(out, `${source}.${format}`) };
    await writeFile(outputs.svg, svg);
    await writeFile(outputs.png, svgToPng(svg));
    await writeFile(outputs.report, renderReport(analysis, format, svg, `${source}.png`, storeQuery));
    print(`${analysis.conclusion}\n  → ${outputs.report}, ${outputs.png}, ${outputs.svg}`);
    results.push({ file, source, analysis, ...(storeQuery ? { storeQuery } : {}), outputs });
  }
  return results;
}

/** Registers `txmon checkout analyze`. */
export function register(program: Command): void {
  const checkout = program.command('checkout').description('POS checkout analysis: today against yesterday, last week and last month');
  checkout
    .command('analyze')
    .description('analyse hourly checkout files: anomalies, episodes, lost sales; writes charts (PNG, SVG) and a report')
    .argument('<file...>', 'checkout CSV files (time,today,yesterday,same_day_last_week,avg_last_week,avg_last_month)')
    .option('--out <dir>', 'output directory', './out/checkout')
    .option('--format <format>', `report format: ${CHECKOUT_FORMATS.join('|')}`, 'md')
    .option('--db <url>', 'also load the files into this store: SQLite file, ":memory:" or postgres://…')
    .option('--store', 'also load the files into the configured store (server.store / TXMON_DATABASE_URL; --config)')
    .option('--no-store', 'do not load the files into any store (the default)')
    .option('-c, --config <file>', 'YAML configuration file (for --store)')
    .action(async (files: string[], opts: { out: string; format: string; db?: string; config?: string; store?: boolean }) => {
      const format = parseFormat(opts.format);
      // Files go into a store only when asked: never silently into a running server's database.
      if (opts.db === undefined && opts.store !== true) {
        await runCheckoutAnalyze(files, { out: opts.out, format });
        return;
      }
      const store = await openStore(opts.db ?? loadConfig(opts.config).storeUrl);
      try {
        await runCheckoutAnalyze(files, { out: opts.out, format }, checkoutStoreDeps(store));
      } finally {
        await store.close();
      }
    });
}
