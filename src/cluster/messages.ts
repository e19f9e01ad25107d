/**
 * What travels over NATS: one ingest request becomes one JetStream message per partition it
 * touches (the rows of that partition's scopes), and the owner answers each with the outcome of
 * its part. Everything is JSON; the batch's Map of complete minutes becomes pairs.
 */
import { createHash } from 'node:crypto';
import type { EpochMinute, MinuteBatch } from '../domain/types.ts';
import type { IngestOutcome } from '../engine/engine.ts';
import { partitionOf } from './partition.ts';

/** The body of one partition's message. */
export interface PartMessage {
  v: 1;
  /** The request's `complete=true`: every status of its minutes is in the body. */
  complete: boolean;
  counts: MinuteBatch['counts'];
  authCodes: MinuteBatch['authCodes'];
  raw: MinuteBatch['raw'];
  completeMinutes: Array<[string, EpochMinute[]]>;
}

/** The owner's answer to one part, published on the request's reply subject. */
export type PartReply =
  | { partition: number; outcome: IngestOutcome }
  | { partition: number; error: { code: string; message: string } };

/** Splits a validated batch by partition (rows keep their order within a partition). */
export function splitByPartition(batch: MinuteBatch, partitions: number, complete: boolean): Map<number, PartMessage> {
  const parts = new Map<number, PartMessage>();
  const partOf = new Map<string, number>();
  const part = (scope: string): PartMessage => {
    let p = partOf.get(scope);
    if (p === undefined) partOf.set(scope, (p = partitionOf(scope, partitions)));
    let m = parts.get(p);
    if (!m) parts.set(p, (m = { v: 1, complete, counts: [], authCodes: [], raw: [], completeMinutes: [] }));
    return m;
  };
  for (const c of batch.counts) part(c.scope).counts.push(c);
  for (const a of batch.authCodes) part(a.scope).authCodes.push(a);
  for (const t of batch.raw) part(t.scope).raw.push(t);
  for (const [scope, minutes] of batch.completeMinutes ?? []) part(scope).completeMinutes.push([scope, [...minutes]]);
  return parts;
}

export function encodePart(m: PartMessage): Uint8Array {
  return Buffer.from(JSON.stringify(m));
}

export function decodePart(data: Uint8Array): { batch: MinuteBatch; complete: boolean } {
  const m = JSON.parse(Buffer.from(data).toString('utf8')) as PartMessage;
  if (m.v !== 1) throw new Error(`unknown cluster message version ${String(m.v)}`);
  const batch: MinuteBatch = { counts: m.counts, authCodes: m.authCodes, raw: m.raw };
  if (m.completeMinutes.length > 0) batch.completeMinutes = new Map(m.completeMinutes.map(([s, ms]) => [s, new Set(ms)]));
  return { batch, complete: m.complete };
}

/**
 * JetStream's message id for one part (its duplicate window drops a second publish with the same
 * id): from the client's Idempotency-Key when given, else from the part's content — a retry of the
 * same request, or of the same rows, publishes nothing twice. Counts replace and raw rows are
 * deduplicated by id anyway, so equal content twice never means two different things.
 */
export function partMessageId(partition: number, body: Uint8Array, idempotencyKey: string | undefined): string {
  const h = createHash('sha256');
  if (idempotencyKey !== undefined) h.update('key\u0000').update(idempotencyKey);
  else h.update('body\u0000').update(body);
  return `p${partition}-${h.digest('base64url')}`;
}

/** The outcomes of every part as one (the recommendation is built from it as in one process). */
export function mergeOutcomes(outcomes: IngestOutcome[]): IngestOutcome {
  const merged: IngestOutcome = {
    written: { counts: 0, authCodes: 0, rawAccepted: 0, rawDuplicates: 0 },
    evaluated: [], alerts: [], provisional: [], late: [],
  };
  for (const o of outcomes) {
    merged.written.counts += o.written.counts;
    merged.written.authCodes += o.written.authCodes;
    merged.written.rawAccepted += o.written.rawAccepted;
    merged.written.rawDuplicates += o.written.rawDuplicates;
    merged.evaluated.push(...o.evaluated);
    merged.alerts.push(...o.alerts);
    merged.provisional.push(...o.provisional);
    merged.late.push(...o.late);
  }
  return merged;
}
