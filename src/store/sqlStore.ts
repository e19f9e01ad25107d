/**
 * The one store: every role of src/store/store.ts (and the notifications role of
 * notifyStore.ts), each statement written once with `:name` parameters, on any database a
 * {@link Driver} serves. What really differs between databases lives in the driver's dialect
 * record (upsert form, bulk rows, SKIP LOCKED, casts, collation, migration locking; see
 * driver.ts and docs/store.md).
 *
 * Speed: a batch goes in with one statement per table ({@link Rows}: PostgreSQL binds one array
 * per column, SQLite multi-row VALUES in chunks of prepared statements); raw transactions are
 * inserted in bulk returning the ids they stored, and only those are counted, with one upsert per
 * (scope, minute, key).
 */
import type { Silence } from '../alerting/silences.ts';
import {
  type Alert, type AlertChange, type AlertTransition, type Assessment, type EpochMinute, type MinuteBatch, type OutboxEntry, SEVERITY_RANK,
} from '../domain/types.ts';
import type { CheckoutRow } from '../domain/checkout.ts';
import { Rows, rowShape, type Driver, type GroupCommit, type Session } from './driver.ts';
import { loadMigrations } from './migrations.ts';
import {
  FINISHED_BEFORE, HEAD_OF_GROUP, PRUNE_BATCH, outboxFromRow, silenceFromRow, silenceParams, type OutboxFilter, type OutboxRow,
} from './notifyStore.ts';
import type { RetentionKind } from './retention.ts';
import { ALERT_COLUMNS, alertFromRow, alertParams, assessmentFromRow, assessmentValues, LIST_SCOPES_SQL, transitionFromRow } from './rows.ts';
import {
  checkCheckoutSource, type AlertFilter, type AssessmentFilter, type AuthCodeRow, type CountRow, type ScopeInfo, type Store, type StoreStats, type WriteResult,
} from './store.ts';

// ---------------------------------------------------------------------------------------------
// Row shapes of the bulk statements (column order = the values' order).

const COUNT_ROWS = rowShape({ scope: 'text', minute: 'integer', status: 'text', count: 'integer', updated_at: 'integer' });
const CODE_ROWS = rowShape({ scope: 'text', minute: 'integer', auth_code: 'text', count: 'integer', updated_at: 'integer' });
const RAW_ROWS = rowShape({ id: 'text', scope: 'text', minute: 'integer', at: 'integer', status: 'text', auth_code: 'text', amount: 'real' });
const ASSESSMENT_ROWS = rowShape({
  scope: 'text', minute: 'integer', anomaly_score: 'real', severity: 'text', has_data: 'integer', total: 'integer',
  metrics: 'text', findings: 'text', explanation: 'text',
});
const OUTBOX_ROWS = rowShape({
  id: 'text', receiver: 'text', payload: 'text', created_at: 'integer', next_attempt_at: 'integer', attempts: 'integer',
  state: 'text', last_error: 'text',
});
const CHECKOUT_ROWS = rowShape({
  source: 'text', hour: 'integer', today: 'real', yesterday: 'real', same_day_last_week: 'real', avg_last_week: 'real', avg_last_month: 'real',
});

/** Primary key of each retention kind but alerts: pruning deletes by it. */
const PRUNE_KEYS: Record<Exclude<RetentionKind, 'alerts'>, string> = {
  minute_counts: 'scope, minute, status',
  auth_code_counts: 'scope, minute, auth_code',
  raw_transactions: 'id',
  assessments: 'scope, minute',
};

type Tally = Map<string, { scope: string; minute: number; key: string; n: number }>;

export class SqlStore<D extends Driver = Driver> implements Store {
  readonly driver: D;
  readonly dialect: D['dialect']['name'];
  /** Group commit, when the driver has it (SQLite: one turn's requests; PostgreSQL: those that came during a commit). */
  readonly groups: GroupCommit | undefined;
  /** Statements whose text depends on the dialect, built once. */
  private readonly sql: ReturnType<typeof statements>;

  constructor(driver: D) {
    this.driver = driver;
    this.dialect = driver.dialect.name;
    this.groups = driver.groups;
    this.sql = statements(driver);
  }

  // -------------------------------------------------------------------------------------------
  // Maintenance

  async migrate(): Promise<void> {
    const migrations = loadMigrations(this.dialect);
    const integer = this.driver.dialect.types.integer;
    for (;;) {
      // One migration per transaction, each under the dialect's migration lock, re-reading what
      // is applied: concurrent starts apply each migration once.
      const applied = await this.driver.transaction(async (tx) => {
        await this.driver.dialect.lockMigrations(tx, this.driver.namespace);
        await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at ${integer} NOT NULL)`);
        const done = new Set((await tx.all('SELECT version FROM schema_migrations')).map((r) => Number(r.version)));
        const next = migrations.find((m) => !done.has(m.version));
        if (!next) return false;
        await tx.exec(next.sql);
        await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (:version, :name, :at)', { version: next.version, name: next.name, at: Date.now() });
        return true;
      }, { label: 'migration' });
      if (!applied) return;
    }
  }

  close(): Promise<void> {
    return this.driver.close();
  }

  async ping(): Promise<boolean> {
    try {
      await this.driver.get('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  async stats(): Promise<StoreStats> {
    const r = (await this.driver.get(
      'SELECT (SELECT COUNT(*) FROM minute_counts) AS count_rows, (SELECT COUNT(*) FROM auth_code_counts) AS auth_code_rows, ' +
        '(SELECT COUNT(*) FROM raw_transactions) AS raw_rows, (SELECT COUNT(*) FROM assessments) AS assessments, (SELECT COUNT(*) FROM alerts) AS alerts',
    ))!;
    return {
      countRows: Number(r.count_rows), authCodeRows: Number(r.auth_code_rows), rawRows: Number(r.raw_rows),
      assessments: Number(r.assessments), alerts: Number(r.alerts),
    };
  }

  async prune(kind: RetentionKind, before: number, limit: number): Promise<number> {
    if (kind !== 'alerts') {
      const key = PRUNE_KEYS[kind];
      return this.driver.run(`DELETE FROM ${kind} WHERE (${key}) IN (SELECT ${key} FROM ${kind} WHERE minute < :before ORDER BY minute LIMIT :limit)`, { before, limit });
    }
    // Resolved alerts that ended before the cut-off, their history first (foreign key).
    return this.driver.transaction(async (tx) => {
      const ids = (await tx.all("SELECT id FROM alerts WHERE state = 'resolved' AND ends_at < :before ORDER BY ends_at LIMIT :limit", { before, limit })).map((r) => Number(r.id));
      if (ids.length === 0) return 0;
      const { list, params } = inList('id', ids);
      await tx.run(`DELETE FROM alert_history WHERE alert_id IN ${list}`, params);
      return tx.run(`DELETE FROM alerts WHERE id IN ${list}`, params);
    }, { label: `prune ${kind}` });
  }

  // -------------------------------------------------------------------------------------------
  // Series

  async writeBatch(batch: MinuteBatch): Promise<WriteResult> {
    const now = Date.now();
    // Where one statement may touch a key only once (PostgreSQL's ON CONFLICT DO UPDATE), keep
    // the last value of a key: what applying the rows one by one (SQLite) leaves behind.
    const once = this.driver.dialect.upsertOncePerStatement;
    const counts = once ? lastByKey(batch.counts, (c) => `${c.scope}\u0000${c.minute}\u0000${c.status}`) : batch.counts;
    const codes = once ? lastByKey(batch.authCodes, (a) => `${a.scope}\u0000${a.minute}\u0000${a.authCode}`) : batch.authCodes;
    // A repeated id inside one batch counts once, the first occurrence wins.
    const raw = batch.raw.length === 0 ? batch.raw : firstOfEachId(batch.raw);
    return this.driver.transaction(async (tx) => {
      if (counts.length > 0) {
        await tx.run(this.sql.putCounts, { rows: new Rows(COUNT_ROWS, counts.map((c) => [c.scope, c.minute, c.status, c.count, now])) });
      }
      if (codes.length > 0) {
        await tx.run(this.sql.putCodes, { rows: new Rows(CODE_ROWS, codes.map((a) => [a.scope, a.minute, a.authCode, a.count, now])) });
      }
      const rawAccepted = raw.length > 0 ? await this.writeRaw(tx, raw, now) : 0;
      return { counts: batch.counts.length, authCodes: batch.authCodes.length, rawAccepted, rawDuplicates: batch.raw.length - rawAccepted };
    }, { label: 'writeBatch', deferrable: true });
  }

  /**
   * Raw transactions in bulk: inserts that return the ids they stored (an id stored before is
   * skipped), then one count update per (scope, minute, status) and (scope, minute, auth code)
   * for the stored ones. Returns how many were stored.
   */
  private async writeRaw(tx: Session, raw: MinuteBatch['raw'], now: number): Promise<number> {
    const rows = raw.map((t) => [t.id, t.scope, t.minute, t.at, t.status, t.authCode ?? null, t.amount ?? null]);
    const stored = new Set<string>();
    for (const r of await tx.all(this.sql.putRaw, { rows: new Rows(RAW_ROWS, rows) })) stored.add(String(r.id));
    if (stored.size === 0) return 0;
    const counts: Tally = new Map();
    const codes: Tally = new Map();
    for (const t of raw) {
      if (!stored.has(t.id)) continue;
      tally(counts, t.scope, t.minute, t.status);
      if (t.authCode !== undefined) tally(codes, t.scope, t.minute, t.authCode);
    }
    await tx.run(this.sql.addCounts, { rows: new Rows(COUNT_ROWS, [...counts.values()].map((e) => [e.scope, e.minute, e.key, e.n, now])) });
    if (codes.size > 0) await tx.run(this.sql.addCodes, { rows: new Rows(CODE_ROWS, [...codes.values()].map((e) => [e.scope, e.minute, e.key, e.n, now])) });
    return stored.size;
  }

  async readCounts(scope: string, from: EpochMinute, to: EpochMinute): Promise<CountRow[]> {
    const rows = await this.driver.all('SELECT scope, minute, status, count FROM minute_counts WHERE scope = :scope AND minute >= :from AND minute < :to ORDER BY minute, status', { scope, from, to });
    return rows.map((r) => ({ scope: String(r.scope), minute: Number(r.minute), status: String(r.status), count: Number(r.count) }));
  }

  async readAuthCodes(scope: string, from: EpochMinute, to: EpochMinute): Promise<AuthCodeRow[]> {
    const rows = await this.driver.all('SELECT scope, minute, auth_code, count FROM auth_code_counts WHERE scope = :scope AND minute >= :from AND minute < :to ORDER BY minute, auth_code', { scope, from, to });
    return rows.map((r) => ({ scope: String(r.scope), minute: Number(r.minute), authCode: String(r.auth_code), count: Number(r.count) }));
  }

  async listScopes(): Promise<ScopeInfo[]> {
    const rows = await this.driver.all(this.sql.listScopes);
    return rows.map((r) => ({
      scope: String(r.scope),
      firstMinute: Number(r.first_minute),
      lastMinute: Number(r.last_minute),
      lastEvaluated: r.last_evaluated === null ? null : Number(r.last_evaluated),
    }));
  }

  // -------------------------------------------------------------------------------------------
  // Evaluations and alerts

  async saveEvaluation(assessments: Assessment[], changes: AlertChange[], outbox: OutboxEntry[] = []): Promise<Alert[]> {
    return this.driver.transaction(async (tx) => {
      if (assessments.length > 0) await tx.run(this.sql.putAssessments, { rows: new Rows(ASSESSMENT_ROWS, assessments.map(assessmentValues)) });
      const saved: Alert[] = [];
      // One evaluation may create an alert and change it again (several minutes closed at once).
      const created = new Map<string, number>();
      for (const change of changes) {
        const alert = { ...change.alert };
        if (alert.id === 0 && created.has(alert.fingerprint)) alert.id = created.get(alert.fingerprint)!;
        if (alert.id === 0) {
          alert.id = Number((await tx.get(INSERT_ALERT, alertParams(alert)))!.id);
          created.set(alert.fingerprint, alert.id);
        } else await tx.run(UPDATE_ALERT, { ...alertParams(alert), id: alert.id });
        if (alert.state === 'resolved') created.delete(alert.fingerprint);
        const t = change.transition;
        if (t) {
          await tx.run(
            'INSERT INTO alert_history (alert_id, at, from_state, to_state, severity, score, note) VALUES (:id, :at, :from, :to, :severity, :score, :note)',
            { id: alert.id, at: t.at, from: t.from, to: t.to, severity: alert.severity, score: alert.score, note: t.note },
          );
        }
        saved.push(alert);
      }
      if (outbox.length > 0) {
        await tx.run(this.sql.putOutbox, {
          rows: new Rows(OUTBOX_ROWS, outbox.map((o) => [o.id, o.receiver, JSON.stringify(o.payload), o.createdAt, o.nextAttemptAt, o.attempts, o.state, o.lastError])),
        });
      }
      return saved;
    }, { label: 'saveEvaluation', deferrable: true });
  }

  async listAssessments(filter: AssessmentFilter): Promise<Assessment[]> {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: filter.limit ?? 10_000 };
    if (filter.scope !== undefined) { where.push('scope = :scope'); params.scope = filter.scope; }
    if (filter.from !== undefined) { where.push('minute >= :from'); params.from = filter.from; }
    if (filter.to !== undefined) { where.push('minute < :to'); params.to = filter.to; }
    if (filter.minSeverity !== undefined) {
      const allowed = Object.entries(SEVERITY_RANK).filter(([, r]) => r >= SEVERITY_RANK[filter.minSeverity!]).map(([s]) => s);
      const { list, params: values } = inList('severity', allowed);
      where.push(`severity IN ${list}`);
      Object.assign(params, values);
    }
    const order = `minute DESC, scope${this.driver.dialect.byteOrder}`;
    const sql = `SELECT * FROM (SELECT * FROM assessments ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY ${order} LIMIT :limit) AS recent ` +
      `ORDER BY minute, scope${this.driver.dialect.byteOrder}`;
    return (await this.driver.all(sql, params)).map(assessmentFromRow);
  }

  async listAlerts(filter: AlertFilter): Promise<Alert[]> {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: filter.limit ?? 1000 };
    if (filter.state === 'open') where.push("state IN ('pending', 'firing')");
    else if (filter.state !== undefined) { where.push('state = :state'); params.state = filter.state; }
    if (filter.severity !== undefined) { where.push('severity = :severity'); params.severity = filter.severity; }
    // `scope` is generated from labels' scope (migration 003).
    if (filter.scope !== undefined) { where.push('scope = :scope'); params.scope = filter.scope; }
    if (filter.to !== undefined) { where.push('starts_at < :to'); params.to = filter.to; }
    if (filter.from !== undefined) { where.push('(ends_at IS NULL OR ends_at >= :from)'); params.from = filter.from; }
    const sql = `SELECT * FROM alerts ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY starts_at DESC, id DESC LIMIT :limit`;
    return (await this.driver.all(sql, params)).map(alertFromRow);
  }

  async getAlert(id: number): Promise<Alert | null> {
    const row = await this.driver.get('SELECT * FROM alerts WHERE id = :id', { id });
    return row ? alertFromRow(row) : null;
  }

  async alertHistory(id: number): Promise<AlertTransition[]> {
    return (await this.driver.all('SELECT * FROM alert_history WHERE alert_id = :id ORDER BY at, id', { id })).map(transitionFromRow);
  }

  async openAlerts(): Promise<Alert[]> {
    return (await this.driver.all("SELECT * FROM alerts WHERE state IN ('pending', 'firing') ORDER BY id")).map(alertFromRow);
  }

  // -------------------------------------------------------------------------------------------
  // Queries and checkout

  /**
   * Runs a read-only query written with `:name` placeholders, in a read-only transaction
   * (SQLite: PRAGMA query_only; PostgreSQL: READ ONLY), so even a bad query cannot write.
   */
  async runQuery(sql: string, params: Record<string, unknown>): Promise<Record<string, unknown>[]> {
    const rows = await this.driver.transaction((tx) => tx.all(sql, params), { readOnly: true, label: 'query' });
    return rows.map((r) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(r)) out[k] = typeof v === 'bigint' ? Number(v) : v;
      return out;
    });
  }

  async writeCheckout(source: string, rows: readonly CheckoutRow[]): Promise<void> {
    checkCheckoutSource(source);
    await this.driver.transaction(async (tx) => {
      await tx.run('DELETE FROM checkout_hours WHERE source = :source', { source });
      if (rows.length === 0) return;
      await tx.run(`INSERT INTO checkout_hours (${CHECKOUT_ROWS.list}) :rows`, {
        rows: new Rows(CHECKOUT_ROWS, rows.map((r) => [source, r.hour, r.today, r.yesterday, r.same_day_last_week, r.avg_last_week, r.avg_last_month])),
      });
    }, { label: 'writeCheckout' });
  }

  // -------------------------------------------------------------------------------------------
  // Notifications: the outbox and silences (NotifyStore)

  async claimDue(now: number, limit: number, leaseMs: number, token: string): Promise<OutboxRow[]> {
    // One statement, so the head-of-group check and the lease are atomic: SQLite runs it under
    // the write lock; PostgreSQL locks the rows it takes and skips rows another worker holds.
    const rows = await this.driver.all(this.sql.claimDue, { until: now + leaseMs, token, now, limit });
    return rows.map(outboxFromRow).sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  async nextDueAt(): Promise<number | null> {
    // Rows held back by an older row of their group do not count: the worker would wake for
    // them, claim nothing and spin until the older row is due.
    const t = (await this.driver.get(`SELECT MIN(o.next_attempt_at) AS t FROM outbox o WHERE o.state = 'pending' AND ${HEAD_OF_GROUP}`))?.t;
    return t === null || t === undefined ? null : Number(t);
  }

  async markDelivered(id: string, token: string, now: number): Promise<boolean> {
    return (await this.driver.run("UPDATE outbox SET state = 'delivered', delivered_at = :now, last_error = NULL, claim_token = NULL WHERE id = :id AND claim_token = :token", { now, id, token })) > 0;
  }

  async markRetry(id: string, token: string, nextAttemptAt: number, error: string): Promise<boolean> {
    return (await this.driver.run('UPDATE outbox SET next_attempt_at = :next, last_error = :error, claim_token = NULL WHERE id = :id AND claim_token = :token', { next: nextAttemptAt, error, id, token })) > 0;
  }

  async markFailed(id: string, token: string, error: string, now: number): Promise<boolean> {
    return (await this.driver.run("UPDATE outbox SET state = 'failed', last_error = :error, next_attempt_at = :now, claim_token = NULL WHERE id = :id AND claim_token = :token", { error, now, id, token })) > 0;
  }

  async release(id: string, token: string, now: number): Promise<boolean> {
    return (await this.driver.run('UPDATE outbox SET attempts = attempts - 1, next_attempt_at = :now, claim_token = NULL WHERE id = :id AND claim_token = :token', { now, id, token })) > 0;
  }

  async listOutbox(filter: OutboxFilter): Promise<OutboxRow[]> {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: filter.limit ?? 1000 };
    if (filter.state !== undefined) { where.push('state = :state'); params.state = filter.state; }
    if (filter.since !== undefined) { where.push('created_at >= :since'); params.since = filter.since; }
    const sql = `SELECT * FROM outbox ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY created_at DESC, id DESC LIMIT :limit`;
    return (await this.driver.all(sql, params)).map(outboxFromRow);
  }

  async countPending(): Promise<number> {
    return Number((await this.driver.get("SELECT COUNT(*) AS n FROM outbox WHERE state = 'pending'"))!.n);
  }

  async pruneOutbox(before: number, batch = PRUNE_BATCH): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.driver.run(`DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE ${FINISHED_BEFORE} LIMIT :batch)`, { before, batch });
      total += n;
      if (n < batch) return total;
      // Let requests through between batches (node:sqlite is synchronous).
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async createSilence(s: Silence): Promise<void> {
    await this.driver.run(
      'INSERT INTO silences (id, matchers, starts_at, ends_at, created_by, comment, created_at, updated_at) ' +
        'VALUES (:id, :matchers, :starts_at, :ends_at, :created_by, :comment, :created_at, :updated_at)',
      silenceParams(s),
    );
  }

  async getSilence(id: string): Promise<Silence | null> {
    const r = await this.driver.get('SELECT * FROM silences WHERE id = :id', { id });
    return r ? silenceFromRow(r) : null;
  }

  async listSilences(endedAfter?: number): Promise<Silence[]> {
    const rows = endedAfter === undefined
      ? await this.driver.all('SELECT * FROM silences ORDER BY created_at DESC, id')
      : await this.driver.all('SELECT * FROM silences WHERE ends_at > :after ORDER BY created_at DESC, id', { after: endedAfter });
    return rows.map(silenceFromRow);
  }

  async expireSilence(id: string, now: number): Promise<Silence | null> {
    await this.driver.run('UPDATE silences SET ends_at = :now, updated_at = :now WHERE id = :id AND ends_at > :now', { now, id });
    return this.getSilence(id);
  }
}

const INSERT_ALERT = `INSERT INTO alerts (${ALERT_COLUMNS.join(', ')}) VALUES (${ALERT_COLUMNS.map((c) => `:${c}`).join(', ')}) RETURNING id`;
const UPDATE_ALERT = `UPDATE alerts SET ${ALERT_COLUMNS.map((c) => `${c} = :${c}`).join(', ')} WHERE id = :id`;

/** The statements whose text takes a part from the dialect record. */
function statements(driver: Driver) {
  const d = driver.dialect;
  const replace = { count: 'replace', updated_at: 'replace' } as const;
  const add = { count: 'add', updated_at: 'replace' } as const;
  return {
    putCounts: `INSERT INTO minute_counts (${COUNT_ROWS.list}) :rows ${d.upsert('minute_counts', ['scope', 'minute', 'status'], replace)}`,
    putCodes: `INSERT INTO auth_code_counts (${CODE_ROWS.list}) :rows ${d.upsert('auth_code_counts', ['scope', 'minute', 'auth_code'], replace)}`,
    addCounts: `INSERT INTO minute_counts (${COUNT_ROWS.list}) :rows ${d.upsert('minute_counts', ['scope', 'minute', 'status'], add)}`,
    addCodes: `INSERT INTO auth_code_counts (${CODE_ROWS.list}) :rows ${d.upsert('auth_code_counts', ['scope', 'minute', 'auth_code'], add)}`,
    putRaw: `INSERT INTO raw_transactions (${RAW_ROWS.list}) :rows ${d.insertIgnore(['id'])} RETURNING id`,
    putAssessments: `INSERT INTO assessments (${ASSESSMENT_ROWS.list}) :rows ${d.insertIgnore(['scope', 'minute'])}`,
    putOutbox: `INSERT INTO outbox (${OUTBOX_ROWS.list}) :rows ${d.insertIgnore(['id'])}`,
    listScopes: `${LIST_SCOPES_SQL} ORDER BY s.scope${d.byteOrder}`,
    claimDue:
      'UPDATE outbox SET attempts = attempts + 1, next_attempt_at = :until, claim_token = :token, first_attempt_at = COALESCE(first_attempt_at, :now) ' +
      `WHERE id IN (SELECT o.id FROM outbox o WHERE o.state = 'pending' AND o.next_attempt_at <= :now AND ${HEAD_OF_GROUP} ` +
      `ORDER BY o.created_at, o.id LIMIT :limit${d.skipLocked}) RETURNING *`,
  };
}

/** `(:name_0, :name_1, …)` and its parameters, for `IN` lists (both dialects take them). */
function inList(name: string, values: readonly unknown[]): { list: string; params: Record<string, unknown> } {
  const params: Record<string, unknown> = {};
  const names = values.map((v, i) => {
    params[`${name}_${i}`] = v;
    return `:${name}_${i}`;
  });
  return { list: `(${names.join(', ')})`, params };
}

function tally(m: Tally, scope: string, minute: number, key: string): void {
  const k = `${scope}\u0000${minute}\u0000${key}`;
  const e = m.get(k);
  if (e) e.n++;
  else m.set(k, { scope, minute, key, n: 1 });
}

function firstOfEachId<T extends { id: string }>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  return items.filter((t) => (seen.has(t.id) ? false : (seen.add(t.id), true)));
}

function lastByKey<T>(items: readonly T[], key: (t: T) => string): T[] {
  const map = new Map<string, T>();
  for (const it of items) {
    const k = key(it);
    map.delete(k); // re-insert so the kept row sits where its last occurrence was
    map.set(k, it);
  }
  return [...map.values()];
}
