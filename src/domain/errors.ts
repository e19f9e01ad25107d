/**
 * Errors with a stable code, an HTTP status and a message naming the field and what was expected
 * (DESIGN §6). Everything that rejects input throws a TxmonError; the API maps it in one place.
 */
export type ErrorCode =
  | 'TXMON_ERR_BAD_JSON'
  | 'TXMON_ERR_BAD_CSV'
  | 'TXMON_ERR_VALIDATION'
  | 'TXMON_ERR_EMPTY_BODY'
  | 'TXMON_ERR_BODY_TOO_LARGE'
  | 'TXMON_ERR_UNSUPPORTED_MEDIA_TYPE'
  | 'TXMON_ERR_BAD_TIMESTAMP'
  | 'TXMON_ERR_BAD_PARAMETER'
  | 'TXMON_ERR_NOT_FOUND'
  | 'TXMON_ERR_UNAUTHORIZED'
  | 'TXMON_ERR_FORBIDDEN'
  | 'TXMON_ERR_CONFIG'
  | 'TXMON_ERR_STORE'
  | 'TXMON_ERR_STORE_UNAVAILABLE'
  | 'TXMON_ERR_LIMIT'
  | 'TXMON_ERR_TOO_DEEP'
  | 'TXMON_ERR_CONFLICT'
  | 'TXMON_ERR_INTERNAL';

export interface ErrorDetail {
  /** 1-based row (CSV: data row, JSON array: element) when the error is about a row. */
  row?: number;
  field?: string;
  expected?: string;
  got?: unknown;
}

export class TxmonError extends Error {
  readonly code: ErrorCode;
  readonly httpStatus: number;
  readonly detail: ErrorDetail | undefined;

  constructor(code: ErrorCode, httpStatus: number, message: string, detail?: ErrorDetail) {
    super(message);
    this.name = 'TxmonError';
    this.code = code;
    this.httpStatus = httpStatus;
    this.detail = detail;
  }

  toJSON(): { error: { code: ErrorCode; message: string } & ErrorDetail } {
    return { error: { code: this.code, message: this.message, ...(this.detail ?? {}) } };
  }
}

/** A validation error about one field of one row. */
export function fieldError(row: number | undefined, field: string, expected: string, got: unknown): TxmonError {
  const where = row === undefined ? '' : `row ${row}: `;
  const shown = typeof got === 'string' ? JSON.stringify(got.length > 60 ? got.slice(0, 60) + '…' : got) : String(got === undefined ? 'nothing' : JSON.stringify(got));
  return new TxmonError('TXMON_ERR_VALIDATION', 400, `${where}field "${field}" must be ${expected}, got ${shown}`, {
    row,
    field,
    expected,
    got: typeof got === 'string' && got.length > 60 ? got.slice(0, 60) : got,
  });
}
