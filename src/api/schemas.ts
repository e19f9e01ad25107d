/**
 * Shared TypeBox schemas of the HTTP API: the error body every route answers with, and helpers
 * that list a route's error responses. Fastify validates requests and serialises responses with
 * these schemas, and @fastify/swagger publishes them at /docs/json, so the OpenAPI document and
 * the server cannot disagree.
 */
import { Type, type TSchema } from 'typebox';
import { STATUS_CODES } from 'node:http';
import { ERRORS, errorStatuses, type ErrorCode } from '../domain/errors.ts';

/** Every stable error code, from the one table that declares them (src/domain/errors.ts). */
export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

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

/** Per status, the codes answered with it (src/domain/errors.ts); what each means: docs/errors.md. */
const ERROR_TEXT: Record<number, string> = (() => {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const e of errorStatuses()) {
    if (e.cliOnly) continue;
    const codes = byStatus.get(e.status) ?? [];
    if (!codes.includes(e.code)) codes.push(e.code);
    byStatus.set(e.status, codes);
  }
  return Object.fromEntries([...byStatus].map(([status, codes]) => [status, `${STATUS_CODES[status]}: ${codes.join(', ')} (docs/errors.md)`]));
})();

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
