import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TxmonError } from '../domain/errors.ts';
import { hourLabel, hourRangeLabel, parseCheckoutCsv } from './parse.ts';

const HEADER = 'time,today,yesterday,same_day_last_week,avg_last_week,avg_last_month';
function file(rows: (h: number) => string = (h) => `${hourLabel(h)},${h},${h + 1},${h + 2},${h + 0.5},${h + 0.25}`, header = HEADER): string {
  return [header, ...Array.from({ length: 24 }, (_, h) => rows(h))].join('\n') + '\n';
}

function rejects(text: string, code: string, ...needles: string[]): void {
  assert.throws(() => parseCheckoutCsv(text), (err: unknown) => {
    assert.ok(err instanceof TxmonError, 'a TxmonError');
    assert.equal(err.code, code);
    assert.equal(err.httpStatus, 400);
    for (const n of needles) assert.ok(err.message.includes(n), `message ${JSON.stringify(err.message)} should name ${n}`);
    return true;
  });
}

test('parses a valid file into 24 sorted rows', () => {
  const rows = parseCheckoutCsv(file());
  assert.equal(rows.length, 24);
  assert.deepEqual(rows[8], { hour: 8, today: 8, yesterday: 9, same_day_last_week: 10, avg_last_week: 8.5, avg_last_month: 8.25 });
});

test('accepts CRLF, a BOM, trailing blank lines, reordered columns and rows in any order', () => {
  const header = 'today,time,avg_last_month,avg_last_week,same_day_last_week,yesterday';
  const lines = Array.from({ length: 24 }, (_, h) => `${h},${hourLabel(h)},1.5,2,3,4`).reverse();
  const rows = parseCheckoutCsv('\uFEFF' + [header, ...lines].join('\r\n') + '\r\n\r\n');
  assert.equal(rows[0].hour, 0);
  assert.deepEqual(rows[23], { hour: 23, today: 23, yesterday: 4, same_day_last_week: 3, avg_last_week: 2, avg_last_month: 1.5 });
});

test('rejects an empty file and a bad header', () => {
  rejects('', 'TXMON_ERR_BAD_CSV', 'empty');
  rejects(file(undefined, 'time,today,yesterday,same_day_last_week,avg_last_week'), 'TXMON_ERR_BAD_CSV', 'avg_last_month');
  rejects(file(undefined, HEADER + ',extra'), 'TXMON_ERR_BAD_CSV', 'extra');
  rejects(file(undefined, 'time,today,today,same_day_last_week,avg_last_week,avg_last_month'), 'TXMON_ERR_BAD_CSV', 'today');
});

test('rejects a bad hour, naming the row and field', () => {
  rejects(file((h) => (h === 5 ? '24h,1,1,1,1,1' : `${hourLabel(h)},1,1,1,1,1`)), 'TXMON_ERR_VALIDATION', 'row 6', '"time"');
  rejects(file((h) => (h === 0 ? 'midnight,1,1,1,1,1' : `${hourLabel(h)},1,1,1,1,1`)), 'TXMON_ERR_VALIDATION', 'row 1', '"time"');
  rejects(file((h) => (h === 3 ? '03h 30,1,1,1,1,1' : `${hourLabel(h)},1,1,1,1,1`)), 'TXMON_ERR_VALIDATION', 'row 4', '"time"');
});

test('rejects negative, non-numeric and NaN values and a fractional today', () => {
  rejects(file((h) => (h === 2 ? '02h,-1,1,1,1,1' : `${hourLabel(h)},1,1,1,1,1`)), 'TXMON_ERR_VALIDATION', 'row 3', '"today"');
  rejects(file((h) => (h === 7 ? '07h,1,abc,1,1,1' : `${hourLabel(h)},1,1,1,1,1`)), 'TXMON_ERR_VALIDATION', 'row 8', '"yesterday"');
  rejects(file((h) => (h === 9 ? '09h,1,1,NaN,1,1' : `${hourLabel(h)},1,1,1,1,1`)), 'TXMON_ERR_VALIDATION', 'row 10', '"same_day_last_week"');
  rejects(file((h) => (h === 9 ? '09h,1,1,1,,1' : `${hourLabel(h)},1,1,1,1,1`)), 'TXMON_ERR_VALIDATION', 'row 10', '"avg_last_week"');
  rejects(file((h) => (h === 1 ? '01h,1,1,1,1,-0.5' : `${hourLabel(h)},1,1,1,1,1`)), 'TXMON_ERR_VALIDATION', 'row 2', '"avg_last_month"');
  rejects(file((h) => (h === 1 ? '01h,1.5,1,1,1,1' : `${hourLabel(h)},1,1,1,1,1`)), 'TXMON_ERR_VALIDATION', 'row 2', '"today"', 'integer');
});

test('rejects a wrong field count, duplicate hours and missing hours', () => {
  rejects(file((h) => (h === 4 ? '04h,1,1,1,1' : `${hourLabel(h)},1,1,1,1,1`)), 'TXMON_ERR_BAD_CSV', 'row 5', '5 fields');
  rejects(file((h) => (h === 4 ? '03h,1,1,1,1,1' : `${hourLabel(h)},1,1,1,1,1`)), 'TXMON_ERR_VALIDATION', 'row 5', 'duplicates row 4');
  const missing = [HEADER, ...Array.from({ length: 24 }, (_, h) => h).filter((h) => h !== 12 && h !== 13).map((h) => `${hourLabel(h)},1,1,1,1,1`)].join('\n');
  rejects(missing, 'TXMON_ERR_VALIDATION', '12h, 13h', 'missing');
});

test('hour labels', () => {
  assert.equal(hourLabel(8), '08h');
  assert.equal(hourRangeLabel(8, 9), '08h–09h');
  assert.equal(hourRangeLabel(15, 15), '15h');
});
