/**
 * Embedded store on node:sqlite (WAL). node:sqlite is synchronous; each method runs to completion
 * inside one event-loop turn, which also serialises transactions without extra locking.
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  type Alert, type AlertChange, type AlertTransition, type Assessment, type EpochMinute, type MinuteBatch, type OutboxEntry, SEVERITY_RANK,
} from '../../domain/types.ts';
import { TxmonError } from '../../domain/errors.ts';
import { loadMigrations } from '../migrations.ts';
import {
  ALERT_COLUMNS, alertFromRow, alertValues, assessmentFromRow, assessmentValues, LIST_SCOPES_SQL, transitionFromRow,
} from '../rows.ts';
import type { AlertFilter, AssessmentFilter, AuthCodeRow, CountRow, ScopeInfo, Store, StoreStats, WriteResult } from '../store.ts';
import { checkCheckoutSource } from '../store.ts';
import type { CheckoutRow } from '../../domain/checkout.ts';
import type { RetentionKind } from '../retention.ts';

type Row = Record<string, unknown>;

export type SqliteSynchronous = 'normal' | 'full';

/** One DELETE per retention kind: at most ? rows older than ?, found through an index on the time column. */
const SQLITE_PRUNE: Record<Exclude<RetentionKind, 'alerts'>, string> = {
  // WITHOUT ROWID tables: delete by primary key.
  minute_counts: 'DELETE FROM minute_counts WHERE (scope, minute, status) IN (SELECT scope, minute, status FROM minute_counts WHERE minute < ? ORDER BY minute LIMIT ?)',
  auth_code_counts: 'DELETE FROM auth_code_counts WHERE (scope, minute, auth_code) IN (SELECT scope, minute, auth_code FROM auth_code_counts WHERE minute < ? ORDER BY minute LIMIT ?)',
  raw_transactions: 'DELETE FROM raw_transactions WHERE rowid IN (SELECT rowid FROM raw_transactions WHERE minute < ? ORDER BY minute LIMIT ?)',
  assessments: 'DELETE FROM assessments WHERE rowid IN (SELECT rowid FROM assessments WHERE minute < ? ORDER BY minute LIMIT ?)',
};

/** Raw transactions per multi-row INSERT (7 parameters each, far below SQLite's limit). */
const RAW_CHUNK = 256;

export class SqliteStore implements Store {
  readonly dialect = 'sqlite' as const;
  readonly path: string;
  readonly db: DatabaseSync;
  private readonly stmts = new Map<string, StatementSync>();

  /**
   * `synchronous` in WAL mode (docs/operations.md): `normal` (default) syncs at checkpoints, so a
   * power loss may lose the last commits (a process crash loses nothing); `full` syncs the WAL at
   * every commit, so an acknowledged request survives a power loss too, at a cost in commits/s.
   */
  constructor(path: string, opts: { synchronous?: SqliteSynchronous } = {}) {
    this.path = path;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    try {
      this.db = new DatabaseSync(path);
    } catch (err) {
      throw new TxmonError('TXMON_ERR_STORE', `cannot open SQLite database "${path}": ${(err as Error).message}`);
    }
    const sync = opts.synchronous === 'full' ? 'FULL' : 'NORMAL';
    this.db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${sync}; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;`);
  }

  /** Prepared statements are cached by SQL text. */
  private stmt(sql: string): StatementSync {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  /** A group transaction is open (beginGroup): writes join it, commitGroup ends it. */
  private groupOpen = false;

  /**
   * Group commit (issue #15): opens one transaction that the following writes (writeBatch,
   * saveEvaluation, and any other statement on this connection) join until commitGroup(). Each
   * write stays atomic on its own (a savepoint inside the group). The engine opens a group for
   * the ingest requests of one event-loop turn and answers them only after commitGroup().
   */
  beginGroup(): void {
    if (this.groupOpen) return;
    this.db.exec('BEGIN IMMEDIATE');
    this.groupOpen = true;
  }

  /** Commits the open group (no-op when none); on failure it is rolled back and the error thrown. */
  commitGroup(): void {
    if (!this.groupOpen) return;
    this.groupOpen = false;
    try {
      this.db.exec('COMMIT');
    } catch (err) {
      try { if (this.db.isTransaction) this.db.exec('ROLLBACK'); } catch { /* the connection is gone */ }
      throw err;
    }
  }

  private transaction<T>(fn: () => T): T {
    if (this.groupOpen) {
      this.db.exec('SAVEPOINT write');
      try {
        const result = fn();
        this.db.exec('RELEASE write');
        return result;
      } catch (err) {
        this.db.exec('ROLLBACK TO write');
        this.db.exec('RELEASE write');
        throw err;
      }
    }
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
  }

  async migrate(): Promise<void> {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    const applied = new Set((this.db.prepare('SELECT version FROM schema_migrations').all() as Row[]).map((r) => Number(r.version)));
    for (const m of loadMigrations('sqlite')) {
      if (applied.has(m.version)) continue;
      this.transaction(() => {
        this.db.exec(m.sql);
        this.db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
      });
    }
  }

  async close(): Promise<void> {
    if (this.db.isOpen && this.groupOpen) this.commitGroup();
    if (this.db.isOpen) this.db.close();
  }

  async ping(): Promise<boolean> {
    try {
      this.db.prepare('SELECT 1').get();
      return true;
    } catch {
      return false;
    }
  }

  /** INSERT of n raw transactions that returns the ids it stored (cached per n). */
  private rawInsert(n: number): StatementSync {
    return this.stmt(
      `INSERT INTO raw_transactions (id, scope, minute, at, status, auth_code, amount) VALUES ${Array.from({ length: n }, () => '(?, ?, ?, ?, ?, ?, ?)').join(', ')} ` +
        'ON CONFLICT (id) DO NOTHING RETURNING id',
    );
  }

  async writeBatch(batch: MinuteBatch): Promise<WriteResult> {
    const now = Date.now();
    return this.transaction(() => {
      const putCount = this.stmt(
        'INSERT INTO minute_counts (scope, minute, status, count, updated_at) VALUES (?, ?, ?, ?, ?) ' +
          'ON CONFLICT (scope, minute, status) DO UPDATE SET count = excluded.count, updated_at = excluded.updated_at',
      );
      for (const c of batch.counts) putCount.run(c.scope, c.minute, c.status, c.count, now);
      const putCode = this.stmt(
        'INSERT INTO auth_code_counts (scope, minute, auth_code, count, updated_at) VALUES (?, ?, ?, ?, ?) ' +
          'ON CONFLICT (scope, minute, auth_code) DO UPDATE SET count = excluded.count, updated_at = excluded.updated_at',
      );
      for (const a of batch.authCodes) putCode.run(a.scope, a.minute, a.authCode, a.count, now);
      let rawAccepted = 0;
      if (batch.raw.length > 0) {
        // Raw transactions in bulk: multi-row inserts that return the ids they stored (a
        // duplicate id, stored before or earlier in this batch, is skipped by ON CONFLICT), then
        // one count update per (scope, minute, status) and (scope, minute, auth code) for the
        // accepted ones, instead of three statements per transaction.
        const accepted = new Set<string>();
        for (let i = 0; i < batch.raw.length; i += RAW_CHUNK) {
          const chunk = batch.raw.slice(i, i + RAW_CHUNK);
          const params: Array<string | number | null> = [];
          for (const t of chunk) params.push(t.id, t.scope, t.minute, t.at, t.status, t.authCode ?? null, t.amount ?? null);
          for (const r of this.rawInsert(chunk.length).all(...params) as Row[]) accepted.add(String(r.id));
        }
        const counts = new Map<string, { scope: string; minute: number; key: string; n: number }>();
        const codes = new Map<string, { scope: string; minute: number; key: string; n: number }>();
        const bump = (m: typeof counts, scope: string, minute: number, key: string) => {
          const k = `${scope}\u0000${minute}\u0000${key}`;
          const e = m.get(k);
          if (e) e.n++;
          else m.set(k, { scope, minute, key, n: 1 });
        };
        for (const t of batch.raw) {
          if (!accepted.delete(t.id)) continue; // a duplicate (the first of a repeated id counts once)
          rawAccepted++;
          bump(counts, t.scope, t.minute, t.status);
          if (t.authCode !== undefined) bump(codes, t.scope, t.minute, t.authCode);
        }
        const addCount = this.stmt(
          'INSERT INTO minute_counts (scope, minute, status, count, updated_at) VALUES (?, ?, ?, ?, ?) ' +
            'ON CONFLICT (scope, minute, status) DO UPDATE SET count = minute_counts.count + excluded.count, updated_at = excluded.updated_at',
        );
        for (const e of counts.values()) addCount.run(e.scope, e.minute, e.key, e.n, now);
        const addCode = this.stmt(
          'INSERT INTO auth_code_counts (scope, minute, auth_code, count, updated_at) VALUES (?, ?, ?, ?, ?) ' +
            'ON CONFLICT (scope, minute, auth_code) DO UPDATE SET count = auth_code_counts.count + excluded.count, updated_at = excluded.updated_at',
        );
        for (const e of codes.values()) addCode.run(e.scope, e.minute, e.key, e.n, now);
      }
      return { counts: batch.counts.length, authCodes: batch.authCodes.length, rawAccepted, rawDuplicates: batch.raw.length - rawAccepted };
    });
  }

  async readCounts(scope: string, from: EpochMinute, to: EpochMinute): Promise<CountRow[]> {
    return (this.stmt('SELECT scope, minute, status, count FROM minute_counts WHERE scope = ? AND minute >= ? AND minute < ? ORDER BY minute, status')
      .all(scope, from, to) as Row[]).map((r) => ({ scope: String(r.scope), minute: Number(r.minute), status: String(r.status), count: Number(r.count) }));
  }

  async readAuthCodes(scope: string, from: EpochMinute, to: EpochMinute): Promise<AuthCodeRow[]> {
    return (this.stmt('SELECT scope, minute, auth_code, count FROM auth_code_counts WHERE scope = ? AND minute >= ? AND minute < ? ORDER BY minute, auth_code')
      .all(scope, from, to) as Row[]).map((r) => ({ scope: String(r.scope), minute: Number(r.minute), authCode: String(r.auth_code), count: Number(r.count) }));
  }

  async listScopes(): Promise<ScopeInfo[]> {
    const rows = this.stmt(
      LIST_SCOPES_SQL + ' ORDER BY s.scope',
    ).all() as Row[];
    return rows.map((r) => ({
      scope: String(r.scope),
      firstMinute: Number(r.first_minute),
      lastMinute: Number(r.last_minute),
      lastEvaluated: r.last_evaluated === null ? null : Number(r.last_evaluated),
    }));
  }

  async saveEvaluation(assessments: Assessment[], changes: AlertChange[], outbox: OutboxEntry[] = []): Promise<Alert[]> {
    return this.transaction(() => {
      const putAssessment = this.stmt(
        'INSERT INTO assessments (scope, minute, anomaly_score, severity, has_data, total, metrics, findings, explanation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ' +
          'ON CONFLICT (scope, minute) DO NOTHING',
      );
      for (const a of assessments) putAssessment.run(...assessmentValues(a));
      const saved: Alert[] = [];
      const insertAlert = this.stmt(`INSERT INTO alerts (${ALERT_COLUMNS.join(', ')}) VALUES (${ALERT_COLUMNS.map(() => '?').join(', ')}) RETURNING id`);
      const updateAlert = this.stmt(`UPDATE alerts SET ${ALERT_COLUMNS.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`);
      const putHistory = this.stmt('INSERT INTO alert_history (alert_id, at, from_state, to_state, severity, score, note) VALUES (?, ?, ?, ?, ?, ?, ?)');
      // One evaluation may create an alert and change it again (several minutes closed at once).
      const created = new Map<string, number>();
      for (const change of changes) {
        const alert = { ...change.alert };
        if (alert.id === 0 && created.has(alert.fingerprint)) alert.id = created.get(alert.fingerprint)!;
        if (alert.id === 0) {
          alert.id = Number((insertAlert.get(...alertValues(alert)) as Row).id);
          created.set(alert.fingerprint, alert.id);
        } else updateAlert.run(...alertValues(alert), alert.id);
        if (alert.state === 'resolved') created.delete(alert.fingerprint);
        const t = change.transition;
        if (t) putHistory.run(alert.id, t.at, t.from, t.to, alert.severity, alert.score, t.note);
        saved.push(alert);
      }
      const putOutbox = this.stmt(
        'INSERT INTO outbox (id, receiver, payload, created_at, next_attempt_at, attempts, state, last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
      );
      for (const o of outbox) putOutbox.run(o.id, o.receiver, JSON.stringify(o.payload), o.createdAt, o.nextAttemptAt, o.attempts, o.state, o.lastError);
      return saved;
    });
  }

  async listAssessments(filter: AssessmentFilter): Promise<Assessment[]> {
    const where: string[] = [];
    const params: Array<string | number> = [];
    if (filter.scope !== undefined) { where.push('scope = ?'); params.push(filter.scope); }
    if (filter.from !== undefined) { where.push('minute >= ?'); params.push(filter.from); }
    if (filter.to !== undefined) { where.push('minute < ?'); params.push(filter.to); }
    if (filter.minSeverity !== undefined) {
      const allowed = Object.entries(SEVERITY_RANK).filter(([, r]) => r >= SEVERITY_RANK[filter.minSeverity!]).map(([s]) => s);
      where.push(`severity IN (${allowed.map(() => '?').join(', ')})`);
      params.push(...allowed);
    }
    const sql = `SELECT * FROM (SELECT * FROM assessments ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY minute DESC, scope LIMIT ?) ORDER BY minute, scope`;
    params.push(filter.limit ?? 10_000);
    return (this.db.prepare(sql).all(...params) as Row[]).map(assessmentFromRow);
  }

  async listAlerts(filter: AlertFilter): Promise<Alert[]> {
    const where: string[] = [];
    const params: Array<string | number> = [];
    if (filter.state === 'open') where.push("state IN ('pending', 'firing')");
    else if (filter.state !== undefined) { where.push('state = ?'); params.push(filter.state); }
    if (filter.severity !== undefined) { where.push('severity = ?'); params.push(filter.severity); }
    if (filter.scope !== undefined) { where.push("json_extract(labels, '$.scope') = ?"); params.push(filter.scope); }
    if (filter.to !== undefined) { where.push('starts_at < ?'); params.push(filter.to); }
    if (filter.from !== undefined) { where.push('(ends_at IS NULL OR ends_at >= ?)'); params.push(filter.from); }
    const sql = `SELECT * FROM alerts ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY starts_at DESC, id DESC LIMIT ?`;
    params.push(filter.limit ?? 1000);
    return (this.db.prepare(sql).all(...params) as Row[]).map(alertFromRow);
  }

  async getAlert(id: number): Promise<Alert | null> {
    const row = this.stmt('SELECT * FROM alerts WHERE id = ?').get(id) as Row | undefined;
    return row ? alertFromRow(row) : null;
  }

  async alertHistory(id: number): Promise<AlertTransition[]> {
    return (this.stmt('SELECT * FROM alert_history WHERE alert_id = ? ORDER BY at, id').all(id) as Row[]).map(transitionFromRow);
  }

  async openAlerts(): Promise<Alert[]> {
    return (this.stmt("SELECT * FROM alerts WHERE state IN ('pending', 'firing') ORDER BY id").all() as Row[]).map(alertFromRow);
  }

  async stats(): Promise<StoreStats> {
    const one = (sql: string) => Number((this.db.prepare(sql).get() as Row).n);
    return {
      countRows: one('SELECT COUNT(*) AS n FROM minute_counts'),
      authCodeRows: one('SELECT COUNT(*) AS n FROM auth_code_counts'),
      rawRows: one('SELECT COUNT(*) AS n FROM raw_transactions'),
      assessments: one('SELECT COUNT(*) AS n FROM assessments'),
      alerts: one('SELECT COUNT(*) AS n FROM alerts'),
    };
  }

  /**
   * Runs a read-only query written with `:name` placeholders. PRAGMA query_only refuses any write
   * while it runs (as PostgreSQL's READ ONLY transaction does), so even a bad query cannot change
   * the database; node:sqlite is synchronous, so no other method runs on this connection meanwhile.
   */
  async runQuery(sql: string, params: Record<string, unknown>): Promise<Record<string, unknown>[]> {
    this.db.exec('PRAGMA query_only = ON');
    try {
      const stmt = this.db.prepare(sql);
      const bound: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(params)) bound[k] = v;
      return (stmt.all(bound as Record<string, string | number | null>) as Row[]).map((r) => {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(r)) out[k] = typeof v === 'bigint' ? Number(v) : v;
        return out;
      });
    } finally {
      this.db.exec('PRAGMA query_only = OFF');
    }
  }

  async writeCheckout(source: string, rows: readonly CheckoutRow[]): Promise<void> {
    checkCheckoutSource(source);
    this.transaction(() => {
      this.stmt('DELETE FROM checkout_hours WHERE source = ?').run(source);
      const insert = this.stmt(
        'INSERT INTO checkout_hours (source, hour, today, yesterday, same_day_last_week, avg_last_week, avg_last_month) VALUES (?, ?, ?, ?, ?, ?, ?)',
      );
      for (const r of rows) insert.run(source, r.hour, r.today, r.yesterday, r.same_day_last_week, r.avg_last_week, r.avg_last_month);
    });
  }

  async prune(kind: RetentionKind, before: number, limit: number): Promise<number> {
    if (kind !== 'alerts') return Number(this.stmt(SQLITE_PRUNE[kind]).run(before, limit).changes);
    // Resolved alerts that ended before the cut-off, their history first (foreign key).
    return this.transaction(() => {
      const ids = this.stmt("SELECT id FROM alerts WHERE state = 'resolved' AND ends_at < ? ORDER BY ends_at LIMIT ?").all(before, limit).map((r) => Number(r.id));
      if (ids.length === 0) return 0;
      const list = `(${ids.map(() => '?').join(', ')})`;
      this.db.prepare(`DELETE FROM alert_history WHERE alert_id IN ${list}`).run(...ids);
      return Number(this.db.prepare(`DELETE FROM alerts WHERE id IN ${list}`).run(...ids).changes);
    });
  }
}
