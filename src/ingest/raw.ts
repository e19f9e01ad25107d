/** Single transactions `{id, timestamp, status, auth_code?, amount?, scope?}`, deduplicated by id. */
import { TxmonError, fieldError } from '../domain/errors.ts';
import type { MinuteBatch, RawTransaction } from '../domain/types.ts';
import { DEFAULT_SCOPE } from '../domain/types.ts';
import { toMinute } from '../domain/time.ts';
import { type DecodedBody, requireColumns } from './decode.ts';
import { labelField, optionalLabel, timestampField, type TimeContext } from './fields.ts';

const SHAPE = 'id,timestamp,status[,auth_code,amount,scope]';

/** Columns of a raw-transactions body (shared with the streaming file reader, src/sources/stream.ts). */
export const RAW_COLUMNS = { required: ['id', 'timestamp', 'status'], optional: ['auth_code', 'amount', 'scope'], shape: SHAPE };

export function parseRawTransactions(body: DecodedBody, ctx: TimeContext): MinuteBatch {
  requireColumns(body, RAW_COLUMNS.required, RAW_COLUMNS.optional, SHAPE);
  const byId = new Map<string, RawTransaction>();
  const isCsv = body.encoding === 'csv';
  for (const { row, fields } of body.records) {
    for (const f of ['id', 'timestamp', 'status']) {
      if (fields[f] === undefined || fields[f] === null) {
        throw new TxmonError('TXMON_ERR_VALIDATION', `row ${row}: missing field "${f}"; expected ${SHAPE}`, { row, field: f });
      }
    }
    const id = labelField(typeof fields.id === 'number' && Number.isInteger(fields.id) ? String(fields.id) : fields.id, row, 'id');
    const at = timestampField(fields.timestamp, row, 'timestamp', ctx);
    const status = labelField(fields.status, row, 'status', { lower: true });
    const scope = optionalLabel(fields.scope, row, 'scope', ctx.defaultScope ?? DEFAULT_SCOPE);
    let authCode: string | undefined;
    if (fields.auth_code !== undefined && fields.auth_code !== null && fields.auth_code !== '') {
      if (!isCsv && typeof fields.auth_code !== 'string') {
        throw fieldError(row, 'auth_code', 'a string (auth codes are text: "00" is not 0)', fields.auth_code);
      }
      authCode = labelField(fields.auth_code, row, 'auth_code');
    }
    const amount = amountField(fields.amount, row, isCsv);
    const tx: RawTransaction = { id, scope, minute: toMinute(at), at, status, authCode, amount };
    const earlier = byId.get(id);
    if (earlier && (earlier.status !== tx.status || earlier.at !== tx.at || earlier.scope !== tx.scope)) {
      throw new TxmonError('TXMON_ERR_CONFLICT', `row ${row}: transaction id "${id}" appears twice in this request with different content`, { row, field: 'id' });
    }
    byId.set(id, tx);
  }
  return { counts: [], authCodes: [], raw: [...byId.values()] };
}

/** The optional amount of a transaction: a finite number (CSV: decimal text), or undefined when absent. */
export function amountField(value: unknown, row: number, isCsv: boolean): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : isCsv && /^\s*-?\d+(\.\d+)?\s*$/.test(String(value)) ? Number(value) : NaN;
  if (!Number.isFinite(n) || Math.abs(n) > 1e12) throw fieldError(row, 'amount', 'a finite number', value);
  return n;
}
