/**
 * `txmon checkout analyze FILE... [--out DIR] [--format md|html|json]`
 *
 * For each hourly POS checkout file: parse → (load into the store: seam, see below) → analyse →
 * write `<name>.svg`, `<name>.png` and `<name>.<format>` to --out → print the conclusion.
 * Every file is parsed before anything is written, so a bad file fails the command with no
 * partial output.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { TxmonError } from '../domain/errors.ts';
import { analyzeCheckout, type CheckoutAnalysis } from '../report/checkout/analyze.ts';
import { checkoutChartOption } from '../report/checkout/chart.ts';
import { parseCheckoutCsv, type CheckoutRow } from '../report/checkout/parse.ts';
import { checkoutReportHtml, checkoutReportJson, checkoutReportMarkdown } from '../report/checkout/report.ts';
import { renderSvg, svgToPng, type ChartSize } from '../report/render.ts';

export const CHECKOUT_FORMATS = ['md', 'html', 'json'] as const;
export type CheckoutFormat = (typeof CHECKOUT_FORMATS)[number];

/** Size of the checkout charts. */
export const CHECKOUT_CHART_SIZE: ChartSize = { width: 960, height: 480 };

/**
 * The seam where the store plugs in: load one parsed file into table `checkout_hours`
 * (one `source` per POS / file; see src/store/queries/checkout_hourly.sql). The store does not
 * exist yet, so the command runs without it; when it does, pass a loader here (and run the
 * `checkout_hourly` query for the source if the report should show it).
 */
export type CheckoutStoreLoader = (source: string, rows: readonly CheckoutRow[]) => Promise<void>;

export interface CheckoutAnalyzeCommandOptions {
  /** Output directory; created when missing. */
  out: string;
  format: CheckoutFormat;
}

export interface CheckoutCommandDeps {
  /** Loads each parsed file into the store before it is analysed; absent = no store. */
  loadIntoStore?: CheckoutStoreLoader;
  /** Where conclusions are printed; default stdout. */
  print?: (text: string) => void;
}

/** What was produced for one file. */
export interface CheckoutFileResult {
  file: string;
  source: string;
  analysis: CheckoutAnalysis;
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
  throw new TxmonError('TXMON_ERR_BAD_PARAMETER', 400, `--format must be one of ${CHECKOUT_FORMATS.join(', ')}, got ${JSON.stringify(value)}`, {
    field: 'format', expected: CHECKOUT_FORMATS.join('|'), got: value,
  });
}

async function readCheckoutFile(file: string): Promise<CheckoutRow[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new TxmonError('TXMON_ERR_NOT_FOUND', 404, `cannot read checkout file ${file}: ${code ?? (err as Error).message}`, { field: 'file', got: file });
  }
  try {
    return parseCheckoutCsv(text);
  } catch (err) {
    if (err instanceof TxmonError) throw new TxmonError(err.code, err.httpStatus, `${file}: ${err.message}`, err.detail);
    throw err;
  }
}

function renderReport(analysis: CheckoutAnalysis, format: CheckoutFormat, svg: string, pngName: string): string {
  if (format === 'json') return checkoutReportJson(analysis);
  if (format === 'html') return checkoutReportHtml(analysis, svg);
  return checkoutReportMarkdown(analysis, { chartPath: pngName });
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
  if (files.length === 0) throw new TxmonError('TXMON_ERR_BAD_PARAMETER', 400, 'checkout analyze needs at least one FILE', { field: 'file' });
  const print = deps.print ?? ((text: string) => process.stdout.write(text + '\n'));

  const seen = new Map<string, string>();
  for (const file of files) {
    const source = checkoutSourceName(file);
    const other = seen.get(source);
    if (other !== undefined) {
      throw new TxmonError('TXMON_ERR_BAD_PARAMETER', 400, `${file} and ${other} would both write "${source}.*"; rename one`, { field: 'file', got: file });
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
    const analysis = analyzeCheckout(rows, source);
    const svg = renderSvg(checkoutChartOption(analysis), CHECKOUT_CHART_SIZE);
    const outputs = { svg: join(out, `${source}.svg`), png: join(out, `${source}.png`), report: join(out, `${source}.${format}`) };
    await writeFile(outputs.svg, svg);
    await writeFile(outputs.png, svgToPng(svg));
    await writeFile(outputs.report, renderReport(analysis, format, svg, `${source}.png`));
    print(`${analysis.conclusion}\n  → ${outputs.report}, ${outputs.png}, ${outputs.svg}`);
    results.push({ file, source, analysis, outputs });
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
    .action(async (files: string[], opts: { out: string; format: string }) => {
      await runCheckoutAnalyze(files, { out: opts.out, format: parseFormat(opts.format) });
    });
}
