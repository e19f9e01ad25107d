/**
 * File source: reads a CSV / JSON / NDJSON file of counts, auth codes or raw transactions into a
 * MinuteBatch through the same parsers as the HTTP endpoint, so a file means the same thing
 * whether it is posted, imported, replayed or backtested.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { TxmonError } from '../domain/errors.ts';
import type { EpochMinute, MinuteBatch } from '../domain/types.ts';
import { decodeBody, type Encoding } from '../ingest/decode.ts';
import { parseStatusCounts } from '../ingest/counts.ts';
import { parseAuthCodeCounts } from '../ingest/authCodes.ts';
import { parseRawTransactions } from '../ingest/raw.ts';

export type FileKind = 'counts' | 'auth-codes' | 'raw';

export interface FileOptions { date?: string; timeZone?: string; kind?: FileKind; scope?: string }

export function encodingOfPath(path: string): Encoding {
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson';
  return 'csv';
}

export function readBatchFile(path: string, opts: FileOptions = {}): { kind: FileKind; batch: MinuteBatch } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `cannot read file "${path}": ${(err as Error).message}`, { field: 'FILE' });
  }
  if (opts.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.date)) {
    throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `--date must be YYYY-MM-DD, got ${JSON.stringify(opts.date)}`, { field: 'date' });
  }
  const body = decodeBody(text, encodingOfPath(path));
  const fields = body.csvHeader ?? Object.keys(body.records[0]?.fields ?? {});
  const kind: FileKind = opts.kind ?? (fields.includes('auth_code') && !fields.includes('status') ? 'auth-codes' : fields.includes('id') ? 'raw' : 'counts');
  const ctx = { timeZone: opts.timeZone ?? 'UTC', date: opts.date, now: Date.now(), maxFutureMs: Number.MAX_SAFE_INTEGER, defaultScope: opts.scope };
  try {
    const batch = kind === 'counts' ? parseStatusCounts(body, ctx) : kind === 'auth-codes' ? parseAuthCodeCounts(body, ctx) : parseRawTransactions(body, ctx);
    return { kind, batch };
  } catch (err) {
    if (err instanceof TxmonError) throw err.prefixed(`${path}: `);
    throw err;
  }
}

/** Splits a batch into one batch per minute (all scopes of that minute together), in time order. */
export function batchesByMinute(batch: MinuteBatch): Array<{ minute: EpochMinute; batch: MinuteBatch }> {
  const map = new Map<EpochMinute, MinuteBatch>();
  const get = (m: EpochMinute) => {
    let b = map.get(m);
    if (!b) map.set(m, (b = { counts: [], authCodes: [], raw: [] }));
    return b;
  };
  for (const c of batch.counts) get(c.minute).counts.push(c);
  for (const a of batch.authCodes) get(a.minute).authCodes.push(a);
  for (const r of batch.raw) get(r.minute).raw.push(r);
  return [...map.entries()].sort((a, b) => a[0] - b[0]).map(([minute, b]) => ({ minute, batch: b }));
}

/** Merges per-minute batches into chunks of about `size` minutes. */
export function chunk(minutes: Array<{ minute: EpochMinute; batch: MinuteBatch }>, size: number): MinuteBatch[] {
  const out: MinuteBatch[] = [];
  for (let i = 0; i < minutes.length; i += size) {
    const b: MinuteBatch = { counts: [], authCodes: [], raw: [], completeMinutes: new Map() };
    for (const { minute, batch } of minutes.slice(i, i + size)) {
      b.counts.push(...batch.counts);
      b.authCodes.push(...batch.authCodes);
      b.raw.push(...batch.raw);
      for (const c of batch.counts) {
        let set = b.completeMinutes!.get(c.scope);
        if (!set) b.completeMinutes!.set(c.scope, (set = new Set()));
        set.add(minute);
      }
    }
    out.push(b);
  }
  return out;
}
