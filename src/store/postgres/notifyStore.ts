/**
 * PostgreSQL implementation of NotifyStore (src/store/notifyStore.ts) on the PostgresStore's pool.
 * Claims use `FOR UPDATE SKIP LOCKED`, so workers of several replicas share the outbox without
 * ever leasing the same row.
 *
 * In-order delivery per group holds under concurrency too: a row leaves `pending` only towards
 * `delivered` / `failed` and is never inserted older than rows already written (the planner's
 * clock, under the engine's mutex), so a claim whose snapshot sees an older pending row of the
 * group can only be more careful than needed, never less; and once an older row is leased it is
 * still pending, so no other worker takes a later row of its group meanwhile.
 */
import type pg from 'pg';
import type { Silence } from '../../alerting/silences.ts';
import { FINISHED_BEFORE, HEAD_OF_GROUP, PRUNE_BATCH, outboxFromRow, silenceFromRow, silenceValues, type NotifyStore, type OutboxFilter, type OutboxRow } from '../notifyStore.ts';

type Row = Record<string, unknown>;

export class PostgresNotifyStore implements NotifyStore {
  private readonly pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  private async rows(sql: string, params: unknown[]): Promise<Row[]> {
    return (await this.pool.query(sql, params)).rows as Row[];
  }

  private async changed(sql: string, params: unknown[]): Promise<boolean> {
    return ((await this.pool.query(sql, params)).rowCount ?? 0) > 0;
  }

  async claimDue(now: number, limit: number, leaseMs: number, token: string): Promise<OutboxRow[]> {
    const rows = await this.rows(
      'UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1, claim_token = $2, first_attempt_at = COALESCE(first_attempt_at, $3) ' +
        "WHERE id IN (SELECT o.id FROM outbox o WHERE o.state = 'pending' AND o.next_attempt_at <= $3 AND " + HEAD_OF_GROUP +
        ' ORDER BY o.created_at, o.id LIMIT $4 FOR UPDATE OF o SKIP LOCKED) RETURNING *',
      [now + leaseMs, token, now, limit],
    );
    return rows.map(outboxFromRow).sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  async nextDueAt(): Promise<number | null> {
    // Rows held back by an older row of their group do not count (see SqliteNotifyStore).
    const t = (await this.rows(`SELECT MIN(o.next_attempt_at) AS t FROM outbox o WHERE o.state = 'pending' AND ${HEAD_OF_GROUP}`, []))[0]?.t;
    return t === null || t === undefined ? null : Number(t);
  }

  markDelivered(id: string, token: string, now: number): Promise<boolean> {
    return this.changed("UPDATE outbox SET state = 'delivered', delivered_at = $1, last_error = NULL, claim_token = NULL WHERE id = $2 AND claim_token = $3", [now, id, token]);
  }

  markRetry(id: string, token: string, nextAttemptAt: number, error: string): Promise<boolean> {
    return this.changed('UPDATE outbox SET next_attempt_at = $1, last_error = $2, claim_token = NULL WHERE id = $3 AND claim_token = $4', [nextAttemptAt, error, id, token]);
  }

  markFailed(id: string, token: string, error: string, now: number): Promise<boolean> {
    return this.changed("UPDATE outbox SET state = 'failed', last_error = $1, next_attempt_at = $2, claim_token = NULL WHERE id = $3 AND claim_token = $4", [error, now, id, token]);
  }

  release(id: string, token: string, now: number): Promise<boolean> {
    return this.changed('UPDATE outbox SET attempts = attempts - 1, next_attempt_at = $1, claim_token = NULL WHERE id = $2 AND claim_token = $3', [now, id, token]);
  }

  async listOutbox(filter: OutboxFilter): Promise<OutboxRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.state !== undefined) { params.push(filter.state); where.push(`state = $${params.length}`); }
    if (filter.since !== undefined) { params.push(filter.since); where.push(`created_at >= $${params.length}`); }
    params.push(filter.limit ?? 1000);
    const sql = `SELECT * FROM outbox ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY created_at DESC, id DESC LIMIT $${params.length}`;
    return (await this.rows(sql, params)).map(outboxFromRow);
  }

  async countPending(): Promise<number> {
    return Number((await this.rows("SELECT COUNT(*) AS n FROM outbox WHERE state = 'pending'", []))[0].n);
  }

  async pruneOutbox(before: number, batch = PRUNE_BATCH): Promise<number> {
    const sql = `DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE ${FINISHED_BEFORE.replaceAll('{0}', '$1')} LIMIT $2)`;
    let total = 0;
    for (;;) {
      const n = (await this.pool.query(sql, [before, batch])).rowCount ?? 0;
      total += n;
      if (n < batch) return total;
    }
  }

  async createSilence(s: Silence): Promise<void> {
    await this.pool.query('INSERT INTO silences (id, matchers, starts_at, ends_at, created_by, comment, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', silenceValues(s));
  }

  async getSilence(id: string): Promise<Silence | null> {
    const r = (await this.rows('SELECT * FROM silences WHERE id = $1', [id]))[0];
    return r ? silenceFromRow(r) : null;
  }

  async listSilences(endedAfter?: number): Promise<Silence[]> {
    const rows = endedAfter === undefined
      ? await this.rows('SELECT * FROM silences ORDER BY created_at DESC, id', [])
      : await this.rows('SELECT * FROM silences WHERE ends_at > $1 ORDER BY created_at DESC, id', [endedAfter]);
    return rows.map(silenceFromRow);
  }

  async expireSilence(id: string, now: number): Promise<Silence | null> {
    await this.pool.query('UPDATE silences SET ends_at = $1, updated_at = $1 WHERE id = $2 AND ends_at > $1', [now, id]);
    return this.getSilence(id);
  }
}
