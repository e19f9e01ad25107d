/** Per-minute auth-code counts: `{timestamp, auth_code, count, scope?}`; auth codes are text. */
import { TxmonError } from '../domain/errors.ts';
import type { AuthCodeCount, MinuteBatch } from '../domain/types.ts';
import { DEFAULT_SCOPE } from '../domain/types.ts';
import { type DecodedBody, requireColumns } from './decode.ts';
import { countField, jsonCountField, knownKeys, labelField, minuteField, optionalLabel, type TimeContext } from './fields.ts';

const SHAPE = 'timestamp,auth_code,count[,scope] (or time,auth_code,count|f0_)';

/** Columns of an auth-code-counts body (shared with the streaming file reader, src/sources/stream.ts). */
export const AUTH_CODE_COLUMNS = { required: ['timestamp', 'auth_code', 'count'], optional: ['scope'], shape: SHAPE };

/** Keys a JSON/NDJSON auth-code record may have; anything else is a 400. */
const JSON_KEYS = ['timestamp', 'auth_code', 'count', 'scope'] as const;

export function parseAuthCodeCounts(body: DecodedBody, ctx: TimeContext): MinuteBatch {
  requireColumns(body, AUTH_CODE_COLUMNS.required, AUTH_CODE_COLUMNS.optional, SHAPE);
  const authCodes: AuthCodeCount[] = [];
  const seen = new Map<string, number>();
  const isCsv = body.encoding === 'csv';
  for (const { row, fields } of body.records) {
    if (!isCsv) knownKeys(fields, row, JSON_KEYS);
    for (const f of ['timestamp', 'auth_code', 'count']) {
      if (fields[f] === undefined || fields[f] === null) {
        throw new TxmonError('TXMON_ERR_VALIDATION', `row ${row}: missing field "${f}"; expected ${SHAPE}`, { row, field: f });
      }
    }
    if (!isCsv && typeof fields.auth_code !== 'string') {
      throw new TxmonError('TXMON_ERR_VALIDATION',
        `row ${row}: field "auth_code" must be a string (auth codes are text: "00" is not 0), got ${JSON.stringify(fields.auth_code)}`,
        { row, field: 'auth_code' });
    }
    const minute = minuteField(fields.timestamp, row, 'timestamp', ctx);
    const authCode = labelField(fields.auth_code, row, 'auth_code');
    const count = isCsv ? countField(fields.count, row) : jsonCountField(fields.count, row);
    const scope = optionalLabel(fields.scope, row, 'scope', ctx.defaultScope ?? DEFAULT_SCOPE);
    const key = `${scope}\u0000${minute}\u0000${authCode}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw new TxmonError('TXMON_ERR_VALIDATION', `row ${row}: duplicate (scope, minute, auth_code); first given on row ${earlier}`, { row, field: 'auth_code' });
    }
    seen.set(key, row);
    authCodes.push({ scope, minute, authCode, count });
  }
  return { counts: [], authCodes, raw: [] };
}
