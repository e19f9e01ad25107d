/**
 * Parses and validates an hourly POS checkout file:
 *
 * ```
 * time,today,yesterday,same_day_last_week,avg_last_week,avg_last_month
 * 00h,9,12,11,6.42,4.85
 * ```
 *
 * A file is accepted whole or rejected whole : every error names the row and the field.
 * Pure: text in, rows out.
 */
import { TxmonError, fieldError } from '../domain/errors.ts';
import { parseHourMinute } from '../domain/time.ts';
import type { CheckoutRow } from '../domain/checkout.ts';

/** The four baseline columns, in the order the files carry them. */
export const BASELINE_NAMES = ['yesterday', 'same_day_last_week', 'avg_last_week', 'avg_last_month'] as const;
export type BaselineName = (typeof BASELINE_NAMES)[number];

/** The columns a checkout file must have (any order). */
export const CHECKOUT_COLUMNS = ['time', 'today', ...BASELINE_NAMES] as const;

/** Formats an hour as the files do: 8 → "08h". */
export function hourLabel(hour: number): string {
  return `${String(hour).padStart(2, '0')}h`;
}

/** Formats an inclusive hour range: (8, 9) → "08h–09h", (8, 8) → "08h". */
export function hourRangeLabel(start: number, end: number): string {
  return start === end ? hourLabel(start) : `${hourLabel(start)}–${hourLabel(end)}`;
}

function splitLine(line: string): string[] {
  // The files are plain comma-separated numbers; tolerate fields wrapped in double quotes.
  return line.split(',').map((f) => {
    const t = f.trim();
    return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
  });
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function readNumber(text: string, row: number, field: string, integer: boolean): number {
  const what = integer ? 'a non-negative integer (a count of sales)' : 'a non-negative number';
  if (!NUMBER.test(text)) throw fieldError(row, field, what, text);
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) throw fieldError(row, field, what, text);
  return value;
}

/**
 * Parses a checkout CSV into 24 rows sorted by hour.
 *
 * @param text the whole file
 * @throws TxmonError TXMON_ERR_BAD_CSV (empty file, bad header, wrong column count) or
 *   TXMON_ERR_VALIDATION (bad hour, negative/non-numeric value, duplicate or missing hour);
 *   rows are 1-based data rows (the header is row 0).
 */
export function parseCheckoutCsv(text: string): CheckoutRow[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  if (lines.length === 0 || lines[0].trim() === '') {
    throw new TxmonError('TXMON_ERR_BAD_CSV', 'checkout file is empty: expected a header "time,today,yesterday,same_day_last_week,avg_last_week,avg_last_month" and 24 hourly rows');
  }

  const header = splitLine(lines[0]).map((h) => h.toLowerCase());
  const index = new Map<string, number>();
  header.forEach((name, i) => {
    if (!(CHECKOUT_COLUMNS as readonly string[]).includes(name)) {
      throw new TxmonError('TXMON_ERR_BAD_CSV', `header column ${i + 1} "${name}" is not a checkout column; expected ${CHECKOUT_COLUMNS.join(',')}`, {
        row: 0, field: name, expected: CHECKOUT_COLUMNS.join(','), got: lines[0],
      });
    }
    if (index.has(name)) {
      throw new TxmonError('TXMON_ERR_BAD_CSV', `header column "${name}" appears twice`, { row: 0, field: name, expected: 'each column once', got: lines[0] });
    }
    index.set(name, i);
  });
  const missing = CHECKOUT_COLUMNS.filter((c) => !index.has(c));
  if (missing.length > 0) {
    throw new TxmonError('TXMON_ERR_BAD_CSV', `header lacks column(s) ${missing.join(', ')}; expected ${CHECKOUT_COLUMNS.join(',')}`, {
      row: 0, field: missing[0], expected: CHECKOUT_COLUMNS.join(','), got: lines[0],
    });
  }

  const byHour = new Map<number, { row: CheckoutRow; line: number }>();
  for (let i = 1; i < lines.length; i++) {
    const row = i; // 1-based data row (header is row 0)
    if (lines[i].trim() === '') {
      throw new TxmonError('TXMON_ERR_BAD_CSV', `row ${row}: empty line inside the file`, { row });
    }
    const fields = splitLine(lines[i]);
    if (fields.length !== header.length) {
      throw new TxmonError('TXMON_ERR_BAD_CSV', `row ${row}: has ${fields.length} fields, the header has ${header.length}`, {
        row, expected: `${header.length} fields`, got: fields.length,
      });
    }
    const get = (name: string): string => fields[index.get(name)!];
    const timeText = get('time');
    const minutes = parseHourMinute(timeText);
    if (minutes === null || minutes % 60 !== 0) throw fieldError(row, 'time', 'an hour "00h".."23h"', timeText);
    const hour = minutes / 60;
    const parsed: CheckoutRow = {
      hour,
      today: readNumber(get('today'), row, 'today', true),
      yesterday: readNumber(get('yesterday'), row, 'yesterday', false),
      same_day_last_week: readNumber(get('same_day_last_week'), row, 'same_day_last_week', false),
      avg_last_week: readNumber(get('avg_last_week'), row, 'avg_last_week', false),
      avg_last_month: readNumber(get('avg_last_month'), row, 'avg_last_month', false),
    };
    const earlier = byHour.get(hour);
    if (earlier) {
      throw new TxmonError('TXMON_ERR_VALIDATION', `row ${row}: field "time" ${hourLabel(hour)} duplicates row ${earlier.line}`, {
        row, field: 'time', expected: 'each hour once', got: timeText,
      });
    }
    byHour.set(hour, { row: parsed, line: row });
  }

  const absent: string[] = [];
  for (let h = 0; h < 24; h++) if (!byHour.has(h)) absent.push(hourLabel(h));
  if (absent.length > 0) {
    throw new TxmonError('TXMON_ERR_VALIDATION', `field "time": hour(s) ${absent.join(', ')} missing; a checkout file has one row per hour 00h..23h`, {
      field: 'time', expected: '24 rows, 00h..23h', got: absent.join(','),
    });
  }
  return [...byHour.values()].map((v) => v.row).sort((a, b) => a.hour - b.hour);
}
