/**
 * Turns one ingest request body into a validated MinuteBatch: decode, parse, check the limits.
 * Pure and synchronous; `parseRequestOffThread` runs it on a worker thread for large bodies so the
 * event loop keeps answering (/health, reads, other clients) while megabytes are parsed
 * (issue #13 item 2: a 10 MB body took 1–2 s of parsing on the main thread).
 */
import { Worker } from 'node:worker_threads';
import { TxmonError, type ErrorCode, type ErrorDetail } from '../domain/errors.ts';
import type { MinuteBatch } from '../domain/types.ts';
import { decodeBody, type Encoding } from './decode.ts';
import { parseStatusCounts } from './counts.ts';
import { parseAuthCodeCounts } from './authCodes.ts';
import { parseRawTransactions } from './raw.ts';
import type { TimeContext } from './fields.ts';
import { checkBatchShape } from './limits.ts';

export type IngestKind = 'counts' | 'auth_codes' | 'raw';

const PARSERS = { counts: parseStatusCounts, auth_codes: parseAuthCodeCounts, raw: parseRawTransactions } as const;

/** Decodes, parses and checks a body on the calling thread. Throws TxmonError. */
export function parseRequest(kind: IngestKind, text: string, encoding: Encoding, ctx: TimeContext): MinuteBatch {
  const batch = PARSERS[kind](decodeBody(text, encoding), ctx);
  if (ctx.limits) checkBatchShape(batch, ctx.limits);
  return batch;
}

/** Bodies at least this large are parsed on the worker thread. */
export const OFF_THREAD_BYTES = 256 * 1024;

interface Job { id: number; kind: IngestKind; text: string; encoding: Encoding; ctx: TimeContext }
type Answer = { id: number; batch: MinuteBatch } | { id: number; error: { code: ErrorCode; status: number; message: string; detail?: ErrorDetail } } | { id: number; crash: string };

/** One long-lived worker thread, started on first use; jobs run one after another. */
export class RequestParser {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (b: MinuteBatch) => void; reject: (e: unknown) => void }>();

  /** Parses on the worker when the body is large, else inline. */
  async parse(kind: IngestKind, text: string, encoding: Encoding, ctx: TimeContext): Promise<MinuteBatch> {
    if (text.length < OFF_THREAD_BYTES) return parseRequest(kind, text, encoding, ctx);
    const worker = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, kind, text, encoding, ctx } satisfies Job);
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(new URL('./requestWorker.ts', import.meta.url));
    w.unref();
    w.on('message', (a: Answer) => {
      const job = this.waiting.get(a.id);
      if (!job) return;
      this.waiting.delete(a.id);
      if ('batch' in a) job.resolve(a.batch);
      else if ('error' in a) job.reject(TxmonError.forwarded(a.error.code, a.error.status, a.error.message, a.error.detail));
      else job.reject(new Error(`ingest parser thread failed: ${a.crash}`));
    });
    const fail = (err: unknown) => {
      this.worker = null;
      for (const job of this.waiting.values()) job.reject(err instanceof Error ? err : new Error(String(err)));
      this.waiting.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`ingest parser thread exited (${code})`)));
    this.worker = w;
    return w;
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}
