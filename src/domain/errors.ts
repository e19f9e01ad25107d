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
  | 'TXMON_ERR_URI_TOO_LONG'
  | 'TXMON_ERR_HEADERS_TOO_LARGE'
  | 'TXMON_ERR_CONFLICT'
  | 'TXMON_ERR_UNREACHABLE'
  | 'TXMON_ERR_ADDRESS_IN_USE'
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
    const detail = this.detail ?? {};
    // `got` echoes client input: a short preview, never a structure of unbounded depth or size.
    const got = detail.got !== null && typeof detail.got === 'object' ? preview(detail.got) : detail.got;
    return { error: { code: this.code, message: this.message, ...detail, ...('got' in detail ? { got } : {}) } };
  }
}

/**
 * A short JSON-like rendering of any value for messages: at most `max` characters and a few
 * levels deep (deeper parts become `…`). Never throws, whatever the nesting (issue #13 item 5).
 */
export function preview(value: unknown, max = 60): string {
  let out = '';
  const walk = (v: unknown, depth: number): void => {
    if (out.length > max) return;
    if (v === undefined) { out += 'undefined'; return; }
    if (v === null || typeof v !== 'object') {
      const s = typeof v === 'string' ? JSON.stringify(v.length > max ? v.slice(0, max) : v) : typeof v === 'bigint' ? `${v}` : String(JSON.stringify(v) ?? v);
      out += s;
      return;
    }
    if (depth >= 3) { out += Array.isArray(v) ? '[…]' : '{…}'; return; }
    if (Array.isArray(v)) {
      out += '[';
      for (let i = 0; i < v.length && out.length <= max; i++) { if (i) out += ','; walk(v[i], depth + 1); }
      out += ']';
      return;
    }
    out += '{';
    let first = true;
    for (const k of Object.keys(v)) {
      if (out.length > max) break;
      if (!first) out += ',';
      first = false;
      out += JSON.stringify(k.length > 30 ? k.slice(0, 30) : k) + ':';
      walk((v as Record<string, unknown>)[k], depth + 1);
    }
    out += '}';
  };
  walk(value, 0);
  return out.length > max ? out.slice(0, max) + '…' : out;
}

/** Deepest nesting of arrays/objects allowed in a request body. */
export const MAX_JSON_DEPTH = 32;

/**
 * The path of the first place where `value` nests deeper than `maxDepth` arrays/objects, or null.
 * Iterative, so a 100,000-level body costs a loop, not the stack.
 */
export function tooDeep(value: unknown, maxDepth = MAX_JSON_DEPTH): string | null {
  if (value === null || typeof value !== 'object') return null;
  // The usual record is one flat object: answered without building the walk (a raw-transactions
  // body has a thousand of them).
  if (maxDepth >= 1 && !Array.isArray(value)) {
    let flat = true;
    for (const k in value) {
      const c = (value as Record<string, unknown>)[k];
      if (c !== null && typeof c === 'object') { flat = false; break; }
    }
    if (flat) return null;
  }
  const stack: Array<{ v: unknown; depth: number; path: string }> = [{ v: value, depth: 1, path: '$' }];
  while (stack.length > 0) {
    const { v, depth, path } = stack.pop()!;
    if (depth > maxDepth) return path;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (v[i] !== null && typeof v[i] === 'object') stack.push({ v: v[i], depth: depth + 1, path: `${path}[${i}]` });
    } else {
      for (const [k, c] of Object.entries(v as object)) if (c !== null && typeof c === 'object') stack.push({ v: c, depth: depth + 1, path: `${path}.${k.length > 30 ? k.slice(0, 30) + '…' : k}` });
    }
  }
  return null;
}

/** A validation error about one field of one row. */
export function fieldError(row: number | undefined, field: string, expected: string, got: unknown): TxmonError {
  const where = row === undefined ? '' : `row ${row}: `;
  const shown = typeof got === 'string' ? JSON.stringify(got.length > 60 ? got.slice(0, 60) + '…' : got) : got === undefined ? 'nothing' : preview(got);
  return new TxmonError('TXMON_ERR_VALIDATION', 400, `${where}field "${field}" must be ${expected}, got ${shown}`, {
    row,
    field,
    expected,
    got: typeof got === 'string' && got.length > 60 ? got.slice(0, 60) : got,
  });
}
