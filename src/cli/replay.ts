/** `txmon replay FILE --to URL`: streams a file to a running server minute by minute, like a live feed. */
import type { Command } from 'commander';
import { TxmonError } from '../domain/errors.ts';
import { minuteToIso, toMinute } from '../domain/time.ts';
import { batchesByMinute, readBatchFile } from '../sources/file.ts';
import { isoDate, nonNegativeNumber } from './options.ts';

export function register(program: Command): void {
  program
    .command('replay')
    .description('stream a CSV/JSON file to a running txmon server, one minute per request')
    .argument('<file>', 'counts file (timestamp,status,count[,scope] or an export)')
    .requiredOption('--to <url>', 'base URL of the server, e.g. http://localhost:8080')
    .option('--speed <n>', 'simulated minutes per real minute (60 = one minute per second; 0 = as fast as possible)', nonNegativeNumber('--speed'), 60)
    .option('--shift-to-now', 'move timestamps so the last minute of the file is the current minute')
    .option('--date <YYYY-MM-DD>', 'date of "HHh MM" times in CSV exports', isoDate)
    .option('--token <token>', 'API token (env TXMON_TOKEN)')
    .option('--quiet', 'print only alerts and the summary')
    .action(async (file: string, opts) => {
      let base: URL;
      try {
        base = new URL(opts.to);
      } catch {
        throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `--to must be a URL such as http://localhost:8080, got "${opts.to}"`);
      }
      const { kind, batch } = readBatchFile(file, { date: opts.date });
      const minutes = batchesByMinute(batch);
      if (minutes.length === 0) throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `${file}: no rows`);
      const shift = opts.shiftToNow ? toMinute(Date.now()) - minutes[minutes.length - 1].minute : 0;
      const endpoint = new URL(kind === 'auth-codes' ? '/api/v1/auth-codes' : kind === 'raw' ? '/api/v1/transactions/raw' : '/api/v1/transactions', base);
      endpoint.searchParams.set('complete', kind === 'counts' ? 'true' : 'false');
      const token = opts.token ?? process.env.TXMON_TOKEN;
      const delayMs = opts.speed > 0 ? 60_000 / opts.speed : 0;
      let sent = 0, alertMinutes = 0;
      for (const { minute, batch: b } of minutes) {
        const started = Date.now();
        const rows = kind === 'counts'
          ? b.counts.map((c) => ({ timestamp: minuteToIso(c.minute + shift), status: c.status, count: c.count, scope: c.scope }))
          : kind === 'auth-codes'
            ? b.authCodes.map((a) => ({ timestamp: minuteToIso(a.minute + shift), auth_code: a.authCode, count: a.count, scope: a.scope }))
            : b.raw.map((r) => ({ id: r.id, timestamp: new Date(r.at + shift * 60_000).toISOString(), status: r.status, auth_code: r.authCode, amount: r.amount, scope: r.scope }));
        let res: Response;
        try {
          res = await fetch(endpoint, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
            body: JSON.stringify(rows),
          });
        } catch (err) {
          throw unreachable(endpoint, err, sent);
        }
        let answer: { should_alert?: boolean; message?: string; error?: { code: string; message: string } };
        try {
          answer = (await res.json()) as typeof answer;
        } catch {
          throw new TxmonError('TXMON_ERR_UNREACHABLE', `${endpoint.origin} answered HTTP ${res.status} with a body that is not JSON: is --to the address of a txmon server?`);
        }
        if (!res.ok) throw TxmonError.forwarded('TXMON_ERR_BAD_PARAMETER', res.status, `server rejected minute ${minuteToIso(minute + shift)}: ${answer.error?.code} ${answer.error?.message}`);
        sent++;
        if (answer.should_alert) alertMinutes++;
        if (answer.should_alert || !opts.quiet) process.stdout.write(`${minuteToIso(minute + shift)} ${answer.should_alert ? 'ALERT ' : ''}${answer.message}\n`);
        const wait = delayMs - (Date.now() - started);
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      process.stdout.write(`replayed ${sent} minutes to ${endpoint.origin}; ${alertMinutes} answered should_alert\n`);
    });
}

/** Why a request to `url` failed, in words (fetch only says "fetch failed"; the reason is its cause). */
export function unreachable(url: URL, err: unknown, sent: number): TxmonError {
  const cause = (err as { cause?: NodeJS.ErrnoException & { errors?: NodeJS.ErrnoException[] } }).cause;
  const code = cause?.code ?? cause?.errors?.[0]?.code;
  const why = code === 'ECONNREFUSED' ? 'connection refused: nothing listens there (is `txmon serve` running, on that port?)'
    : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? `host name ${JSON.stringify(url.hostname)} does not resolve`
      : code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' ? 'connection timed out'
        : code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' ? 'the connection was closed before an answer (is it an HTTP server?)'
          : `${code ? code + ': ' : ''}${cause?.message ?? (err as Error).message}`;
  const progress = sent > 0 ? ` after ${sent} minute(s) were sent` : '';
  return new TxmonError('TXMON_ERR_UNREACHABLE', `cannot reach ${url.origin} (POST ${url.pathname})${progress}: ${why}`);
}
