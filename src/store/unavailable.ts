/**
 * "The database cannot be reached right now" as one error: TXMON_ERR_STORE_UNAVAILABLE, HTTP 503
 * with a Retry-After hint. Both dialects and the API's error handler classify driver errors here,
 * so a PostgreSQL restart (connection refused, terminated, admin shutdown) or a locked SQLite file
 * becomes a retryable 503 instead of a 500, and the message never carries the database URL.
 */
import { TxmonError } from '../domain/errors.ts';

/** Seconds a client is told to wait before retrying (Retry-After). */
export const STORE_RETRY_AFTER_SECONDS = 5;

/** Node socket errors that mean "no connection", not "bad statement". */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOENT']);

/** PostgreSQL SQLSTATEs of a server going away or not accepting connections yet. */
const PG_STATES = new Set([
  '57P01', // admin_shutdown (pg_terminate_backend, smart/fast shutdown)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down, recovery)
  '53300', // too_many_connections
  '08000', '08001', '08003', '08004', '08006', '08007', // connection_exception family
]);

/** SQLite result codes that clear by themselves (another writer holds the file). */
const SQLITE_TRANSIENT = /\b(SQLITE_BUSY|SQLITE_LOCKED|database is locked)\b/;

const PG_MESSAGES = /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Client was closed and is not queryable|terminating connection due to administrator command|the database system is (starting up|shutting down|in recovery mode)|Connection terminated unexpectedly|Cannot use a pool after calling end/;

/** Does this error mean the store is (temporarily) unreachable? Walks `cause` chains. */
export function isStoreUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof TxmonError) return e.code === 'TXMON_ERR_STORE_UNAVAILABLE';
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (SOCKET_CODES.has(code) || PG_STATES.has(code))) return true;
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && (PG_MESSAGES.test(message) || SQLITE_TRANSIENT.test(message))) return true;
    if (e instanceof AggregateError && e.errors.some((x) => isStoreUnavailable(x))) return true;
  }
  return false;
}

/** The 503 answered while the store is down; `cause` keeps the driver error for the server log. */
export function storeUnavailable(cause?: unknown): TxmonError {
  const err = new TxmonError('TXMON_ERR_STORE_UNAVAILABLE',
    `the database is unreachable right now; this request was not acknowledged (sending it again is safe), retry after ${STORE_RETRY_AFTER_SECONDS} s`);
  if (cause !== undefined) (err as { cause?: unknown }).cause = cause;
  return err;
}
