/**
 * `txmon score --input series.csv --output scores.csv`: scores any univariate series
 * (`timestamp,value`, NAB format) as a stream and writes `timestamp,value,anomaly_score`, one
 * output row per input row, in order, timestamp and value copied verbatim, score in [0, 1].
 *
 * The file is read and written line by line (memory stays bounded whatever its size). Output goes
 * to a temporary file beside the target and is renamed into place only when the whole input was
 * valid, so a bad row never leaves a half-written score file behind: the command fails with a
 * TxmonError naming the row and field, and the target is untouched.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { TxmonError } from '../domain/errors.ts';
import { CsvStreamScorer } from '../eval/score.ts';

/** Scores `input` into `output`; returns the number of data rows. */
export async function scoreFile(input: string, output: string): Promise<number> {
  const tmp = `${output}.tmp-${process.pid}`;
  const out = createWriteStream(tmp, { encoding: 'utf8' });
  const csv = new CsvStreamScorer();
  let sawHeader = false;
  let buffer: string[] = [];
  const flush = async (): Promise<void> => {
    if (buffer.length === 0) return;
    const chunk = buffer.join('\n') + '\n';
    buffer = [];
    if (!out.write(chunk)) await once(out, 'drain');
  };
  try {
    const input$ = createReadStream(input, { encoding: 'utf8' });
    const lines = createInterface({ input: input$, crlfDelay: Infinity });
    for await (const line of lines) {
      if (!sawHeader) {
        if (line.trim() === '') continue;
        buffer.push(csv.header(line));
        sawHeader = true;
        continue;
      }
      const o = csv.line(line);
      if (o !== null) buffer.push(o);
      if (buffer.length >= 4096) await flush();
    }
    if (!sawHeader) throw new TxmonError('TXMON_ERR_EMPTY_BODY', `${input} is empty: expected a header "timestamp,value" and rows`);
    await flush();
    out.end();
    await once(out, 'finish');
    await rename(tmp, output);
    return csv.rows;
  } catch (err) {
    out.destroy();
    await rm(tmp, { force: true });
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && (err as NodeJS.ErrnoException).path === input) {
      throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `--input ${input}: no such file`, { field: 'input', expected: 'a readable CSV file', got: input });
    }
    if (err instanceof TxmonError) {
      throw err.prefixed(`${input}: `);
    }
    throw err;
  }
}

export function register(program: Command): void {
  program
    .command('score')
    .description('score a univariate series (CSV timestamp,value; NAB format) as a stream: writes timestamp,value,anomaly_score in [0,1]')
    .requiredOption('-i, --input <file>', 'input CSV with a header containing "timestamp" and "value"')
    .requiredOption('-o, --output <file>', 'output CSV (timestamp,value,anomaly_score), written only if the whole input is valid')
    .option('-q, --quiet', 'no summary line on stderr')
    .action(async (opts: { input: string; output: string; quiet?: boolean }) => {
      const t0 = performance.now();
      const rows = await scoreFile(opts.input, opts.output);
      if (!opts.quiet) {
        const ms = performance.now() - t0;
        process.stderr.write(`scored ${rows} rows in ${ms.toFixed(0)} ms → ${opts.output}\n`);
      }
    });
}
