/**
 * Errors with a stable code, an HTTP status and a message naming the field and what was expected.
 * Everything that rejects input throws a TxmonError; the API maps it in one place.
 *
 * ERRORS is the one place a code is declared, with its status and meaning: call sites name the
 * code, the status comes from here. docs/errors.md and the OpenAPI error descriptions are built
 * from this table (scripts/errors-doc.ts; test/errors-doc.test.ts fails when the doc drifts).
 */

/** How one code is answered: its HTTP status and what it means to the one who gets it. */
export interface ErrorSpec {
  readonly status: number;
  readonly meaning: string;
  /** Raised by the command line or at start-up only, never in an HTTP answer (the OpenAPI document leaves it out). */
  readonly cliOnly?: true;
  /**
   * Named cases of the code answered with another status, each with its own meaning. Only where
   * clients already rely on both the code and the status (TxmonError.variant picks one).
   */
  readonly variants?: Readonly<Record<string, { readonly status: number; readonly meaning: string }>>;
}

export const ERRORS = {
  TXMON_ERR_BAD_JSON: {
    status: 400,
    meaning: 'The body (or a line of NDJSON) is not valid JSON; the message gives the position.',
  },
  TXMON_ERR_BAD_CSV: {
    status: 400,
    meaning: 'A CSV body or file is malformed: a missing or unknown header column, a row with the wrong number of fields, an unterminated quote; the row is named.',
  },
  TXMON_ERR_VALIDATION: {
    status: 400,
    meaning: 'A record or field has the wrong value, or a body nests deeper than 32 levels: `row`, `field`, `expected` and `got` say which and what was expected. Nothing of the request was stored.',
  },
  TXMON_ERR_EMPTY_BODY: {
    status: 400,
    meaning: 'The body or file holds no record (empty, or a CSV header without rows).',
  },
  TXMON_ERR_BODY_TOO_LARGE: {
    status: 413,
    meaning: 'The body is larger than `server.body_limit_mb`: send it in parts.',
  },
  TXMON_ERR_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    meaning: 'The Content-Type is not one txmon reads: application/json, application/x-ndjson or text/csv.',
  },
  TXMON_ERR_BAD_PARAMETER: {
    status: 400,
    meaning: 'A query, path or header parameter, a command-line option or the HTTP request itself is invalid; the message names it and what was expected.',
    variants: {
      timeout: { status: 408, meaning: 'The request was not completed in time (the connection sent too slowly).' },
    },
  },
  TXMON_ERR_NOT_FOUND: {
    status: 404,
    meaning: 'No such route, alert, silence, named query, asset, scope or file.',
  },
  TXMON_ERR_UNAUTHORIZED: {
    status: 401,
    meaning: 'No API token, a malformed Authorization header, an unknown token, or an expired stream ticket.',
  },
  TXMON_ERR_FORBIDDEN: {
    status: 403,
    meaning: 'The token is valid but its role (read, ingest, admin) may not do this.',
  },
  TXMON_ERR_CONFIG: {
    status: 500,
    meaning: 'txmon\'s own configuration is invalid: the config file, an environment variable, a setting of `serve`, a named-query file. At start txmon exits (code 2) listing every problem with its key path; a reload (POST /-/reload, SIGHUP) is refused and the running configuration stays.',
  },
  TXMON_ERR_STORE: {
    status: 500,
    meaning: 'The store failed in a way a retry will not fix (a database file that cannot be opened, an unexpected database error); the server log has the cause.',
  },
  TXMON_ERR_STORE_UNAVAILABLE: {
    status: 503,
    meaning: 'The database is unreachable right now; nothing of the request was acknowledged. Send it again after the Retry-After header.',
  },
  TXMON_ERR_CLUSTER_UNAVAILABLE: {
    status: 503,
    meaning: 'Clustered mode: NATS JetStream did not acknowledge every partition of the request (or this instance has not joined the cluster yet). Parts may be stored: send the same request again after the Retry-After header, it completes without duplicates (docs/scaling.md).',
  },
  TXMON_ERR_LIMIT: {
    status: 422,
    meaning: 'The request is well-formed but exceeds a limit of `limits.*`: time span, scopes or scope-minutes per request, statuses per scope, scopes in all. The message names the limit and what to do.',
    variants: {
      too_large: { status: 413, meaning: 'The request would store more rows than `limits.max_rows` (zero-filled minutes included): send it in parts.' },
    },
  },
  TXMON_ERR_URI_TOO_LONG: {
    status: 414,
    meaning: 'A path parameter is longer than the server accepts.',
  },
  TXMON_ERR_HEADERS_TOO_LARGE: {
    status: 431,
    meaning: 'The request line and headers are larger than the server accepts (16 KB).',
  },
  TXMON_ERR_CONFLICT: {
    status: 409,
    meaning: 'The request contradicts itself or the server\'s state: a transaction id twice with different content, a reload where there is no config file to reload from.',
  },
  TXMON_ERR_UNREACHABLE: {
    status: 503,
    meaning: 'Command line only: the txmon server named by --to cannot be reached, or what answers is not a txmon server.',
    cliOnly: true,
  },
  TXMON_ERR_ADDRESS_IN_USE: {
    status: 503,
    meaning: 'Start-up only: txmon cannot listen on the configured host and port (in use, a privileged port, not an address of this machine).',
    cliOnly: true,
  },
  TXMON_ERR_INTERNAL: {
    status: 500,
    meaning: 'An unexpected failure; the server log has the details.',
  },
} as const satisfies Record<`TXMON_ERR_${string}`, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

/** Every (code, status, meaning) the table declares, variants included, in table order. */
export function errorStatuses(): Array<{ code: ErrorCode; variant?: string; status: number; meaning: string; cliOnly: boolean }> {
  const out: Array<{ code: ErrorCode; variant?: string; status: number; meaning: string; cliOnly: boolean }> = [];
  for (const [code, spec] of Object.entries(ERRORS) as Array<[ErrorCode, ErrorSpec]>) {
    out.push({ code, status: spec.status, meaning: spec.meaning, cliOnly: spec.cliOnly === true });
    for (const [variant, v] of Object.entries(spec.variants ?? {})) out.push({ code, variant, status: v.status, meaning: v.meaning, cliOnly: spec.cliOnly === true });
  }
  return out;
}

/** The codes that declare variants, and the variant names of each. */
type WithVariants = { [C in ErrorCode]: (typeof ERRORS)[C] extends { variants: object } ? C : never }[ErrorCode];
export type VariantOf<C extends WithVariants> = keyof (typeof ERRORS)[C]['variants'] & string;

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

  /** An error answered with the code's status from ERRORS. */
  constructor(code: ErrorCode, message: string, detail?: ErrorDetail) {
    super(message);
    this.name = 'TxmonError';
    this.code = code;
    this.httpStatus = ERRORS[code].status;
    this.detail = detail;
  }

  /** A named case of a code answered with another status (ERRORS[code].variants). */
  static variant<C extends WithVariants>(code: C, variant: VariantOf<C>, message: string, detail?: ErrorDetail): TxmonError {
    const variants: Readonly<Record<string, { status: number }>> = ERRORS[code].variants;
    return withStatus(new TxmonError(code, message, detail), variants[variant].status);
  }

  /**
   * An error whose status was decided elsewhere and is passed on unchanged: by the ingest worker
   * thread (which sends code and status across), by Fastify for a request it refused, or by the
   * txmon server a command talked to. Never for an error decided here: use the table.
   */
  static forwarded(code: ErrorCode, status: number, message: string, detail?: ErrorDetail): TxmonError {
    return withStatus(new TxmonError(code, message, detail), status);
  }

  /** The same error (code, status, detail) with context before its message, e.g. the file name. */
  prefixed(prefix: string): TxmonError {
    return withStatus(new TxmonError(this.code, `${prefix}${this.message}`, this.detail), this.httpStatus);
  }

  toJSON(): { error: { code: ErrorCode; message: string } & ErrorDetail } {
    const detail = this.detail ?? {};
    // `got` echoes client input: a short preview, never a structure of unbounded depth or size.
    const got = detail.got !== null && typeof detail.got === 'object' ? preview(detail.got) : detail.got;
    return { error: { code: this.code, message: this.message, ...detail, ...('got' in detail ? { got } : {}) } };
  }
}

function withStatus(err: TxmonError, status: number): TxmonError {
  (err as { httpStatus: number }).httpStatus = status;
  return err;
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
  return new TxmonError('TXMON_ERR_VALIDATION', `${where}field "${field}" must be ${expected}, got ${shown}`, {
    row,
    field,
    expected,
    got: typeof got === 'string' && got.length > 60 ? got.slice(0, 60) : got,
  });
}
