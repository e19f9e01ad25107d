/**
 * Labelled univariate series for `txmon eval`: CSV text with a timestamp, a value and a 0/1 label
 * column (the Microsoft cloud-monitoring corpus writes `TimeStamp,Value,Label`, NAB-style files
 * `timestamp,value,label`). Pure: text in, validated columns out.
 *
 * Header names are matched case-insensitively, with or without double quotes: the timestamp column
 * is `timestamp` (or `time`), the value `value`, the label `label` (or `is_anomaly`, `anomaly`).
 * Timestamps are anything {@link parseTimestamp} reads in UTC: `2018-07-03 14:00:00`, ISO 8601
 * with a zone, epoch seconds or ms. Values may be missing (empty, NaN, null, NA); labels must be
 * 0 or 1 (`true`/`false` accepted). Any other field, a wrong field count or a missing column throws
 * a TxmonError naming the file, the data row (1-based) and the field.
 */
import { TxmonError } from '../domain/errors.ts';
import { parseTimestamp } from '../domain/time.ts';

/** One labelled series, row for row. */
export interface LabelledSeries {
  /** Where it came from (a path, as given), for messages and per-file reports. */
  name: string;
  /** Timestamps as epoch ms (UTC). */
  times: Float64Array;
  /** Values; NaN where the file had a missing marker. */
  values: Float64Array;
  /** 1 = anomalous point. */
  labels: Uint8Array;
  /** The raw timestamp text of each row, as the file spelt it (quotes included), for `txmon score`. */
  rawTimes: string[];
  /** The raw value text of each row. */
  rawValues: string[];
}

const MISSING = /^(|nan|null|na|n\/a|none)$/i;
const TIME_NAMES = ['timestamp', 'time'];
const VALUE_NAMES = ['value'];
const LABEL_NAMES = ['label', 'is_anomaly', 'anomaly'];

/** Splits one CSV line into raw fields (quotes kept); throws on an unterminated quote. */
export function splitCsvLine(line: string, onError: () => TxmonError): string[] {
  if (line.indexOf('"') === -1) return line.split(',');
  const out: string[] = [];
  let start = 0;
  let inQuotes = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 34) inQuotes = !inQuotes;
    else if (c === 44 && !inQuotes) {
      out.push(line.slice(start, i));
      start = i + 1;
    }
  }
  if (inQuotes) throw onError();
  out.push(line.slice(start));
  return out;
}

/** A field's text without surrounding whitespace and double quotes ("" inside becomes "). */
export function unquoteField(raw: string): string {
  const t = raw.trim();
  return t.length >= 2 && t.charCodeAt(0) === 34 && t.charCodeAt(t.length - 1) === 34 ? t.slice(1, -1).replace(/""/g, '"') : t;
}

function badCsv(name: string, message: string, detail: TxmonError['detail']): TxmonError {
  return new TxmonError('TXMON_ERR_BAD_CSV', `${name}: ${message}`, detail);
}

function badField(name: string, row: number, field: string, expected: string, got: string): TxmonError {
  const shown = JSON.stringify(got.length > 60 ? got.slice(0, 60) + '…' : got);
  return new TxmonError('TXMON_ERR_VALIDATION', `${name}: row ${row}: field "${field}" must be ${expected}, got ${shown}`, {
    row,
    field,
    expected,
    got: got.slice(0, 60),
  });
}

/** Parses a labelled CSV text. `name` (usually the path) prefixes every error message. */
export function parseLabelledCsv(text: string, name: string): LabelledSeries {
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length && lines[i].trim() === '') i++;
  if (i === lines.length) throw new TxmonError('TXMON_ERR_EMPTY_BODY', `${name}: file is empty: expected a header such as "timestamp,value,label" and rows`);
  let headerLine = stripCr(lines[i]);
  if (headerLine.charCodeAt(0) === 0xfeff) headerLine = headerLine.slice(1);
  const cols = splitCsvLine(headerLine, () => badCsv(name, 'header: unterminated quoted field', { row: 0, field: 'header' })).map((c) => unquoteField(c).toLowerCase());
  const find = (names: string[]): number => {
    for (const n of names) {
      const k = cols.indexOf(n);
      if (k !== -1) return k;
    }
    return -1;
  };
  const tCol = find(TIME_NAMES);
  const vCol = find(VALUE_NAMES);
  const lCol = find(LABEL_NAMES);
  if (tCol === -1 || vCol === -1 || lCol === -1) {
    const missing = [tCol === -1 ? '"timestamp"' : '', vCol === -1 ? '"value"' : '', lCol === -1 ? '"label"' : ''].filter(Boolean).join(', ');
    throw badCsv(name, `header must name a timestamp, a value and a label column (e.g. "TimeStamp,Value,Label"); missing ${missing} in ${JSON.stringify(headerLine.slice(0, 80))}`, {
      row: 0,
      field: 'header',
      expected: 'timestamp,value,label',
      got: headerLine.slice(0, 80),
    });
  }
  const width = cols.length;
  const times: number[] = [];
  const values: number[] = [];
  const labels: number[] = [];
  const rawTimes: string[] = [];
  const rawValues: string[] = [];
  let row = 0;
  for (i++; i < lines.length; i++) {
    const line = stripCr(lines[i]);
    if (line.trim() === '') continue;
    row++;
    const fields = splitCsvLine(line, () => badCsv(name, `row ${row}: unterminated quoted field`, { row }));
    if (fields.length !== width) throw badCsv(name, `row ${row}: expected ${width} fields, got ${fields.length}`, { row, expected: `${width} fields`, got: fields.length });
    const tText = unquoteField(fields[tCol]);
    const ms = parseTimestamp(tText, 'UTC');
    if (ms === null) throw badField(name, row, 'timestamp', 'a time such as "2018-07-03 14:00:00" or "2018-07-03T14:00:00Z", or epoch seconds/ms', tText);
    const vText = unquoteField(fields[vCol]);
    let v = NaN;
    if (!MISSING.test(vText)) {
      v = Number(vText);
      if (!Number.isFinite(v)) throw badField(name, row, 'value', 'a finite number or empty/NaN for a missing value', vText);
    }
    const lText = unquoteField(fields[lCol]).toLowerCase();
    let l: number;
    if (lText === '1' || lText === '1.0' || lText === 'true') l = 1;
    else if (lText === '0' || lText === '0.0' || lText === 'false') l = 0;
    else throw badField(name, row, 'label', '0 or 1', lText);
    times.push(ms);
    values.push(v);
    labels.push(l);
    rawTimes.push(fields[tCol]);
    rawValues.push(fields[vCol]);
  }
  return { name, times: Float64Array.from(times), values: Float64Array.from(values), labels: Uint8Array.from(labels), rawTimes, rawValues };
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
