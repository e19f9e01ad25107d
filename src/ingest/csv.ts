/**
 * A small RFC 4180 CSV reader. Hand-written rather than csv-parse because the backtest reads
 * tens of millions of rows and this loop (no per-field callbacks, no stream transforms) is several
 * times faster; it handles quotes, doubled quotes, CRLF and a UTF-8 BOM, which is all our inputs use.
 */
import { TxmonError } from '../domain/errors.ts';

/** Splits one CSV line into fields. `lineNo` is 1-based and used in error messages. */
export function splitCsvLine(line: string, lineNo: number): string[] {
  if (line.indexOf('"') === -1) return line.split(',');
  const fields: string[] = [];
  let i = 0;
  const n = line.length;
  while (i <= n) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q === -1) throw new TxmonError('TXMON_ERR_BAD_CSV', `line ${lineNo}: unterminated quoted field`, { row: lineNo });
        value += line.slice(i, q);
        if (line[q + 1] === '"') { value += '"'; i = q + 2; continue; }
        i = q + 1;
        break;
      }
      if (i < n && line[i] !== ',') throw new TxmonError('TXMON_ERR_BAD_CSV', `line ${lineNo}: unexpected character after closing quote`, { row: lineNo });
      fields.push(value);
      i++;
    } else {
      const c = line.indexOf(',', i);
      const end = c === -1 ? n : c;
      fields.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return fields;
}

/** A parsed CSV text: lower-cased header and the data rows with their 1-based line numbers. */
export interface CsvTable { header: string[]; rows: string[][]; lines: number[] }

export function parseCsv(text: string): CsvTable {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const rawLines = text.split('\n');
  let headerLine = -1;
  for (let i = 0; i < rawLines.length; i++) {
    if (rawLines[i].trim() !== '') { headerLine = i; break; }
  }
  if (headerLine === -1) throw new TxmonError('TXMON_ERR_EMPTY_BODY', 'CSV body is empty: expected a header line and at least one row');
  const header = splitCsvLine(stripCr(rawLines[headerLine]), headerLine + 1).map((h) => h.trim().toLowerCase());
  const rows: string[][] = [];
  const lines: number[] = [];
  for (let i = headerLine + 1; i < rawLines.length; i++) {
    const line = stripCr(rawLines[i]);
    if (line.trim() === '') continue;
    const fields = splitCsvLine(line, i + 1);
    if (fields.length !== header.length) {
      throw new TxmonError('TXMON_ERR_BAD_CSV', `line ${i + 1}: expected ${header.length} fields (${header.join(',')}), got ${fields.length}`, { row: i + 1 });
    }
    rows.push(fields);
    lines.push(i + 1);
  }
  return { header, rows, lines };
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
