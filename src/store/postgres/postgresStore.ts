/**
 * Production store on PostgreSQL (`pg`, pooled). Same contract and same returned objects as
 * SqliteStore: both map rows through src/store/rows.ts, and the shared behavioural suite
 * (test/store-parity.test.ts) runs against each.
 *
 * Speed: a batch is written with one statement per table whatever its size, passing columns as
 * arrays and expanding them with `unnest` (one round trip, no per-row parse/plan).
 * Types: BIGINT and NUMERIC come back from the driver as strings; this pool parses them to
 * numbers (epoch ms and counts fit a double exactly).
 */
import pg from 'pg';
import {
  type Alert, type AlertChange, type AlertTransition, type Assessment, type EpochMinute, type MinuteBatch, type OutboxEntry, SEVERITY_RANK,
} from '../../domain/types.ts';
import { TxmonError } from '../../domain/errors.ts';
import { loadMigrations } from '../migrations.ts';
import { namedToPositional } from '../namedQueries.ts';
import {
  ALERT_COLUMNS, alertFromRow, alertValues, assessmentFromRow, assessmentValues, LIST_SCOPES_SQL, transitionFromRow,
} from '../rows.ts';
import type { AlertFilter, AssessmentFilter, AuthCodeRow, CountRow, ScopeInfo, Store, StoreStats, WriteResult } from '../store.ts';
import { checkCheckoutSource } from '../store.ts';
import type { CheckoutRow } from '../../domain/checkout.ts';
import type { RetentionKind } from '../retention.ts';
import { parsePgUrl, redact } from './connection.ts';
import { isStoreUnavailable, storeUnavailable } from '../unavailable.ts';

type Row = Record<string, unknown>;
type Client = pg.PoolClient;

const INT8_OID = 20;
const NUMERIC_OID = 1700;
const toNumber = (v: string) => Number(v);

/** Per-pool type parsers (not pg's global registry, which other code in the process may use). */
const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID || oid === NUMERIC_OID) return toNumber;
    return pg.types.getTypeParser(oid, format ?? 'text');
  },
} as pg.CustomTypesConfig;

/** Advisory-lock key (first half) of txmon migrations; the second half hashes the schema. */
const MIGRATION_LOCK_NS = 0x74786d6e; // "txmn"

/** 32-bit FNV-1a of a string, as a signed int4 for pg_advisory_lock(int4, int4). */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

export class PostgresStore implements Store {
  readonly dialect = 'postgres' as const;
  readonly pool: pg.Pool;
  /** Schema this store lives in, or null for the server default. */
  readonly schema: string | null;
  private readonly label: string;

  constructor(url: string) {
    const target = parsePgUrl(url);
    this.schema = target.schema;
    this.label = redact(url);
    this.pool = new pg.Pool({
      connectionString: target.connectionString,
      options: target.options,
      max: target.max,
      types: typeParsers,
      application_name: 'txmon',
      // A stopped or unreachable server fails requests in seconds instead of queueing them.
      connectionTimeoutMillis: 5000,
    });
    // An idle client losing its connection must not crash the process; the next query reports it.
    this.pool.on('error', () => {});
    // Every client gets a listener of its own for its whole life: pg-pool listens only while a
    // client is idle or inside pool.query, and a client released by a query callback can be handed
    // to the next waiter in the same tick as the server's "terminating connection" message, before
    // that waiter's listener exists (seen under pg_terminate_backend in the fault suite). The
    // broken client then fails its next query, which is answered 503 and destroys it.
    this.pool.on('connect', (client) => { client.on('error', () => {}); });
  }

  /** Where this store points, password removed: for the server log, never for API clients. */
  get location(): string {
    return this.label;
  }

  /**
   * A driver error as a TxmonError. "Cannot reach the server" becomes the retryable 503
   * TXMON_ERR_STORE_UNAVAILABLE; anything else a 500. Neither message names the database URL
   * (API clients see it); the driver error stays on `cause` for the log.
   */
  private storeError(err: unknown, what: string): TxmonError {
    if (err instanceof TxmonError) return err;
    if (isStoreUnavailable(err)) return storeUnavailable(err);
    const out = new TxmonError('TXMON_ERR_STORE', `PostgreSQL ${what}: ${(err as Error).message}`);
    (out as { cause?: unknown }).cause = err;
    return out;
  }

  /** Runs a pooled query; connection failures become TXMON_ERR_STORE_UNAVAILABLE. */
  private async query(sql: string, params?: unknown[]): Promise<pg.QueryResult<Row>> {
    try {
      return await this.pool.query(sql, params);
    } catch (err) {
      throw this.storeError(err, 'query failed');
    }
  }

  /**
   * Checks a client out of the pool with an 'error' listener of its own: a checked-out client
   * whose server goes away (restart, pg_terminate_backend) emits 'error', and pg-pool listens
   * only on idle clients, so without this the process dies of an unhandled 'error' event.
   * `release` hands a broken client back with its error, so the pool destroys it.
   */
  private async connect(): Promise<{ client: Client; release: () => void }> {
    let client: Client;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw this.storeError(err, 'connection failed');
    }
    let broken: Error | undefined;
    const onError = (err: Error) => { broken = err; };
    client.on('error', onError);
    return {
      client,
      release: () => {
        client.removeListener('error', onError);
        client.release(broken ?? undefined);
      },
    };
  }

  /** Runs `fn` in one transaction on one pooled connection; rolls back on any error. */
  async transaction<T>(fn: (client: Client) => Promise<T>, mode = 'BEGIN'): Promise<T> {
    const { client, release } = await this.connect();
    try {
      await client.query(mode);
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      release();
    }
  }

  async migrate(): Promise<void> {
    const { client, release } = await this.connect();
    const key2 = hash32(this.schema ?? '');
    try {
      // Concurrent starts (several replicas, parallel test files) queue here; each then sees
      // what the first one applied.
      await client.query('SELECT pg_advisory_lock($1, $2)', [MIGRATION_LOCK_NS, key2]);
      try {
        // The name is checked against /^[a-z_][a-z0-9_]*$/ in parsePgUrl, so quoting is safe.
        if (this.schema) await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
        await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
        const applied = new Set((await client.query('SELECT version FROM schema_migrations')).rows.map((r: Row) => Number(r.version)));
        for (const m of loadMigrations('postgres')) {
          if (applied.has(m.version)) continue;
          await client.query('BEGIN');
          try {
            await client.query(m.sql);
            await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, Date.now()]);
            await client.query('COMMIT');
          } catch (err) {
            await client.query('ROLLBACK').catch(() => {});
            throw this.storeError(err, `migration ${m.name} failed`);
          }
        }
      } finally {
        await client.query('SELECT pg_advisory_unlock($1, $2)', [MIGRATION_LOCK_NS, key2]).catch(() => {});
      }
    } catch (err) {
      throw this.storeError(err, 'migration failed');
    } finally {
      release();
    }
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }

  async ping(): Promise<boolean> {
    try {
      await this.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  async writeBatch(batch: MinuteBatch): Promise<WriteResult> {
    const now = Date.now();
    // ON CONFLICT DO UPDATE may touch a row only once per statement: keep the last value of a
    // key, which is what applying the rows one by one (SQLite) leaves behind.
    const counts = lastByKey(batch.counts, (c) => `${c.scope}\u0000${c.minute}\u0000${c.status}`);
    const codes = lastByKey(batch.authCodes, (a) => `${a.scope}\u0000${a.minute}\u0000${a.authCode}`);
    // A repeated id inside one batch counts once, the first occurrence wins (as in SQLite).
    const seen = new Set<string>();
    const raw = batch.raw.filter((t) => (seen.has(t.id) ? false : (seen.add(t.id), true)));
    try {
      return await this.transaction(async (client) => {
        if (counts.length > 0) {
          await client.query(
            'INSERT INTO minute_counts (scope, minute, status, count, updated_at) ' +
              'SELECT s, m, st, c, $5 FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[]) AS t(s, m, st, c) ' +
              'ON CONFLICT (scope, minute, status) DO UPDATE SET count = excluded.count, updated_at = excluded.updated_at',
            [counts.map((c) => c.scope), counts.map((c) => c.minute), counts.map((c) => c.status), counts.map((c) => c.count), now],
          );
        }
        if (codes.length > 0) {
          await client.query(
            'INSERT INTO auth_code_counts (scope, minute, auth_code, count, updated_at) ' +
              'SELECT s, m, ac, c, $5 FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[]) AS t(s, m, ac, c) ' +
              'ON CONFLICT (scope, minute, auth_code) DO UPDATE SET count = excluded.count, updated_at = excluded.updated_at',
            [codes.map((a) => a.scope), codes.map((a) => a.minute), codes.map((a) => a.authCode), codes.map((a) => a.count), now],
          );
        }
        let rawAccepted = 0;
        if (raw.length > 0) {
          // Only transactions not seen before (by id) are aggregated into the counts.
          const res = await client.query(
            'WITH fresh AS (' +
              'INSERT INTO raw_transactions (id, scope, minute, at, status, auth_code, amount) ' +
              'SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::double precision[]) ' +
              'ON CONFLICT (id) DO NOTHING RETURNING scope, minute, status, auth_code' +
            '), add_counts AS (' +
              'INSERT INTO minute_counts (scope, minute, status, count, updated_at) ' +
              'SELECT scope, minute, status, COUNT(*), $8 FROM fresh GROUP BY scope, minute, status ' +
              'ON CONFLICT (scope, minute, status) DO UPDATE SET count = minute_counts.count + excluded.count, updated_at = excluded.updated_at' +
            '), add_codes AS (' +
              'INSERT INTO auth_code_counts (scope, minute, auth_code, count, updated_at) ' +
              'SELECT scope, minute, auth_code, COUNT(*), $8 FROM fresh WHERE auth_code IS NOT NULL GROUP BY scope, minute, auth_code ' +
              'ON CONFLICT (scope, minute, auth_code) DO UPDATE SET count = auth_code_counts.count + excluded.count, updated_at = excluded.updated_at' +
            ') SELECT COUNT(*) AS n FROM fresh',
            [
              raw.map((t) => t.id), raw.map((t) => t.scope), raw.map((t) => t.minute), raw.map((t) => t.at),
              raw.map((t) => t.status), raw.map((t) => t.authCode ?? null), raw.map((t) => t.amount ?? null), now,
            ],
          );
          rawAccepted = Number(res.rows[0].n);
        }
        return { counts: batch.counts.length, authCodes: batch.authCodes.length, rawAccepted, rawDuplicates: batch.raw.length - rawAccepted };
      });
    } catch (err) {
      throw this.storeError(err, 'writeBatch failed');
    }
  }

  async readCounts(scope: string, from: EpochMinute, to: EpochMinute): Promise<CountRow[]> {
    const res = await this.query(
      'SELECT scope, minute, status, count FROM minute_counts WHERE scope = $1 AND minute >= $2 AND minute < $3 ORDER BY minute, status',
      [scope, from, to],
    );
    return res.rows.map((r: Row) => ({ scope: String(r.scope), minute: Number(r.minute), status: String(r.status), count: Number(r.count) }));
  }

  async readAuthCodes(scope: string, from: EpochMinute, to: EpochMinute): Promise<AuthCodeRow[]> {
    const res = await this.query(
      'SELECT scope, minute, auth_code, count FROM auth_code_counts WHERE scope = $1 AND minute >= $2 AND minute < $3 ORDER BY minute, auth_code',
      [scope, from, to],
    );
    return res.rows.map((r: Row) => ({ scope: String(r.scope), minute: Number(r.minute), authCode: String(r.auth_code), count: Number(r.count) }));
  }

  async listScopes(): Promise<ScopeInfo[]> {
    const res = await this.query(
      LIST_SCOPES_SQL + ' ORDER BY s.scope COLLATE "C"',
    );
    return res.rows.map((r: Row) => ({
      scope: String(r.scope),
      firstMinute: Number(r.first_minute),
      lastMinute: Number(r.last_minute),
      lastEvaluated: r.last_evaluated === null ? null : Number(r.last_evaluated),
    }));
  }

  async saveEvaluation(assessments: Assessment[], changes: AlertChange[], outbox: OutboxEntry[] = []): Promise<Alert[]> {
    try {
      return await this.transaction(async (client) => {
        if (assessments.length > 0) {
          const cols = assessments.map(assessmentValues);
          const col = (i: number) => cols.map((v) => v[i]);
          await client.query(
            'INSERT INTO assessments (scope, minute, anomaly_score, severity, has_data, total, metrics, findings, explanation) ' +
              'SELECT * FROM unnest($1::text[], $2::bigint[], $3::double precision[], $4::text[], $5::bigint[], $6::bigint[], $7::text[], $8::text[], $9::text[]) ' +
              'ON CONFLICT (scope, minute) DO NOTHING',
            [col(0), col(1), col(2), col(3), col(4), col(5), col(6), col(7), col(8)],
          );
        }
        const saved: Alert[] = [];
        const insertSql = `INSERT INTO alerts (${ALERT_COLUMNS.join(', ')}) VALUES (${ALERT_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`;
        const updateSql = `UPDATE alerts SET ${ALERT_COLUMNS.map((c, i) => `${c} = $${i + 1}`).join(', ')} WHERE id = $${ALERT_COLUMNS.length + 1}`;
        // One evaluation may create an alert and change it again (several minutes closed at once).
        const created = new Map<string, number>();
        for (const change of changes) {
          const alert = { ...change.alert };
          if (alert.id === 0 && created.has(alert.fingerprint)) alert.id = created.get(alert.fingerprint)!;
          if (alert.id === 0) {
            alert.id = Number((await client.query(insertSql, alertValues(alert))).rows[0].id);
            created.set(alert.fingerprint, alert.id);
          } else await client.query(updateSql, [...alertValues(alert), alert.id]);
          if (alert.state === 'resolved') created.delete(alert.fingerprint);
          const t = change.transition;
          if (t) {
            await client.query(
              'INSERT INTO alert_history (alert_id, at, from_state, to_state, severity, score, note) VALUES ($1, $2, $3, $4, $5, $6, $7)',
              [alert.id, t.at, t.from, t.to, alert.severity, alert.score, t.note],
            );
          }
          saved.push(alert);
        }
        for (const o of outbox) {
          await client.query(
            'INSERT INTO outbox (id, receiver, payload, created_at, next_attempt_at, attempts, state, last_error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING',
            [o.id, o.receiver, JSON.stringify(o.payload), o.createdAt, o.nextAttemptAt, o.attempts, o.state, o.lastError],
          );
        }
        return saved;
      });
    } catch (err) {
      throw this.storeError(err, 'saveEvaluation failed');
    }
  }

  async listAssessments(filter: AssessmentFilter): Promise<Assessment[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => `$${params.push(v)}`;
    if (filter.scope !== undefined) where.push(`scope = ${p(filter.scope)}`);
    if (filter.from !== undefined) where.push(`minute >= ${p(filter.from)}`);
    if (filter.to !== undefined) where.push(`minute < ${p(filter.to)}`);
    if (filter.minSeverity !== undefined) {
      const allowed = Object.entries(SEVERITY_RANK).filter(([, r]) => r >= SEVERITY_RANK[filter.minSeverity!]).map(([s]) => s);
      where.push(`severity = ANY(${p(allowed)}::text[])`);
    }
    const limit = p(filter.limit ?? 10_000);
    const sql = `SELECT * FROM (SELECT * FROM assessments ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ` +
      `ORDER BY minute DESC, scope COLLATE "C" LIMIT ${limit}) AS recent ORDER BY minute, scope COLLATE "C"`;
    return (await this.query(sql, params)).rows.map(assessmentFromRow);
  }

  async listAlerts(filter: AlertFilter): Promise<Alert[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => `$${params.push(v)}`;
    if (filter.state === 'open') where.push("state IN ('pending', 'firing')");
    else if (filter.state !== undefined) where.push(`state = ${p(filter.state)}`);
    if (filter.severity !== undefined) where.push(`severity = ${p(filter.severity)}`);
    // `scope` is generated from labels->>'scope' (migration 003).
    if (filter.scope !== undefined) where.push(`scope = ${p(filter.scope)}`);
    if (filter.to !== undefined) where.push(`starts_at < ${p(filter.to)}`);
    if (filter.from !== undefined) where.push(`(ends_at IS NULL OR ends_at >= ${p(filter.from)})`);
    const sql = `SELECT * FROM alerts ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY starts_at DESC, id DESC LIMIT ${p(filter.limit ?? 1000)}`;
    return (await this.query(sql, params)).rows.map(alertFromRow);
  }

  async getAlert(id: number): Promise<Alert | null> {
    const res = await this.query('SELECT * FROM alerts WHERE id = $1', [id]);
    return res.rows.length ? alertFromRow(res.rows[0]) : null;
  }

  async alertHistory(id: number): Promise<AlertTransition[]> {
    return (await this.query('SELECT * FROM alert_history WHERE alert_id = $1 ORDER BY at, id', [id])).rows.map(transitionFromRow);
  }

  async openAlerts(): Promise<Alert[]> {
    return (await this.query("SELECT * FROM alerts WHERE state IN ('pending', 'firing') ORDER BY id")).rows.map(alertFromRow);
  }

  async stats(): Promise<StoreStats> {
    const r = (await this.query(
      'SELECT (SELECT COUNT(*) FROM minute_counts) AS count_rows, (SELECT COUNT(*) FROM auth_code_counts) AS auth_code_rows, ' +
        '(SELECT COUNT(*) FROM raw_transactions) AS raw_rows, (SELECT COUNT(*) FROM assessments) AS assessments, (SELECT COUNT(*) FROM alerts) AS alerts',
    )).rows[0];
    return {
      countRows: Number(r.count_rows), authCodeRows: Number(r.auth_code_rows), rawRows: Number(r.raw_rows),
      assessments: Number(r.assessments), alerts: Number(r.alerts),
    };
  }

  /**
   * Runs a read-only query written with `:name` placeholders (as for SQLite); they are turned
   * into `$n` and bound. The transaction is READ ONLY, so even a bad query cannot write.
   */
  async runQuery(sql: string, params: Record<string, unknown>): Promise<Record<string, unknown>[]> {
    const { text, values } = namedToPositional(sql, params);
    try {
      return await this.transaction(async (client) => (await client.query(text, values)).rows as Row[], 'BEGIN READ ONLY');
    } catch (err) {
      throw this.storeError(err, 'query failed');
    }
  }

  async writeCheckout(source: string, rows: readonly CheckoutRow[]): Promise<void> {
    checkCheckoutSource(source);
    // One multi-row INSERT: 24 rows × 7 values stay far below PostgreSQL's 65535 parameters.
    const values: Array<string | number> = [];
    const tuples: string[] = [];
    for (const r of rows) {
      const k = values.push(source, r.hour, r.today, r.yesterday, r.same_day_last_week, r.avg_last_week, r.avg_last_month) - 7;
      tuples.push(`($${k + 1}, $${k + 2}, $${k + 3}, $${k + 4}, $${k + 5}, $${k + 6}, $${k + 7})`);
    }
    try {
      await this.transaction(async (client) => {
        await client.query('DELETE FROM checkout_hours WHERE source = $1', [source]);
        if (tuples.length > 0) {
          await client.query(
            `INSERT INTO checkout_hours (source, hour, today, yesterday, same_day_last_week, avg_last_week, avg_last_month) VALUES ${tuples.join(', ')}`,
            values,
          );
        }
      });
    } catch (err) {
      throw this.storeError(err, 'writeCheckout failed');
    }
  }

  async prune(kind: RetentionKind, before: number, limit: number): Promise<number> {
    try {
      if (kind !== 'alerts') return (await this.query(PG_PRUNE[kind], [before, limit])).rowCount ?? 0;
      // Resolved alerts that ended before the cut-off, their history first (foreign key).
      return await this.transaction(async (client) => {
        const ids = (await client.query("SELECT id FROM alerts WHERE state = 'resolved' AND ends_at < $1 ORDER BY ends_at LIMIT $2", [before, limit])).rows.map((r: Row) => Number(r.id));
        if (ids.length === 0) return 0;
        await client.query('DELETE FROM alert_history WHERE alert_id = ANY($1::bigint[])', [ids]);
        return (await client.query('DELETE FROM alerts WHERE id = ANY($1::bigint[])', [ids])).rowCount ?? 0;
      });
    } catch (err) {
      throw this.storeError(err, `prune ${kind} failed`);
    }
  }
}

/** One DELETE per retention kind: at most $2 rows older than $1, by ctid (no primary key needed). */
const PG_PRUNE: Record<Exclude<RetentionKind, 'alerts'>, string> = {
  minute_counts: 'DELETE FROM minute_counts WHERE ctid = ANY(ARRAY(SELECT ctid FROM minute_counts WHERE minute < $1 ORDER BY minute LIMIT $2))',
  auth_code_counts: 'DELETE FROM auth_code_counts WHERE ctid = ANY(ARRAY(SELECT ctid FROM auth_code_counts WHERE minute < $1 ORDER BY minute LIMIT $2))',
  raw_transactions: 'DELETE FROM raw_transactions WHERE ctid = ANY(ARRAY(SELECT ctid FROM raw_transactions WHERE minute < $1 ORDER BY minute LIMIT $2))',
  assessments: 'DELETE FROM assessments WHERE ctid = ANY(ARRAY(SELECT ctid FROM assessments WHERE minute < $1 ORDER BY minute LIMIT $2))',
};

function lastByKey<T>(items: readonly T[], key: (t: T) => string): T[] {
  const map = new Map<string, T>();
  for (const it of items) {
    const k = key(it);
    map.delete(k); // re-insert so the kept row sits where its last occurrence was
    map.set(k, it);
  }
  return [...map.values()];
}
