import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TxmonError } from '../domain/errors.ts';
import type { MinuteCount } from '../domain/types.ts';
import { decodeBody, encodingOf } from './decode.ts';
import { parseStatusCounts } from './counts.ts';
import { parseAuthCodeCounts } from './authCodes.ts';
import { parseRawTransactions } from './raw.ts';
import { countField, jsonCountField, labelField, MAX_COUNT, timestampField, type TimeContext } from './fields.ts';

const NOW = Date.UTC(2025, 6, 15);
const ctx = (over: Partial<TimeContext> = {}): TimeContext => ({ timeZone: 'UTC', now: NOW, maxFutureMs: 86_400_000, ...over });
const M = (iso: string) => Date.parse(iso) / 60_000;
const rows = (cs: MinuteCount[]) => cs.map((c) => `${c.scope} ${new Date(c.minute * 60_000).toISOString().slice(11, 16)} ${c.status}=${c.count}`).sort();

function error(fn: () => unknown): TxmonError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TxmonError, String(err));
    return err;
  }
  assert.fail('expected a TxmonError');
}

test('encodingOf maps content types; anything else is 415', () => {
  assert.equal(encodingOf(undefined), 'json');
  assert.equal(encodingOf('application/json; charset=utf-8'), 'json');
  assert.equal(encodingOf('Application/X-NDJSON'), 'ndjson');
  assert.equal(encodingOf('application/jsonl'), 'ndjson');
  assert.equal(encodingOf('text/csv;charset=UTF-8'), 'csv');
  const e = error(() => encodingOf('text/plain'));
  assert.equal(e.code, 'TXMON_ERR_UNSUPPORTED_MEDIA_TYPE');
  assert.equal(e.httpStatus, 415);
});

test('decodeBody: one object, an array, NDJSON with blank lines', () => {
  assert.deepEqual(decodeBody('{"a":1}', 'json').records, [{ row: 1, fields: { a: 1 } }]);
  assert.deepEqual(decodeBody('[{"a":1},{"a":2}]', 'json').records.map((r) => r.row), [1, 2]);
  const nd = decodeBody('{"a":1}\n\n{"a":2}\r\n', 'ndjson');
  assert.deepEqual(nd.records, [{ row: 1, fields: { a: 1 } }, { row: 3, fields: { a: 2 } }]);
  assert.equal(error(() => decodeBody('{"a":1}\n[1]\n', 'ndjson')).detail?.row, 2);
  assert.equal(error(() => decodeBody('"text"', 'json')).code, 'TXMON_ERR_VALIDATION');
  assert.equal(error(() => decodeBody('[null]', 'json')).message, 'row 1: expected a JSON object, got null');
  assert.equal(error(() => decodeBody('\n\n', 'ndjson')).code, 'TXMON_ERR_EMPTY_BODY');
});

test('status counts: JSON rows, statuses lower-cased, scope default and override', () => {
  const b = parseStatusCounts(decodeBody(JSON.stringify([
    { timestamp: '2025-07-12T13:45:00Z', status: 'Approved', count: 116 },
    { timestamp: '2025-07-12 13:45:00', status: ' denied ', count: 7, scope: 'pos-1' },
  ]), 'json'), ctx());
  assert.deepEqual(rows(b.counts), ['all 13:45 approved=116', 'pos-1 13:45 denied=7']);
  assert.equal(b.completeMinutes, undefined, 'JSON does not declare minutes complete');
  const scoped = parseStatusCounts(decodeBody('{"timestamp":"2025-07-12T13:45:00Z","status":"approved","count":1}', 'json'), ctx({ defaultScope: 'm-9' }));
  assert.equal(scoped.counts[0].scope, 'm-9');
});

test('status counts: CSV fills absent (minute, status) pairs with 0 and declares its minutes complete', () => {
  const b = parseStatusCounts(decodeBody('timestamp,status,count\n2025-07-12 13:45:00,approved,116\n2025-07-12 13:45:00,denied,7\n2025-07-12 13:47:00,approved,110\n', 'csv'), ctx());
  // Not an export: only the minutes present are complete; 13:46 is not invented.
  assert.deepEqual(rows(b.counts), ['all 13:45 approved=116', 'all 13:45 denied=7', 'all 13:47 approved=110', 'all 13:47 denied=0']);
  assert.deepEqual([...b.completeMinutes!.get('all')!].sort(), [M('2025-07-12T13:45:00Z'), M('2025-07-12T13:47:00Z')]);
});

test('status counts: exports time,status,count|f0_ with HHh MM fill every minute of the range', () => {
  for (const header of ['time,status,count', 'time,status,f0_', 'TIME,Status,F0_']) {
    const b = parseStatusCounts(decodeBody(`${header}\n14h 05,approved,10\n14h 05,denied,2\n14h 08,failed,1\n`, 'csv'), ctx({ date: '2025-07-12' }));
    assert.deepEqual(rows(b.counts), [
      'all 14:05 approved=10', 'all 14:05 denied=2', 'all 14:05 failed=0',
      'all 14:06 approved=0', 'all 14:06 denied=0', 'all 14:06 failed=0',
      'all 14:07 approved=0', 'all 14:07 denied=0', 'all 14:07 failed=0',
      'all 14:08 approved=0', 'all 14:08 denied=0', 'all 14:08 failed=1',
    ], header);
    assert.equal(b.completeMinutes!.get('all')!.size, 4);
  }
  // Full timestamps in a time column work too; the date parameter is then not needed.
  const full = parseStatusCounts(decodeBody('time,status,count\n2025-07-12 14:05:00,approved,1\n', 'csv'), ctx());
  assert.deepEqual(rows(full.counts), ['all 14:05 approved=1']);
  // HHh MM times are read in the configured zone.
  const sp = parseStatusCounts(decodeBody('time,status,count\n10h 00,approved,1\n', 'csv'), ctx({ date: '2025-07-12', timeZone: 'America/Sao_Paulo' }));
  assert.equal(sp.counts[0].minute, M('2025-07-12T13:00:00Z'));
});

test('status counts: field errors name the row and field', () => {
  const csv = (body: string) => () => parseStatusCounts(decodeBody('timestamp,status,count\n' + body, 'csv'), ctx());
  const e1 = error(csv('2025-07-12 13:45:00,approved,1\n2025-07-12 13:45:00,denied,1.0\n'));
  assert.deepEqual([e1.code, e1.detail?.row, e1.detail?.field], ['TXMON_ERR_VALIDATION', 3, 'count']);
  assert.equal(error(csv('2025-07-12 13:45:00,,1\n')).detail?.field, 'status');
  assert.equal(error(csv('soon,approved,1\n')).detail?.field, 'timestamp');
  const dup = error(csv('2025-07-12 13:45:00,approved,1\n2025-07-12T13:45:30Z,Approved,2\n'));
  assert.match(dup.message, /row 3: duplicate .* first given on row 2/);
  const json = (v: unknown) => () => parseStatusCounts(decodeBody(JSON.stringify(v), 'json'), ctx());
  assert.equal(error(json({ timestamp: '2025-07-12T13:45:00Z', status: 'approved', count: '3' })).detail?.field, 'count');
  assert.equal(error(json({ timestamp: '2025-07-12T13:45:00Z', status: 'approved', count: null })).message, 'row 1: missing field "count"; expected timestamp,status,count[,scope] (or time,status,count|f0_)');
  assert.equal(error(json({ timestamp: '2025-07-12T13:45:00Z', status: ['approved'], count: 1 })).detail?.field, 'status');
  assert.equal(error(json({ timestamp: '2025-07-12T13:45:00Z', status: 'approved', count: 1, scope: 7 })).detail?.field, 'scope');
  assert.equal(error(() => parseStatusCounts(decodeBody('timestamp,status,count,extra\n2025-07-12 13:45:00,approved,1,x\n', 'csv'), ctx())).code, 'TXMON_ERR_BAD_CSV');
});

test('count fields: non-negative integers up to MAX_COUNT', () => {
  assert.equal(countField('42', 1), 42);
  assert.equal(countField(' 7 ', 1), 7);
  assert.equal(countField(0, 1), 0);
  assert.equal(countField(MAX_COUNT, 1), MAX_COUNT);
  for (const bad of ['-1', '1.5', 'NaN', '', '1e3', '0x10', -1, 1.5, Number.NaN, Infinity, MAX_COUNT + 1, 1e12, true, null]) {
    assert.equal(error(() => countField(bad, 4)).detail?.row, 4, String(bad));
  }
  assert.equal(jsonCountField(3, 1), 3);
  assert.match(error(() => jsonCountField('3', 2)).message, /^row 2: field "count" must be a non-negative integer \(JSON number\), got "3"$/);
});

test('label fields: trimmed, non-empty, printable, bounded', () => {
  assert.equal(labelField('  POS-1 ', 1, 'scope'), 'POS-1');
  assert.equal(labelField('Denied', 1, 'status', { lower: true }), 'denied');
  for (const bad of ['', '   ', 'a\nb', 'x'.repeat(129), 5]) assert.equal(error(() => labelField(bad, 1, 'status')).detail?.field, 'status');
});

test('timestamp fields: future limit and the date hint for HHh MM', () => {
  assert.equal(timestampField('2025-07-15T23:00:00Z', 1, 'timestamp', ctx()), Date.parse('2025-07-15T23:00:00Z'));
  assert.match(error(() => timestampField('2025-07-17T00:00:00Z', 1, 'timestamp', ctx())).message, /not more than 24 h in the future/);
  assert.match(error(() => timestampField('14h 05', 2, 'timestamp', ctx())).message, /date=YYYY-MM-DD/);
  assert.equal(timestampField('14h 05', 2, 'timestamp', ctx({ date: '2025-07-12' })), Date.parse('2025-07-12T14:05:00Z'));
});

test('auth codes: text stays text ("00" is not 0), CSV keeps leading zeros', () => {
  const csv = parseAuthCodeCounts(decodeBody('timestamp,auth_code,count\n2025-07-12 13:45:00,00,116\n2025-07-12 13:45:00,051,2\n', 'csv'), ctx());
  assert.deepEqual(csv.authCodes.map((a) => [a.authCode, a.count]), [['00', 116], ['051', 2]]);
  const json = parseAuthCodeCounts(decodeBody('[{"timestamp":"2025-07-12T13:45:00Z","auth_code":"00","count":5}]', 'json'), ctx());
  assert.equal(json.authCodes[0].authCode, '00');
  const e = error(() => parseAuthCodeCounts(decodeBody('[{"timestamp":"2025-07-12T13:45:00Z","auth_code":0,"count":5}]', 'json'), ctx()));
  assert.equal(e.detail?.field, 'auth_code');
  assert.match(error(() => parseAuthCodeCounts(decodeBody('timestamp,auth_code,count\n2025-07-12 13:45:00,00,1\n2025-07-12 13:45:00,00,2\n', 'csv'), ctx())).message, /row 3: duplicate/);
  assert.equal(error(() => parseAuthCodeCounts(decodeBody('timestamp,status,count\n2025-07-12 13:45:00,00,1\n', 'csv'), ctx())).code, 'TXMON_ERR_BAD_CSV');
});

test('raw transactions: parsed, deduplicated within a request, conflicts rejected', () => {
  const b = parseRawTransactions(decodeBody(JSON.stringify([
    { id: 'a', timestamp: '2025-07-12T13:45:10Z', status: 'Approved', auth_code: '00', amount: 12.5 },
    { id: 'a', timestamp: '2025-07-12T13:45:10Z', status: 'approved', auth_code: '00', amount: 12.5 },
    { id: 17, timestamp: '2025-07-12T13:46:00Z', status: 'denied', scope: 'pos-2' },
  ]), 'json'), ctx());
  assert.equal(b.raw.length, 2);
  assert.deepEqual(b.raw[0], { id: 'a', scope: 'all', minute: M('2025-07-12T13:45:00Z'), at: Date.parse('2025-07-12T13:45:10Z'), status: 'approved', authCode: '00', amount: 12.5 });
  assert.equal(b.raw[1].id, '17', 'integer ids become text');
  assert.equal(b.raw[1].scope, 'pos-2');
  const csv = parseRawTransactions(decodeBody('id,timestamp,status,auth_code,amount\nx1,2025-07-12 13:45:00,approved,00,10.25\nx2,2025-07-12 13:45:00,denied,,\n', 'csv'), ctx());
  assert.deepEqual(csv.raw.map((t) => [t.id, t.authCode, t.amount]), [['x1', '00', 10.25], ['x2', undefined, undefined]]);
  const conflict = error(() => parseRawTransactions(decodeBody('[{"id":"a","timestamp":"2025-07-12T13:45:00Z","status":"approved"},{"id":"a","timestamp":"2025-07-12T13:45:00Z","status":"denied"}]', 'json'), ctx()));
  assert.deepEqual([conflict.code, conflict.httpStatus, conflict.detail?.row], ['TXMON_ERR_CONFLICT', 409, 2]);
  assert.equal(error(() => parseRawTransactions(decodeBody('[{"id":"a","timestamp":"2025-07-12T13:45:00Z","status":"approved","amount":"1e3"}]', 'json'), ctx())).detail?.field, 'amount');
  assert.equal(error(() => parseRawTransactions(decodeBody('[{"id":1.5,"timestamp":"2025-07-12T13:45:00Z","status":"approved"}]', 'json'), ctx())).detail?.field, 'id');
});
