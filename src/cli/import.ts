/** `txmon import FILE`: bulk-loads a file into the store through the engine, with a progress bar. */
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { loadConfig } from '../config/config.ts';
import { TxmonError } from '../domain/errors.ts';
import { openStore } from '../store/open.ts';
import { engineFromConfig } from '../engine/fromConfig.ts';
import { wallClock } from '../domain/clock.ts';
import { batchesByMinute, chunk, readBatchFile, type FileKind } from '../sources/file.ts';
import { isoDate } from './options.ts';

export function register(program: Command): void {
  program
    .command('import')
    .description('bulk-load a file (counts, auth codes or raw transactions; CSV, JSON or NDJSON) and evaluate its minutes')
    .argument('<file>', 'file to load')
    .option('--db <url>', 'store (default ./data/txmon.db, env TXMON_DATABASE_URL)')
    .option('-c, --config <file>', 'YAML configuration file')
    .option('--date <YYYY-MM-DD>', 'date of "HHh MM" times in CSV exports', isoDate)
    .option('--kind <kind>', 'counts, auth-codes or raw (default: from the header)')
    .option('--scope <scope>', 'scope of rows that name none (default "all")')
    .option('--no-progress', 'no progress bar')
    .action(async (file: string, opts) => {
      const config = loadConfig(opts.config);
      if (opts.kind !== undefined && !['counts', 'auth-codes', 'raw'].includes(opts.kind)) {
        throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `--kind must be counts, auth-codes or raw, got "${opts.kind}"`, { field: 'kind' });
      }
      const { kind, batch } = readBatchFile(file, { date: opts.date, timeZone: config.timeZone, kind: opts.kind as FileKind | undefined, scope: opts.scope });
      const store = await openStore(opts.db ?? config.storeUrl, { sqliteSynchronous: config.sqliteSynchronous });
      // The service's engine, from the same configuration, without notifications: importing history
      // is not news (README, `txmon import`).
      const engine = engineFromConfig(config, { store, clock: wallClock });
      await engine.start();
      const minutes = batchesByMinute(batch);
      const chunks = chunk(minutes, 240);
      const bar = opts.progress && process.stderr.isTTY ? new SingleBar({ format: 'import [{bar}] {percentage}% | {value}/{total} minutes | {eta_formatted} left' }, Presets.shades_classic) : null;
      bar?.start(minutes.length, 0);
      let done = 0, alerts = 0, evaluated = 0;
      const t0 = performance.now();
      for (const c of chunks) {
        const outcome = await engine.ingest(c, { complete: kind === 'counts' });
        evaluated += outcome.evaluated.length;
        alerts += outcome.alerts.filter((a) => a.state !== 'resolved').length;
        done += new Set(c.counts.map((x) => x.minute).concat(c.authCodes.map((x) => x.minute), c.raw.map((x) => x.minute))).size;
        bar?.update(done);
      }
      bar?.stop();
      await store.close();
      const rows = batch.counts.length + batch.authCodes.length + batch.raw.length;
      const secs = (performance.now() - t0) / 1000;
      process.stdout.write(`imported ${rows} ${kind} rows over ${minutes.length} minutes in ${secs.toFixed(1)} s (${Math.round(rows / secs)} rows/s); ${evaluated} minutes evaluated, ${alerts} alert updates\n`);
    });
}
