/** Worker-thread side of RequestParser (src/ingest/request.ts): parses bodies, answers batches or errors. */
import { parentPort } from 'node:worker_threads';
import { TxmonError } from '../domain/errors.ts';
import { parseRequest, type IngestKind } from './request.ts';
import type { Encoding } from './decode.ts';
import type { TimeContext } from './fields.ts';

parentPort!.on('message', (job: { id: number; kind: IngestKind; text: string; encoding: Encoding; ctx: TimeContext }) => {
  try {
    parentPort!.postMessage({ id: job.id, batch: parseRequest(job.kind, job.text, job.encoding, job.ctx) });
  } catch (err) {
    if (err instanceof TxmonError) {
      // The detail as the API would show it (`got` previewed: never a deep structure to clone).
      const { code: _c, message: _m, ...detail } = err.toJSON().error;
      parentPort!.postMessage({ id: job.id, error: { code: err.code, status: err.httpStatus, message: err.message, detail: err.detail ? detail : undefined } });
    } else parentPort!.postMessage({ id: job.id, crash: (err as Error)?.stack ?? String(err) });
  }
});
