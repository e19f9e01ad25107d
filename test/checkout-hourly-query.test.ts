/**
 * The named query checkout_hourly.sql gives the same rows on SQLite (node:sqlite) and, when
 * TXMON_TEST_PG_URL is set, on PostgreSQL (in a throw-away schema). It lives in test/ rather than
 * beside the query because it feeds the query real checkout files through the checkout parser
 * (report/, a floor above store/: docs/architecture.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { parseCheckoutCsv } from '../src/checkout/parse.ts';
import type { CheckoutRow } from '../src/domain/checkout.ts';
import { synthesizeCheckout } from './helpers/checkoutSynthetic.ts';

const SQL = readFileSync(new URL('../src/store/queries/checkout_hourly.sql', import.meta.url), 'utf8');
const DDL = `CREATE TABLE checkout_hours(source TEXT, hour INTEGER, today REAL, yesterday REAL,
  same_day_last_week REAL, avg_last_week REAL, avg_last_month REAL)`;
const COLUMNS = ['source', 'hour', 'today', 'yesterday', 'same_day_last_week', 'avg_last_week', 'avg_last_month'] as const;
const BASELINES = ['yesterday', 'same_day_last_week', 'avg_last_week', 'avg_last_month'] as const;

function sources(): Map<string, CheckoutRow[]> {
  const map = new Map<string, CheckoutRow[]>();
  const rows = synthesizeCheckout({ seed: 5, episodes: [{ start: 15, end: 16, factor: 0 }] });
  rows[3] = { ...rows[3], yesterday: 0, same_day_last_week: 0, avg_last_week: 0, avg_last_month: 0 }; // zero baselines → NULL pct
  map.set('synthetic', rows);
  map.set('other', synthesizeCheckout({ seed: 6 }));
  for (const name of ['checkout_1', 'checkout_2']) {
    const path = fileURLToPath(new URL(`../../shared/data/cloudwalk/${name}.csv`, import.meta.url));
    if (existsSync(path)) map.set(name, parseCheckoutCsv(readFileSync(path, 'utf8')));
  }
  return map;
}

type Out = Record<string, number | null>;

/** What the query must return, computed independently in JS. */
function expected(rows: CheckoutRow[]): Out[] {
  const round = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d;
  return rows.map((r) => {
    const o: Out = { hour: r.hour, today: r.today };
    for (const b of BASELINES) {
      o[b] = r[b];
      o[`diff_${b}`] = round(r.today - r[b], 3);
      o[`pct_${b}`] = r[b] > 0 ? round((100 * (r.today - r[b])) / r[b], 1) : null;
    }
    return o;
  });
}

function sqliteRows(data: Map<string, CheckoutRow[]>, source: string): Out[] {
  const db = new DatabaseSync(':memory:');
  try {
    db.exec(DDL);
    const insert = db.prepare(`INSERT INTO checkout_hours(${COLUMNS.join(',')}) VALUES (${COLUMNS.map(() => '?').join(',')})`);
    for (const [name, rows] of data) for (const r of rows) insert.run(name, r.hour, r.today, r.yesterday, r.same_day_last_week, r.avg_last_week, r.avg_last_month);
    return db.prepare(SQL).all({ source }).map((row) => ({ ...row }) as Out);
  } finally {
    db.close();
  }
}

test('checkout_hourly on SQLite: one row per hour of the source, today vs each baseline', () => {
  const data = sources();
  for (const [name, rows] of data) {
    const got = sqliteRows(data, name);
    assert.equal(got.length, 24, name);
    assert.deepEqual(got, expected(rows), name);
  }
  assert.deepEqual(sqliteRows(data, 'nobody'), []);
});

// PostgreSQL: the table as specified (REAL = 4-byte float there, the hard case) and with
// DOUBLE PRECISION columns, as the store's migration declares them.
for (const [label, ddl] of [['REAL', DDL], ['DOUBLE PRECISION', DDL.replace(/\bREAL\b/g, 'DOUBLE PRECISION')]] as const) test(`checkout_hourly on PostgreSQL (${label} columns) gives the same rows as on SQLite`, async (t) => {
  const url = process.env.TXMON_TEST_PG_URL;
  if (!url) return t.skip('TXMON_TEST_PG_URL not set');
  const data = sources();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const schema = `txmon_checkout_test_${process.pid}_${Date.now()}`;
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`SET search_path TO ${schema}`);
    await client.query(ddl);
    for (const [name, rows] of data) {
      for (const r of rows) {
        await client.query(`INSERT INTO checkout_hours(${COLUMNS.join(',')}) VALUES ($1,$2,$3,$4,$5,$6,$7)`, [name, r.hour, r.today, r.yesterday, r.same_day_last_week, r.avg_last_week, r.avg_last_month]);
      }
    }
    // The store will translate named parameters; here the one parameter becomes $1.
    const sql = SQL.replace(/(?<!:):source\b/g, '$1');
    for (const name of data.keys()) {
      const { rows } = await client.query(sql, [name]);
      assert.deepEqual(rows.map((r) => ({ ...r })), sqliteRows(data, name), name);
    }
  } finally {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
});
