/**
 * `txmon eval PATH…`: evaluates `txmon score` over labelled series — CSV files, or folders searched
 * recursively for `*.csv` (in sorted order), each with a timestamp, a value and a 0/1 label column
 * (`TimeStamp,Value,Label` in the Microsoft corpus). Each file is scored from a fresh state, one
 * record at a time, exactly as `txmon score` scores it; then the corpus is measured: composite F
 * with one threshold found by a sweep, event metrics at that threshold, and the windowed
 * NAB-style score under three cost profiles (definitions: src/eval/composite.ts,
 * src/eval/windowed.ts, docs/scoring.md).
 *
 * `--scores DIR` measures scores computed elsewhere instead (one `…,anomaly_score` CSV per series,
 * mirroring the data: DIR/<path relative to the folder argument>, or DIR/<file name> for a file
 * argument). Output is deterministic (timings go to stderr); `--format json` for machines.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { Command } from 'commander';
import { TxmonError } from '../domain/errors.ts';
import { parseLabelledCsv, splitCsvLine, unquoteField, type LabelledSeries } from '../eval/labelled.ts';
import { evaluateScored, formatReport, reportJson, scoreSeries } from '../eval/evaluate.ts';
import type { ScoredSeries } from '../eval/composite.ts';

export interface EvalCliOptions {
  format?: string;
  scores?: string;
  perFile?: boolean;
}

interface Found {
  path: string;
  /** Path shown in reports and used under --scores. */
  rel: string;
}

function listCsv(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? listCsv(p) : f.toLowerCase().endsWith('.csv') ? [p] : [];
    });
}

/** Expands the PATH arguments into labelled CSV files (folders recursively, sorted). */
export function findFiles(paths: readonly string[]): Found[] {
  const out: Found[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `${p}: no such file or folder`, { field: 'PATH', expected: 'a labelled CSV file or a folder of them', got: p });
    }
    if (st.isDirectory()) {
      const files = listCsv(p);
      if (files.length === 0) throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `${p}: no .csv files in this folder`, { field: 'PATH', expected: 'a folder with labelled CSV files', got: p });
      for (const f of files) out.push({ path: f, rel: relative(p, f) });
    } else out.push({ path: p, rel: basename(p) });
  }
  return out;
}

function readScores(file: string, series: LabelledSeries): Float64Array {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `--scores: no score file ${file} for ${series.name}`, { field: 'scores', expected: 'a score CSV mirroring each data file', got: file });
  }
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)).filter((l) => l.trim() !== '');
  const header = splitCsvLine(lines[0] ?? '', () => new TxmonError('TXMON_ERR_BAD_CSV', `${file}: header: unterminated quoted field`)).map((c) => unquoteField(c).toLowerCase());
  const col = header.indexOf('anomaly_score');
  if (col === -1) throw new TxmonError('TXMON_ERR_BAD_CSV', `${file}: header must have an "anomaly_score" column`, { row: 0, field: 'header', expected: 'anomaly_score' });
  const rows = lines.length - 1;
  if (rows !== series.values.length) throw new TxmonError('TXMON_ERR_BAD_CSV', `${file}: ${rows} score rows for ${series.values.length} data rows in ${series.name}`, { expected: `${series.values.length} rows`, got: rows });
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const f = splitCsvLine(lines[i + 1], () => new TxmonError('TXMON_ERR_BAD_CSV', `${file}: row ${i + 1}: unterminated quoted field`, { row: i + 1 }));
    const v = Number(unquoteField(f[col] ?? ''));
    if (!Number.isFinite(v)) throw new TxmonError('TXMON_ERR_VALIDATION', `${file}: row ${i + 1}: field "anomaly_score" must be a number, got ${JSON.stringify(f[col] ?? '')}`, { row: i + 1, field: 'anomaly_score' });
    out[i] = v;
  }
  return out;
}

/** Runs the evaluation; returns the text to print on stdout. */
export function evalCommand(paths: readonly string[], opts: EvalCliOptions): string {
  const format = opts.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `--format must be "text" or "json", got ${JSON.stringify(format)}`, { field: 'format', expected: 'text | json', got: format });
  if (paths.length === 0) throw new TxmonError('TXMON_ERR_BAD_PARAMETER', 'give at least one labelled CSV file or folder', { field: 'PATH' });
  const scored: ScoredSeries[] = findFiles(paths).map(({ path, rel }) => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `${path}: cannot read: ${(err as Error).message}`, { field: 'PATH', got: path });
    }
    const series = parseLabelledCsv(text, path);
    const scores = opts.scores ? readScores(join(opts.scores, rel), series) : scoreSeries(series);
    return { name: rel, labels: series.labels, scores, times: series.times };
  });
  const report = evaluateScored(scored);
  return format === 'json' ? JSON.stringify(reportJson(report), null, 2) + '\n' : formatReport(report, opts.perFile !== false);
}

export function register(program: Command): void {
  program
    .command('eval')
    .description('evaluate `txmon score` on labelled series (CSV timestamp,value,label files or folders): composite F with one corpus threshold, event metrics, NAB-style windowed scores')
    .argument('<paths...>', 'labelled CSV files or folders (searched recursively for .csv)')
    .option('--format <format>', 'text or json', 'text')
    .option('--scores <dir>', 'measure these score files (mirroring the data) instead of running txmon score')
    .option('--no-per-file', 'print only the corpus summary (text format)')
    .action((paths: string[], opts: EvalCliOptions) => {
      const t0 = performance.now();
      process.stdout.write(evalCommand(paths, opts));
      process.stderr.write(`eval took ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    });
}
