/**
 * Errors in one table (issue #14 item 5): every TXMON_ERR_* code is declared once in
 * src/domain/errors.ts with its status and meaning, docs/errors.md shows exactly that table, no
 * call site decides a status of its own, and the table declares no code nothing raises.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ERRORS, TxmonError, errorStatuses } from '../src/domain/errors.ts';
import { DOC, errorTable, withTable } from '../scripts/errors-doc.ts';

const SRC = resolve(import.meta.dirname, '..', 'src');
const sources = readdirSync(SRC, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
  .map((e) => ({ path: relative(SRC, join(e.parentPath, e.name)), text: readFileSync(join(e.parentPath, e.name), 'utf8') }));

test('docs/errors.md carries the table generated from ERRORS (node scripts/errors-doc.ts rewrites it)', () => {
  const doc = readFileSync(DOC, 'utf8');
  assert.equal(doc, withTable(doc), 'docs/errors.md is out of date: run node scripts/errors-doc.ts');
  for (const code of Object.keys(ERRORS)) assert.ok(errorTable().includes(`\`${code}\``), code);
});

test('the table: codes TXMON_ERR_*, statuses 4xx/5xx, a meaning each; variants differ from their code\'s status', () => {
  for (const e of errorStatuses()) {
    assert.match(e.code, /^TXMON_ERR_[A-Z_]+$/);
    assert.ok(e.status >= 400 && e.status <= 599, `${e.code}: ${e.status}`);
    assert.ok(e.meaning.length > 20, `${e.code}: a meaning`);
    if (e.variant) assert.notEqual(e.status, ERRORS[e.code].status, `${e.code} (${e.variant})`);
  }
  // The one intended split: the server's configuration is a 500, a client's bad input a 400.
  assert.equal(ERRORS.TXMON_ERR_CONFIG.status, 500);
  assert.equal(ERRORS.TXMON_ERR_BAD_PARAMETER.status, 400);
});

test('errors take their status from the table; variant, forwarded and prefixed keep what they say', () => {
  assert.equal(new TxmonError('TXMON_ERR_CONFIG', 'x').httpStatus, 500);
  assert.equal(new TxmonError('TXMON_ERR_LIMIT', 'x').httpStatus, 422);
  assert.equal(TxmonError.variant('TXMON_ERR_LIMIT', 'too_large', 'x').httpStatus, 413);
  assert.equal(TxmonError.variant('TXMON_ERR_BAD_PARAMETER', 'timeout', 'x').httpStatus, 408);
  assert.equal(TxmonError.forwarded('TXMON_ERR_BAD_PARAMETER', 503, 'x').httpStatus, 503);
  const e = TxmonError.variant('TXMON_ERR_LIMIT', 'too_large', 'too many rows', { field: 'rows' }).prefixed('f.csv: ');
  assert.deepEqual([e.code, e.httpStatus, e.message, e.detail], ['TXMON_ERR_LIMIT', 413, 'f.csv: too many rows', { field: 'rows' }]);
});

test('no call site under src/ writes a status: TxmonError.forwarded passes one on, never a number literal', () => {
  const literal: string[] = [];
  for (const { path, text } of sources) {
    for (const m of text.matchAll(/TxmonError\.forwarded\(\s*'[A-Z_]+',\s*(\d+)/g)) literal.push(`${path}: forwarded(…, ${m[1]})`);
    for (const m of text.matchAll(/new TxmonError\(\s*'[A-Z_]+',\s*(\d+)/g)) literal.push(`${path}: new TxmonError(…, ${m[1]})`);
  }
  assert.deepEqual(literal, []);
});

test('every code of the table is raised somewhere under src/ (no dead codes)', () => {
  const raised = new Set<string>();
  for (const { path, text } of sources) {
    if (path === join('domain', 'errors.ts')) continue;
    for (const m of text.matchAll(/'(TXMON_ERR_[A-Z_]+)'/g)) raised.add(m[1]);
  }
  assert.deepEqual(Object.keys(ERRORS).filter((c) => !raised.has(c)), []);
});
