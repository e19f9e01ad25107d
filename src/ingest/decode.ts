/**
 * Turns a request body (JSON object, JSON array, NDJSON or CSV) into records: plain objects with
 * the row number they came from. The kind-specific parsers validate the records' fields.
 */
import { MAX_JSON_DEPTH, TxmonError, tooDeep } from '../domain/errors.ts';
import { parseCsv } from './csv.ts';

export type Encoding = 'json' | 'ndjson' | 'csv';

export interface InputRecord { row: number; fields: Record<string, unknown> }

export interface DecodedBody {
  encoding: Encoding;
  records: InputRecord[];
  /** CSV header as written (lower case), after aliases; undefined for JSON. */
  csvHeader?: string[];
  /** True for CSV exports with a `time` column (absent minute/status pairs mean zero). */
  csvExport?: boolean;
}

/** Maps a Content-Type header to an encoding, or throws 415. */
export function encodingOf(contentType: string | undefined): Encoding {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json' || type === '') return 'json';
  if (type === 'application/x-ndjson' || type === 'application/ndjson' || type === 'application/jsonl' || type === 'application/x-jsonlines') return 'ndjson';
  if (type === 'text/csv' || type === 'application/csv') return 'csv';
  throw new TxmonError(
    'TXMON_ERR_UNSUPPORTED_MEDIA_TYPE',
    `unsupported Content-Type "${type}": expected application/json, application/x-ndjson or text/csv`,
  );
}

/** Column aliases of the CSV exports this product grew from. */
const HEADER_ALIASES: Record<string, string> = { time: 'timestamp', f0_: 'count' };

/**
 * A CSV header (lower-cased, trimmed) after aliases, and whether it is an export (`time` column:
 * absent minute/status pairs mean zero over the whole range). Shared with the streaming reader.
 */
export function csvHeaderOf(rawHeader: string[]): { header: string[]; csvExport: boolean } {
  return { header: rawHeader.map((h) => HEADER_ALIASES[h] ?? h), csvExport: rawHeader.includes('time') };
}

export function decodeBody(text: string, encoding: Encoding): DecodedBody {
  if (text.trim() === '') throw new TxmonError('TXMON_ERR_EMPTY_BODY', 'request body is empty: expected at least one record');
  if (encoding === 'csv') return decodeCsv(text);
  if (encoding === 'ndjson') return { encoding, records: decodeNdjson(text) };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new TxmonError('TXMON_ERR_BAD_JSON', `body is not valid JSON: ${(err as Error).message}`);
  }
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) throw new TxmonError('TXMON_ERR_EMPTY_BODY', 'JSON array is empty: expected at least one record');
  return { encoding, records: items.map((item, i) => asRecord(item, i + 1)) };
}

function asRecord(item: unknown, row: number): InputRecord {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    throw new TxmonError('TXMON_ERR_VALIDATION', `row ${row}: expected a JSON object, got ${item === null ? 'null' : Array.isArray(item) ? 'an array' : typeof item}`, { row });
  }
  // No field of a row is a structure: a deep one is rejected before any validator walks it.
  const deep = tooDeep(item, MAX_JSON_DEPTH - 1);
  if (deep !== null) {
    const field = /^\$\.([^.[]+)/.exec(deep)?.[1];
    throw new TxmonError('TXMON_ERR_VALIDATION',
      `row ${row}: ${field ? `field "${field}"` : 'record'} nests arrays/objects deeper than ${MAX_JSON_DEPTH} levels (at ${deep.replace(/^\$/, 'row')}); expected plain values`,
      { row, field });
  }
  return { row, fields: item as Record<string, unknown> };
}

function decodeNdjson(text: string): InputRecord[] {
  const records: InputRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new TxmonError('TXMON_ERR_BAD_JSON', `line ${i + 1}: not valid JSON: ${(err as Error).message}`, { row: i + 1 });
    }
    records.push(asRecord(value, i + 1));
  }
  if (records.length === 0) throw new TxmonError('TXMON_ERR_EMPTY_BODY', 'NDJSON body holds no records');
  return records;
}

function decodeCsv(text: string): DecodedBody {
  const table = parseCsv(text);
  const { header, csvExport } = csvHeaderOf(table.header);
  const records = table.rows.map((fields, i) => {
    const obj: Record<string, unknown> = {};
    for (let c = 0; c < header.length; c++) obj[header[c]] = fields[c];
    return { row: table.lines[i], fields: obj };
  });
  if (records.length === 0) throw new TxmonError('TXMON_ERR_EMPTY_BODY', 'CSV has a header but no data rows');
  return { encoding: 'csv', records, csvHeader: header, csvExport };
}

/** Checks that a CSV header holds the required columns (and no unknown ones). */
export function requireColumns(body: DecodedBody, required: string[], optional: string[], shape: string): void {
  if (!body.csvHeader) return;
  const missing = required.filter((c) => !body.csvHeader!.includes(c));
  const unknown = body.csvHeader.filter((c) => !required.includes(c) && !optional.includes(c));
  if (missing.length > 0 || unknown.length > 0) {
    const parts = [];
    if (missing.length) parts.push(`missing column(s) ${missing.join(', ')}`);
    if (unknown.length) parts.push(`unknown column(s) ${unknown.join(', ')}`);
    throw new TxmonError('TXMON_ERR_BAD_CSV', `CSV header: ${parts.join('; ')}; expected ${shape}`, { row: 1, field: 'header' });
  }
}
