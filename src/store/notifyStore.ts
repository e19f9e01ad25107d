/**
 * The notifications role of the store: the outbox as the delivery worker uses it (atomic claims
 * with a lease, results guarded by the claim token) and silences. The one store implements it
 * (src/store/sqlStore.ts) on the same database as the rest, so the outbox rows written with
 * alert changes go in through `saveEvaluation`, in the same transaction.
 */
import type { Silence } from '../alerting/silences.ts';
import type { OutboxEntry } from '../domain/types.ts';

/** An outbox row as the API shows it. */
export interface OutboxRow extends OutboxEntry {
  deliveredAt: number | null;
  firstAttemptAt: number | null;
}

export interface OutboxFilter {
  state?: OutboxEntry['state'];
  /** Rows created at or after this time (epoch ms). */
  since?: number;
  limit?: number;
}

export interface NotifyStore {
  /**
   * Leases up to `limit` due rows (pending, next_attempt_at <= now), oldest first: each gets
   * attempts + 1, next_attempt_at = now + leaseMs and the claim token, in one atomic statement,
   * so two workers never get the same row. A row whose worker died becomes due again when the
   * lease runs out.
   *
   * In order per alert group: a row is only claimed when no older row (created_at, then id) of
   * the same receiver and group key is still pending — due, waiting for a retry or leased. So
   * at most one row per (receiver, group) is ever in flight, and a group's "resolved" cannot
   * overtake its "firing". A row that ended `failed` no longer holds its group back; rows of
   * different groups flow concurrently.
   */
  claimDue(now: number, limit: number, leaseMs: number, token: string): Promise<OutboxRow[]>;
  /** Earliest next_attempt_at among pending rows claimDue could take (heads of their group), or null. */
  nextDueAt(): Promise<number | null>;
  /** The result methods only act while the row still carries `token`; they return whether it did. */
  markDelivered(id: string, token: string, now: number): Promise<boolean>;
  markRetry(id: string, token: string, nextAttemptAt: number, error: string): Promise<boolean>;
  markFailed(id: string, token: string, error: string, now: number): Promise<boolean>;
  /** Gives a lease back untried (shutdown): due at `now` again, the attempt not counted. */
  release(id: string, token: string, now: number): Promise<boolean>;
  listOutbox(filter: OutboxFilter): Promise<OutboxRow[]>;
  countPending(): Promise<number>;
  /**
   * Deletes rows in a final state that finished before `before` (epoch ms, the worker's clock):
   * delivered rows by delivered_at, failed rows by the time they were given up (markFailed sets
   * next_attempt_at to it). Pending rows are never deleted. Works in batches of `batch` rows so
   * a large backlog never holds the database for long. Returns how many rows went.
   */
  pruneOutbox(before: number, batch?: number): Promise<number>;

  createSilence(s: Silence): Promise<void>;
  getSilence(id: string): Promise<Silence | null>;
  /** Silences not ended before `endedAfter` (all when undefined), newest first. */
  listSilences(endedAfter?: number): Promise<Silence[]>;
  /** Sets ends_at = now when the silence has not ended yet; returns the silence after it. */
  expireSilence(id: string, now: number): Promise<Silence | null>;
}

/**
 * SQL condition (no parameters) true when outbox row `o` is the oldest pending row of its
 * receiver and group: no older pending row `p` of the same receiver and group_key exists.
 * A NULL group_key equals nothing, so such rows are never held back.
 */
export const HEAD_OF_GROUP =
  'NOT EXISTS (SELECT 1 FROM outbox p WHERE p.state = \'pending\' AND p.receiver = o.receiver AND p.group_key = o.group_key ' +
  'AND (p.created_at < o.created_at OR (p.created_at = o.created_at AND p.id < o.id)))';

/** SQL condition selecting rows that finished before the cut-off `:before`. */
export const FINISHED_BEFORE = "((state = 'delivered' AND delivered_at < :before) OR (state = 'failed' AND next_attempt_at < :before))";

/** Rows deleted per statement when pruning. */
export const PRUNE_BATCH = 5000;

type Row = Record<string, unknown>;
const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Row mapping of every dialect. */
export function outboxFromRow(r: Row): OutboxRow {
  return {
    id: String(r.id),
    receiver: String(r.receiver),
    payload: JSON.parse(String(r.payload)),
    createdAt: num(r.created_at),
    nextAttemptAt: num(r.next_attempt_at),
    attempts: num(r.attempts),
    state: r.state as OutboxEntry['state'],
    lastError: r.last_error === null || r.last_error === undefined ? null : String(r.last_error),
    deliveredAt: numOrNull(r.delivered_at),
    firstAttemptAt: numOrNull(r.first_attempt_at),
  };
}

export function silenceFromRow(r: Row): Silence {
  return {
    id: String(r.id),
    matchers: JSON.parse(String(r.matchers)),
    startsAt: num(r.starts_at),
    endsAt: num(r.ends_at),
    createdBy: String(r.created_by),
    comment: String(r.comment),
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
  };
}

/** A silence's column values, by the names of the INSERT in sqlStore.ts. */
export function silenceParams(s: Silence): Record<string, string | number> {
  return {
    id: s.id, matchers: JSON.stringify(s.matchers), starts_at: s.startsAt, ends_at: s.endsAt,
    created_by: s.createdBy, comment: s.comment, created_at: s.createdAt, updated_at: s.updatedAt,
  };
}
