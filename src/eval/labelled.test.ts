import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TxmonError } from '../domain/errors.ts';
import { parseLabelledCsv } from './labelled.ts';

test('the corpus format: quoted header and fields, "YYYY-MM-DD HH:MM:SS" and ISO timestamps, CRLF, BOM', () => {
  const text = '\ufeff"TimeStamp","Value","Label"\r\n"2018-07-03 14:00:00","1",0\r\n"2018-07-03T15:00:00Z",0.5,"1"\r\n2018-07-03 16:00:00,,0\r\n\r\n';
  const s = parseLabelledCsv(text, 'a.csv');
  assert.deepEqual(Array.from(s.times), [Date.UTC(2018, 6, 3, 14), Date.UTC(2018, 6, 3, 15), Date.UTC(2018, 6, 3, 16)]);
  assert.deepEqual(Array.from(s.values), [1, 0.5, NaN]);
  assert.deepEqual(Array.from(s.labels), [0, 1, 0]);
  assert.deepEqual(s.rawTimes, ['"2018-07-03 14:00:00"', '"2018-07-03T15:00:00Z"', '2018-07-03 16:00:00']);
  assert.equal(s.name, 'a.csv');
});

test('NAB-style lowercase headers, columns in any order, epoch seconds, true/false labels', () => {
  const s = parseLabelledCsv('label,value,timestamp\nfalse,3,1396310400\ntrue,4,1396310700\n', 'b.csv');
  assert.deepEqual(Array.from(s.labels), [0, 1]);
  assert.deepEqual(Array.from(s.values), [3, 4]);
  assert.deepEqual(Array.from(s.times), [1396310400000, 1396310700000]);
});

function rejects(text: string, check: (e: TxmonError) => boolean): void {
  assert.throws(
    () => parseLabelledCsv(text, 'data/x.csv'),
    (e: unknown) => e instanceof TxmonError && e.message.startsWith('data/x.csv: ') && check(e),
  );
}

test('bad input names the file, the row and the field', () => {
  rejects('TimeStamp,Value\n2018-07-03 14:00:00,1\n', (e) => e.code === 'TXMON_ERR_BAD_CSV' && /missing "label"/.test(e.message));
  rejects('TimeStamp,Value,Label\n2018-07-03 14:00:00,1,0\nsoon,1,0\n', (e) => e.code === 'TXMON_ERR_VALIDATION' && e.detail?.row === 2 && e.detail?.field === 'timestamp' && /row 2: field "timestamp"/.test(e.message));
  rejects('TimeStamp,Value,Label\n2018-07-03 14:00:00,1x,0\n', (e) => e.detail?.row === 1 && e.detail?.field === 'value');
  rejects('TimeStamp,Value,Label\n2018-07-03 14:00:00,1,2\n', (e) => e.detail?.row === 1 && e.detail?.field === 'label' && /must be 0 or 1, got "2"/.test(e.message));
  rejects('TimeStamp,Value,Label\n2018-07-03 14:00:00,1\n', (e) => e.code === 'TXMON_ERR_BAD_CSV' && e.detail?.row === 1 && /expected 3 fields, got 2/.test(e.message));
  rejects('TimeStamp,Value,Label\n"2018-07-03 14:00:00,1,0\n', (e) => e.code === 'TXMON_ERR_BAD_CSV' && /row 1: unterminated quoted field/.test(e.message));
  rejects('\n\n', (e) => e.code === 'TXMON_ERR_EMPTY_BODY');
});
