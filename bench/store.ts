/**
 * `npm run bench:store` — store import and named-query benchmark, on every store available.
 *
 * Imports DAYS × 1440 minutes × 7 statuses × SCOPES count rows through `Store.writeBatch` (the
 * path ingest uses; default 30 days × 100 scopes ≈ 30.2 M rows), one hour of all scopes per
 * batch, plus auth codes of one scope, one day of assessments and some alerts; then runs every named query and prints
 * rows/s for the import and milliseconds per query (median of 3 runs).
 *
 * Reference measured in the same run: a plain INSERT of the same first rows into a table of
 * the same shape without ON CONFLICT (SQLite: prepared statement in one transaction; PostgreSQL:
 * one unnest INSERT per batch), so the upsert's cost shows as a ratio.
 *
 * Usage: node bench/store.ts [--days N] [--scopes N] [--only sqlite|postgres] [--json]
 * Env: TXMON_BENCH_DAYS, TXMON_BENCH_SCOPES; PostgreSQL runs when TXMON_BENCH_PG_URL or
 * TXMON_TEST_PG_URL is set (in a schema of its own, dropped at the end). SQLite runs on a WAL
 * file in the temp directory, removed at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Alert, Assessment, AuthCodeCount, MinuteCount, Severity } from '../src/domain/types.ts';
import { openStore } from '../src/store/open.ts';
import type { SqlStore } from '../src/store/sqlStore.ts';
import { SqliteDriver } from '../src/store/sqlite/driver.ts';
import { PostgresDriver } from '../src/store/postgres/driver.ts';
import { dropSchema, uniqueSchema, withSchema } from '../src/store/postgres/testing.ts';
import { listNamedQueries, runNamedQuery, type QueryInput } from '../src/store/namedQueries.ts';

const STATUSES = ['approved', 'denied', 'failed', 'reversed', 'backend_reversed', 'refunded', 'processing'] as const;
const MEANS = [110, 8, 1.2, 1.5, 0.6, 1.1, 0.4];
/** Epoch minute where the data starts: 2025-06-01T00:00Z. */
const START = Date.UTC(2025, 5, 1) / 60_000;
/** Rows of the reference comparison (upsert vs plain insert), from an empty table. */
const REFERENCE_ROWS = 2_000_000;

const { values: args } = parseArgs({
  options: {
    days: { type: 'string' }, scopes: { type: 'string' }, only: { type: 'string' }, json: { type: 'boolean' },
  },
});
const days = Number(args.days ?? process.env.TXMON_BENCH_DAYS ?? 30);
const scopes = Number(args.scopes ?? process.env.TXMON_BENCH_SCOPES ?? 100);
if (!Number.isInteger(days) || days < 2 || !Number.isInteger(scopes) || scopes < 1) {
  throw new Error(`--days must be an integer ≥ 2 and --scopes ≥ 1, got days=${args.days ?? days} scopes=${args.scopes ?? scopes}`);
}
const pgUrl = process.env.TXMON_BENCH_PG_URL ?? process.env.TXMON_TEST_PG_URL;
const log = (s: string) => process.stderr.write(s + '\n');

/** Deterministic count for (scope, minute, status): a daily wave plus hashed noise. */
function countAt(scope: number, minute: number, status: number): number {
  let h = Math.imul(scope + 1, 0x9e3779b1) ^ Math.imul(minute, 0x85ebca6b) ^ Math.imul(status + 7, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h ^= h >>> 12;
  const noise = ((h >>> 0) % 1000) / 1000;
  const wave = 0.35 + 0.65 * Math.max(0, Math.sin((((minute % 1440) - 360) / 1440) * 2 * Math.PI));
  const spike = status === 2 && minute % 1777 < 3 ? 25 : 0;
  return Math.floor(MEANS[status] * wave * (0.5 + noise) + noise) + spike;
}

const scopeName = (s: number) => `pos-${String(s + 1).padStart(3, '0')}`;

/** One hour of every scope and status. */
function hourBatch(hour: number): MinuteCount[] {
  const out: MinuteCount[] = [];
  for (let m = hour * 60; m < hour * 60 + 60; m++) {
    const minute = START + m;
    for (let s = 0; s < scopes; s++) {
      const scope = scopeName(s);
      for (let k = 0; k < STATUSES.length; k++) out.push({ scope, minute, status: STATUSES[k], count: countAt(s, minute, k) });
    }
  }
  return out;
}

interface Reference { rows: number; upsertRowsPerSec: number; plainRowsPerSec: number }

/** Plain INSERT (no ON CONFLICT) of the first REFERENCE_ROWS rows into a twin table. */
async function plainInsert(store: SqlStore, batches: () => Iterable<MinuteCount[]>, limit: number): Promise<{ rows: number; ms: number }> {
  let rows = 0;
  const t0 = performance.now();
  const { driver } = store;
  if (driver instanceof SqliteDriver) {
    driver.db.exec('CREATE TABLE bench_plain (scope TEXT NOT NULL, minute INTEGER NOT NULL, status TEXT NOT NULL, count INTEGER NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (scope, minute, status)) WITHOUT ROWID; CREATE INDEX bench_plain_by_minute ON bench_plain (minute)');
    const ins = driver.db.prepare('INSERT INTO bench_plain (scope, minute, status, count, updated_at) VALUES (?, ?, ?, ?, ?)');
    for (const batch of batches()) {
      const now = Date.now();
      driver.db.exec('BEGIN');
      for (const c of batch) ins.run(c.scope, c.minute, c.status, c.count, now);
      driver.db.exec('COMMIT');
      rows += batch.length;
      if (rows >= limit) break;
    }
    const ms = performance.now() - t0;
    driver.db.exec('DROP TABLE bench_plain');
    return { rows, ms };
  }
  if (driver instanceof PostgresDriver) {
    await driver.pool.query('CREATE TABLE bench_plain (scope TEXT NOT NULL, minute BIGINT NOT NULL, status TEXT NOT NULL, count BIGINT NOT NULL, updated_at BIGINT NOT NULL, PRIMARY KEY (scope, minute, status)); CREATE INDEX bench_plain_by_minute ON bench_plain (minute)');
    const t1 = performance.now();
    for (const batch of batches()) {
      await driver.pool.query(
        'INSERT INTO bench_plain (scope, minute, status, count, updated_at) SELECT s, m, st, c, $5 FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[]) AS t(s, m, st, c)',
        [batch.map((c) => c.scope), batch.map((c) => c.minute), batch.map((c) => c.status), batch.map((c) => c.count), Date.now()],
      );
      rows += batch.length;
      if (rows >= limit) break;
    }
    const ms = performance.now() - t1;
    await driver.pool.query('DROP TABLE bench_plain');
    return { rows, ms };
  }
  throw new Error(`no plain-insert reference for ${store.dialect}`);
}

function* hours(n: number): Iterable<MinuteCount[]> {
  for (let h = 0; h < n; h++) yield hourBatch(h);
}

/** Auth codes of the first scope (the one the queries read): 00 = approved, 51 / 59 = denied. */
async function loadAuthCodes(store: SqlStore): Promise<number> {
  let n = 0;
  for (let d = 0; d < days; d++) {
    const batch: AuthCodeCount[] = [];
    for (let minute = START + d * 1440; minute < START + (d + 1) * 1440; minute++) {
      const denied = countAt(0, minute, 1);
      batch.push({ scope: scopeName(0), minute, authCode: '00', count: countAt(0, minute, 0) });
      if (denied > 0) batch.push({ scope: scopeName(0), minute, authCode: '51', count: Math.ceil(denied * 0.6) });
      if (denied > 1) batch.push({ scope: scopeName(0), minute, authCode: '59', count: denied - Math.ceil(denied * 0.6) });
    }
    await store.writeBatch({ counts: [], authCodes: batch, raw: [] });
    n += batch.length;
  }
  return n;
}

/** One day of assessments per scope (the last day) and a few alerts per scope. */
async function loadDetection(store: SqlStore): Promise<number> {
  const last = START + days * 1440;
  let n = 0;
  for (let s = 0; s < scopes; s++) {
    const scope = scopeName(s);
    const batch: Assessment[] = [];
    for (let m = last - 1440; m < last; m++) {
      const failed = countAt(s, m, 2);
      const severity: Severity = failed >= 25 ? 'critical' : (m + s) % 211 < 2 ? 'warning' : (m + s) % 53 === 0 ? 'info' : 'none';
      batch.push({
        scope, minute: m, anomalyScore: severity === 'critical' ? 95 : severity === 'warning' ? 60 : severity === 'info' ? 30 : 5, severity,
        hasData: true, findings: [], explanation: severity, metrics: { total: 100, counts: {}, shares: {} },
      });
    }
    const alerts: Alert[] = [0, 1, 2].map((k) => ({
      id: 0, fingerprint: `${scope}-${k}`, rule: ['failed_count_high', 'denied_share_high', 'approved_low'][k], labels: { scope },
      state: k === 0 ? 'firing' : 'resolved', severity: k === 0 ? 'critical' : 'warning', score: 50 + k * 10, observed: 10, expected: 2,
      summary: 's', explanation: 'e', startsAt: (last - 600 + k * 100 + s) * 60_000, endsAt: k === 0 ? null : (last - 560 + k * 100 + s) * 60_000,
      updatedAt: (last - 1) * 60_000, lastMinute: last - 1,
    }));
    await store.saveEvaluation(batch, alerts.map((alert) => ({ alert, transition: { from: null, to: alert.state, at: alert.startsAt, note: 'bench' } })));
    n += batch.length;
  }
  await store.writeCheckout('bench', Array.from({ length: 24 }, (_, hour) => ({
    hour, today: 10 + (hour % 7), yesterday: 11, same_day_last_week: 9, avg_last_week: 10.5, avg_last_month: 10.25,
  })));
  return n;
}

interface QueryTiming { query: string; rows: number; ms: number }
interface DialectResult {
  dialect: string;
  countRows: number;
  importSeconds: number;
  importRowsPerSec: number;
  reference: Reference;
  assessments: number;
  authCodes: number;
  queries: QueryTiming[];
}

function queryInputs(name: string): QueryInput {
  if (name === 'checkout_hourly') return { source: 'bench' };
  const params = new Set(listNamedQueries().find((q) => q.name === name)!.params.map((p) => p.name));
  return params.has('scope') ? { scope: 'pos-001' } : {};
}

async function benchStore(store: SqlStore, label: string): Promise<DialectResult> {
  const totalHours = days * 24;
  const rowsPerHour = 60 * scopes * STATUSES.length;
  const refLimit = Math.min(REFERENCE_ROWS, totalHours * rowsPerHour);
  log(`${label}: importing ${(totalHours * rowsPerHour).toLocaleString('en-US')} count rows (${days} days × ${scopes} scopes × ${STATUSES.length} statuses)…`);
  let rows = 0;
  let refMs = 0;
  const t0 = performance.now();
  for (let h = 0; h < totalHours; h++) {
    const batch = hourBatch(h);
    await store.writeBatch({ counts: batch, authCodes: [], raw: [] });
    rows += batch.length;
    if (refMs === 0 && rows >= refLimit) refMs = performance.now() - t0;
    if (h % 24 === 23) log(`  ${label}: day ${(h + 1) / 24}/${days}, ${Math.round(rows / ((performance.now() - t0) / 1000)).toLocaleString('en-US')} rows/s`);
  }
  const importSeconds = (performance.now() - t0) / 1000;
  // Reference, after the import so both run warm: plain INSERT of the same first rows into an
  // empty twin table.
  const plain = await plainInsert(store, () => hours(totalHours), refLimit);
  const authCodes = await loadAuthCodes(store);
  const assessments = await loadDetection(store);
  await store.driver.exec('ANALYZE');

  const queries: QueryTiming[] = [];
  for (const q of listNamedQueries()) {
    const times: number[] = [];
    let n = 0;
    for (let k = 0; k < 3; k++) {
      const t = performance.now();
      n = (await runNamedQuery(store, q.name, queryInputs(q.name))).rows.length;
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    queries.push({ query: q.name, rows: n, ms: times[1] });
    log(`  ${label}: ${q.name} ${times[1].toFixed(1)} ms (${n} rows)`);
  }
  return {
    dialect: label,
    countRows: (await store.stats()).countRows,
    importSeconds,
    importRowsPerSec: rows / importSeconds,
    reference: { rows: plain.rows, upsertRowsPerSec: plain.rows / (refMs / 1000), plainRowsPerSec: plain.rows / (plain.ms / 1000) },
    assessments,
    authCodes,
    queries,
  };
}

async function main(): Promise<void> {
  const results: DialectResult[] = [];
  if (args.only === undefined || args.only === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'txmon-bench-'));
    const store = await openStore(join(dir, 'bench.db'));
    try {
      results.push(await benchStore(store, 'sqlite'));
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if ((args.only === undefined || args.only === 'postgres') && pgUrl) {
    const schema = uniqueSchema('txmon_bench');
    const store = await openStore(withSchema(pgUrl, schema));
    try {
      results.push(await benchStore(store, 'postgres'));
    } finally {
      await store.close();
      await dropSchema(pgUrl, schema);
    }
  } else if (args.only === 'postgres') throw new Error('--only postgres needs TXMON_BENCH_PG_URL or TXMON_TEST_PG_URL');
  else if (!pgUrl) log('PostgreSQL skipped: set TXMON_BENCH_PG_URL or TXMON_TEST_PG_URL');

  if (args.json) {
    process.stdout.write(JSON.stringify({ days, scopes, statuses: STATUSES.length, results }, null, 2) + '\n');
    return;
  }
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const out: string[] = [`store benchmark: ${days} days × ${scopes} scopes × ${STATUSES.length} statuses`, ''];
  for (const r of results) {
    out.push(`${r.dialect}: imported ${fmt(r.countRows)} count rows in ${r.importSeconds.toFixed(1)} s = ${fmt(r.importRowsPerSec)} rows/s (writeBatch, upsert)`);
    out.push(`  reference, first ${fmt(r.reference.rows)} rows from empty: writeBatch ${fmt(r.reference.upsertRowsPerSec)} rows/s, plain INSERT ${fmt(r.reference.plainRowsPerSec)} rows/s, ratio ${(r.reference.upsertRowsPerSec / r.reference.plainRowsPerSec).toFixed(2)}`);
    out.push(`  plus ${fmt(r.authCodes)} auth-code rows (pos-001), ${fmt(r.assessments)} assessments (last day) and ${fmt(scopes * 3)} alerts`);
  }
  out.push('', `query (median of 3, ms)      ${results.map((r) => r.dialect.padStart(10) + '  rows'.padStart(8)).join('')}`);
  for (const q of listNamedQueries()) {
    out.push(`${q.name.padEnd(28)} ${results.map((r) => {
      const t = r.queries.find((x) => x.query === q.name)!;
      return t.ms.toFixed(1).padStart(10) + String(t.rows).padStart(8);
    }).join('')}`);
  }
  process.stdout.write(out.join('\n') + '\n');
}

await main();
