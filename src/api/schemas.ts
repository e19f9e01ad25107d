/**
 * Shared TypeBox schemas of the HTTP API: the error body every route answers with, and helpers
 * that list a route's error responses. Fastify validates requests and serialises responses with
 * these schemas, and @fastify/swagger publishes them at /docs/json, so the OpenAPI document and
 * the server cannot disagree.
 */
import { Type, type TSchema } from 'typebox';
import type { ErrorCode } from '../domain/errors.ts';

/** Every stable error code (src/domain/errors.ts); the Record type makes the compiler catch a code missing here. */
const CODES: Record<ErrorCode, true> = {
  TXMON_ERR_BAD_JSON: true, TXMON_ERR_BAD_CSV: true, TXMON_ERR_VALIDATION: true, TXMON_ERR_EMPTY_BODY: true, TXMON_ERR_BODY_TOO_LARGE: true,
  TXMON_ERR_UNSUPPORTED_MEDIA_TYPE: true, TXMON_ERR_BAD_TIMESTAMP: true, TXMON_ERR_BAD_PARAMETER: true, TXMON_ERR_NOT_FOUND: true,
  TXMON_ERR_UNAUTHORIZED: true, TXMON_ERR_FORBIDDEN: true, TXMON_ERR_CONFIG: true, TXMON_ERR_STORE: true, TXMON_ERR_STORE_UNAVAILABLE: true, TXMON_ERR_CLUSTER_UNAVAILABLE: true,
  TXMON_ERR_LIMIT: true, TXMON_ERR_ADDRESS_IN_USE: true, TXMON_ERR_UNREACHABLE: true, TXMON_ERR_URI_TOO_LONG: true,
  TXMON_ERR_HEADERS_TOO_LARGE: true, TXMON_ERR_CONFLICT: true, TXMON_ERR_INTERNAL: true,
};
export const ERROR_CODES = Object.keys(CODES) as ErrorCode[];

/** `{error: {code, message, row?, field?, expected?, got?}}` — every non-2xx answer. */
export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.Union(ERROR_CODES.map((c) => Type.Literal(c)), { description: 'stable error code' }),
    message: Type.String({ description: 'what was wrong, naming the field and what was expected' }),
    row: Type.Optional(Type.Integer({ description: '1-based row of the body the error is about' })),
    field: Type.Optional(Type.String()),
    expected: Type.Optional(Type.String()),
    got: Type.Optional(Type.Unknown({ description: 'a short preview of the value received' })),
  }),
}, { $id: 'TxmonError', description: 'Error body (TXMON_ERR_* code, message, optional field/row/expected/got)' });

const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid request (TXMON_ERR_BAD_PARAMETER, TXMON_ERR_VALIDATION, TXMON_ERR_BAD_JSON, …)',
  401: 'Missing or unknown API token (TXMON_ERR_UNAUTHORIZED)',
  403: 'The token\'s role may not do this (TXMON_ERR_FORBIDDEN)',
  404: 'Not found (TXMON_ERR_NOT_FOUND)',
  409: 'Conflict (TXMON_ERR_CONFLICT)',
  413: 'Body or request too large (TXMON_ERR_BODY_TOO_LARGE, TXMON_ERR_LIMIT)',
  414: 'A path parameter is too long (TXMON_ERR_URI_TOO_LONG)',
  415: 'Unsupported Content-Type (TXMON_ERR_UNSUPPORTED_MEDIA_TYPE)',
  422: 'Valid but not processable (TXMON_ERR_LIMIT, TXMON_ERR_CONFIG)',
  500: 'Internal error (TXMON_ERR_INTERNAL)',
  503: 'Store unavailable, retry after the Retry-After header (TXMON_ERR_STORE_UNAVAILABLE), or a part of txmon not running here',
};

const errorRef = (status: number): TSchema => ({ ...Type.Ref('TxmonError'), description: ERROR_TEXT[status] ?? 'Error' }) as TSchema;

/**
 * The error responses of a route: 400, 401, 403, 500 and 503 always (bad query, auth, internal,
 * store), plus `extra` (e.g. 404, 413).
 */
export function errorResponses(...extra: number[]): Record<number, TSchema> {
  const out: Record<number, TSchema> = {};
  for (const s of [400, 401, 403, ...extra, 500, 503].sort((a, b) => a - b)) out[s] = errorRef(s);
  return out;
}

/** A string-to-string map (labels, annotations, counts by name use their own). */
export const StringMap = Type.Record(Type.String(), Type.String());
/** A name-to-number map (counts by status, shares). */
export const NumberMap = Type.Record(Type.String(), Type.Number());
/** ISO 8601 time. */
export const IsoTime = Type.String({ format: 'date-time' });
/** "true"/"false"/"1"/"0" query flags (query strings are not coerced). */
export const BoolQuery = Type.Union([Type.Literal('true'), Type.Literal('false'), Type.Literal('1'), Type.Literal('0')]);
