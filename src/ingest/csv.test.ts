import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TxmonError } from '../domain/errors.ts';
import { parseCsv, splitCsvLine } from './csv.ts';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TxmonError);
    return `${err.code} ${err.message}`;
  }
  assert.fail('expected a TxmonError');
};

test('splitCsvLine: plain, quoted, doubled quotes, commas in quotes, empty fields', () => {
  assert.deepEqual(splitCsvLine('a,b,c', 1), ['a', 'b', 'c']);
  assert.deepEqual(splitCsvLine('"a","b,c",d', 1), ['a', 'b,c', 'd']);
  assert.deepEqual(splitCsvLine('"say ""hi""",x', 1), ['say "hi"', 'x']);
  assert.deepEqual(splitCsvLine('a,,c', 1), ['a', '', 'c']);
  assert.deepEqual(splitCsvLine('a,"",c', 1), ['a', '', 'c']);
  assert.deepEqual(splitCsvLine(',', 1), ['', '']);
  assert.deepEqual(splitCsvLine('a,"b"', 1), ['a', 'b']);
  assert.deepEqual(splitCsvLine('"a",', 1), ['a', '']);
});

test('splitCsvLine: unterminated quote and junk after a closing quote name the line', () => {
  assert.match(code(() => splitCsvLine('a,"b,c', 7)), /^TXMON_ERR_BAD_CSV line 7: unterminated quoted field/);
  assert.match(code(() => splitCsvLine('"a"b,c', 3)), /^TXMON_ERR_BAD_CSV line 3: unexpected character after closing quote/);
});

test('parseCsv: BOM, CRLF, blank lines, header case and spaces', () => {
  const t = parseCsv('\uFEFF Timestamp , STATUS,count\r\n2025-07-12 13:45:00,approved,116\r\n\r\n2025-07-12 13:45:00,denied,7\r\n');
  assert.deepEqual(t.header, ['timestamp', 'status', 'count']);
  assert.deepEqual(t.rows, [['2025-07-12 13:45:00', 'approved', '116'], ['2025-07-12 13:45:00', 'denied', '7']]);
  assert.deepEqual(t.lines, [2, 4], 'file line numbers, blank lines counted');
});

test('parseCsv: leading blank lines before the header, no trailing newline', () => {
  const t = parseCsv('\n\ntime,status,f0_\n14h 05,approved,3');
  assert.deepEqual(t.header, ['time', 'status', 'f0_']);
  assert.deepEqual(t.lines, [4]);
});

test('parseCsv: wrong field count and empty input', () => {
  assert.match(code(() => parseCsv('a,b,c\n1,2,3\n1,2\n')), /^TXMON_ERR_BAD_CSV line 3: expected 3 fields \(a,b,c\), got 2/);
  assert.match(code(() => parseCsv('a,b\n1,2,3\n')), /line 2: expected 2 fields/);
  assert.match(code(() => parseCsv('\n \r\n')), /^TXMON_ERR_EMPTY_BODY/);
  assert.match(code(() => parseCsv('\uFEFF')), /^TXMON_ERR_EMPTY_BODY/);
});
