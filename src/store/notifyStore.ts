/**
 * Storage of the notification side: the outbox as the delivery worker uses it (atomic claims
 * with a lease, results guarded by the claim token) and silences. Kept apart from the core
 * `Store` contract so the dialect stores stay small; `notifyStoreFor(store)` picks the
 * implementation of the store's dialect, working on the same database (and, for the outbox rows
 * written with alert changes, through `Store.saveEvaluation` in the same transaction).
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Silence } from '../alerting/silences.ts';
import type { Store } from './store.ts';
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
 * A NULL group_key equals nothing, so such rows are never held back. Shared by both dialects.
 */
export const HEAD_OF_GROUP =
  'NOT EXISTS (SELECT 1 FROM outbox p WHERE p.state = \'pending\' AND p.receiver = o.receiver AND p.group_key = o.group_key ' +
  'AND (p.created_at < o.created_at OR (p.created_at = o.created_at AND p.id < o.id)))';

/** SQL condition selecting rows that finished before a cut-off; `{0}` stands for the cut-off parameter. */
export const FINISHED_BEFORE = "((state = 'delivered' AND delivered_at < {0}) OR (state = 'failed' AND next_attempt_at < {0}))";

/** Rows deleted per statement when pruning. */
export const PRUNE_BATCH = 5000;

type Row = Record<string, unknown>;
const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Row mapping shared by both dialects. */
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

export function silenceValues(s: Silence): Array<string | number> {
  return [s.id, JSON.stringify(s.matchers), s.startsAt, s.endsAt, s.createdBy, s.comment, s.createdAt, s.updatedAt];
}

/** SQLite implementation over the SqliteStore's connection (single statements are atomic). */
export class SqliteNotifyStore implements NotifyStore {
  private readonly db: DatabaseSync;
  private readonly stmts = new Map<string, StatementSync>();

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  private stmt(sql: string): StatementSync {
    let s = this.stmts.get(sql);
    if (!s) this.stmts.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  async claimDue(now: number, limit: number, leaseMs: number, token: string): Promise<OutboxRow[]> {
    // One statement: SQLite runs it under the write lock, so the head-of-group check and the
    // lease are atomic, even against a worker of another process on the same file.
    const rows = this.stmt(
      'UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, claim_token = ?, first_attempt_at = COALESCE(first_attempt_at, ?) ' +
        "WHERE id IN (SELECT o.id FROM outbox o WHERE o.state = 'pending' AND o.next_attempt_at <= ? AND " + HEAD_OF_GROUP +
        ' ORDER BY o.created_at, o.id LIMIT ?) RETURNING *',
    ).all(now + leaseMs, token, now, now, limit) as Row[];
    return rows.map(outboxFromRow).sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  async nextDueAt(): Promise<number | null> {
    // Rows held back by an older row of their group do not count: the worker would wake for
    // them, claim nothing and spin until the older row is due.
    return numOrNull((this.stmt(`SELECT MIN(o.next_attempt_at) AS t FROM outbox o WHERE o.state = 'pending' AND ${HEAD_OF_GROUP}`).get() as Row).t);
  }

  private changed(sql: string, ...params: Array<string | number | null>): boolean {
    return Number(this.stmt(sql).run(...params).changes) > 0;
  }

  async markDelivered(id: string, token: string, now: number): Promise<boolean> {
    return this.changed("UPDATE outbox SET state = 'delivered', delivered_at = ?, last_error = NULL, claim_token = NULL WHERE id = ? AND claim_token = ?", now, id, token);
  }

  async markRetry(id: string, token: string, nextAttemptAt: number, error: string): Promise<boolean> {
    return this.changed('UPDATE outbox SET next_attempt_at = ?, last_error = ?, claim_token = NULL WHERE id = ? AND claim_token = ?', nextAttemptAt, error, id, token);
  }

  async markFailed(id: string, token: string, error: string, now: number): Promise<boolean> {
    return this.changed("UPDATE outbox SET state = 'failed', last_error = ?, next_attempt_at = ?, claim_token = NULL WHERE id = ? AND claim_token = ?", error, now, id, token);
  }

  async release(id: string, token: string, now: number): Promise<boolean> {
    return this.changed('UPDATE outbox SET attempts = attempts - 1, next_attempt_at = ?, claim_token = NULL WHERE id = ? AND claim_token = ?', now, id, token);
  }

  async listOutbox(filter: OutboxFilter): Promise<OutboxRow[]> {
    const where: string[] = [];
    const params: Array<string | number> = [];
    if (filter.state !== undefined) { where.push('state = ?'); params.push(filter.state); }
    if (filter.since !== undefined) { where.push('created_at >= ?'); params.push(filter.since); }
    params.push(filter.limit ?? 1000);
    const sql = `SELECT * FROM outbox ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY created_at DESC, id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...params) as Row[]).map(outboxFromRow);
  }

  async countPending(): Promise<number> {
    return num((this.stmt("SELECT COUNT(*) AS n FROM outbox WHERE state = 'pending'").get() as Row).n);
  }

  async pruneOutbox(before: number, batch = PRUNE_BATCH): Promise<number> {
    const del = this.stmt(`DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE ${FINISHED_BEFORE.replaceAll('{0}', '?')} LIMIT ?)`);
    let total = 0;
    for (;;) {
      const n = Number(del.run(before, before, batch).changes);
      total += n;
      if (n < batch) return total;
      // node:sqlite is synchronous: let requests through between batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async createSilence(s: Silence): Promise<void> {
    this.stmt('INSERT INTO silences (id, matchers, starts_at, ends_at, created_by, comment, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(...silenceValues(s));
  }

  async getSilence(id: string): Promise<Silence | null> {
    const r = this.stmt('SELECT * FROM silences WHERE id = ?').get(id) as Row | undefined;
    return r ? silenceFromRow(r) : null;
  }

  async listSilences(endedAfter?: number): Promise<Silence[]> {
    const rows = endedAfter === undefined
      ? (this.stmt('SELECT * FROM silences ORDER BY created_at DESC, id').all() as Row[])
      : (this.stmt('SELECT * FROM silences WHERE ends_at > ? ORDER BY created_at DESC, id').all(endedAfter) as Row[]);
    return rows.map(silenceFromRow);
  }

  async expireSilence(id: string, now: number): Promise<Silence | null> {
    this.stmt('UPDATE silences SET ends_at = ?, updated_at = ? WHERE id = ? AND ends_at > ?').run(now, now, id, now);
    return this.getSilence(id);
  }
}

/** The NotifyStore of a store's dialect, on the same database. */
export async function notifyStoreFor(store: Store): Promise<NotifyStore> {
  if (store.dialect === 'sqlite') {
    const { SqliteStore } = await import('./sqlite/sqliteStore.ts');
    if (!(store instanceof SqliteStore)) throw new Error('notifyStoreFor: a sqlite store must be a SqliteStore');
    return new SqliteNotifyStore(store.db);
  }
  const { PostgresStore } = await import('./postgres/postgresStore.ts');
  const { PostgresNotifyStore } = await import('./postgres/notifyStore.ts');
  if (!(store instanceof PostgresStore)) throw new Error('notifyStoreFor: a postgres store must be a PostgresStore');
  return new PostgresNotifyStore(store.pool);
}
