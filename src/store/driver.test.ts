/** Named statements bound for each dialect: placeholders, repeated names, bulk rows and their chunks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bindStatement, compileFor, Rows, rowShape, type Dialect, type Params } from './driver.ts';
import { compileNamed } from './placeholders.ts';
import { sqliteDialect } from './sqlite/dialect.ts';
import { postgresDialect } from './postgres/dialect.ts';

const compile = (sql: string, dialect: Dialect) => compileFor(compileNamed(sql), dialect);
/** Binds `sql` for a dialect. */
const bind = (sql: string, params: Params, dialect: Dialect) => bindStatement(compile(sql, dialect), params);
const SHAPE = rowShape({ id: 'text', n: 'integer', x: 'real' });

test('scalar parameters: ? per occurrence on SQLite, $n per distinct name on PostgreSQL; literals and casts untouched', () => {
  const sql = "SELECT ':a', :a, :b::bigint, :a FROM t WHERE s = 'x:y'";
  assert.deepEqual(bind(sql, { a: 1, b: 2 }, sqliteDialect), [{ text: "SELECT ':a', ?, ?::bigint, ? FROM t WHERE s = 'x:y'", runs: [[1, 2, 1]] }]);
  assert.deepEqual(bind(sql, { a: 1, b: 2 }, postgresDialect), [{ text: "SELECT ':a', $1, $2::bigint, $1 FROM t WHERE s = 'x:y'", runs: [[1, 2]] }]);
});

test('a missing parameter is a 400 naming it; null is a value', () => {
  const sql = 'UPDATE t SET a = :a WHERE id = :id';
  assert.throws(() => bind(sql, { a: 1 }, sqliteDialect), (e: { code?: string; message?: string }) => e.code === 'TXMON_ERR_BAD_PARAMETER' && /:id/.test(e.message ?? ''));
  assert.deepEqual(bind(sql, { a: null, id: 3 }, sqliteDialect)[0].runs, [[null, 3]]);
});

test('bulk rows: multi-row VALUES on SQLite, one unnest array per column on PostgreSQL, numbering continuing after them', () => {
  const sql = 'INSERT INTO t (id, n, x) :rows ON CONFLICT (id) DO NOTHING RETURNING id, :n0, :tag';
  const rows = new Rows(SHAPE, [['a', 1, 0.5], ['b', 2, null]]);
  assert.deepEqual(bind(sql, { rows, n0: 7, tag: 'z' }, sqliteDialect), [{
    text: 'INSERT INTO t (id, n, x) VALUES (?, ?, ?), (?, ?, ?) ON CONFLICT (id) DO NOTHING RETURNING id, ?, ?',
    runs: [['a', 1, 0.5, 'b', 2, null, 7, 'z']],
  }]);
  assert.deepEqual(bind(sql, { rows, n0: 7, tag: 'z' }, postgresDialect), [{
    text: 'INSERT INTO t (id, n, x) SELECT * FROM unnest($1::text[], $2::bigint[], $3::double precision[]) ON CONFLICT (id) DO NOTHING RETURNING id, $4, $5',
    runs: [[['a', 'b'], [1, 2], [0.5, null], 7, 'z']],
  }]);
});

test('bulk rows beyond a statement: chunks of the maximum, then powers of two, every row once and in order; none for no rows', () => {
  const sql = 'INSERT INTO t (id, n, x) :rows';
  const rows = Array.from({ length: 256 * 2 + 100 }, (_, i) => [`r${i}`, i, i / 2]);
  const bound = bind(sql, { rows: new Rows(SHAPE, rows) }, sqliteDialect);
  assert.deepEqual(bound.map((b) => b.runs[0].length / 3), [256, 256, 64, 32, 4]);
  assert.deepEqual(bound.flatMap((b) => b.runs[0]), rows.flat());
  assert.equal(new Set(bound.map((b) => b.text)).size, 4, 'one statement text per chunk size');
  assert.equal(bind(sql, { rows: new Rows(SHAPE, rows) }, postgresDialect).length, 1);
  assert.deepEqual(bind(sql, { rows: new Rows(SHAPE, []) }, sqliteDialect), []);
});

test('upserts on SQLite: one row per statement (a multi-row upsert writes a statement journal); PostgreSQL: one statement', () => {
  const sql = 'INSERT INTO t (id, n, x) :rows ON CONFLICT (id) DO UPDATE SET n = excluded.n';
  const rows = new Rows(SHAPE, [['a', 1, 0.5], ['b', 2, 1], ['c', 3, 1.5]]);
  assert.deepEqual(bind(sql, { rows }, sqliteDialect), [{
    text: 'INSERT INTO t (id, n, x) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET n = excluded.n',
    runs: [['a', 1, 0.5], ['b', 2, 1], ['c', 3, 1.5]],
  }]);
  const withScalar = bind('INSERT INTO t (id, n, x) :rows ON CONFLICT (id) DO UPDATE SET n = :n', { rows, n: 9 }, sqliteDialect);
  assert.deepEqual(withScalar[0].runs, [['a', 1, 0.5, 9], ['b', 2, 1, 9], ['c', 3, 1.5, 9]]);
  assert.equal(bind(sql, { rows }, postgresDialect).length, 1);
});
