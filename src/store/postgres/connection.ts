/**
 * Turns a txmon PostgreSQL URL into `pg` pool settings. Besides the usual libpq URL, txmon
 * accepts `?schema=<name>` (or `?options=-c search_path=<name>`): the store then creates that
 * schema when missing and every pooled connection uses it, which gives each test run or tenant
 * its own tables in one database. Pure.
 */
import { TxmonError } from '../../domain/errors.ts';

export interface PgTarget {
  /** The URL handed to `pg`, without txmon's own parameters. */
  connectionString: string;
  /** Schema to create and use, or null for the server's default search_path. */
  schema: string | null;
  /** libpq `options` (startup parameters), including the search_path when a schema is set. */
  options: string | undefined;
  /** Pool size (`?pool_max=`, default 10). */
  max: number;
}

const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;

/** Parses a `postgres://` / `postgresql://` URL. */
export function parsePgUrl(url: string): PgTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TxmonError('TXMON_ERR_CONFIG', `database URL is not a valid URL: expected postgres://user@host:port/db[?schema=name], got ${JSON.stringify(redact(url))}`);
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new TxmonError('TXMON_ERR_CONFIG', `database URL must start with postgres:// or postgresql://, got ${JSON.stringify(u.protocol)}`);
  }
  let schema = u.searchParams.get('schema');
  let options = u.searchParams.get('options') ?? undefined;
  const poolMax = u.searchParams.get('pool_max');
  u.searchParams.delete('schema');
  u.searchParams.delete('options');
  u.searchParams.delete('pool_max');

  const fromOptions = options === undefined ? null : /(?:^|\s)-c\s*search_path=([^\s,]+)/.exec(options);
  if (schema === null && fromOptions) schema = fromOptions[1].replace(/^"(.*)"$/, '$1');
  if (schema !== null && !SCHEMA.test(schema)) {
    throw new TxmonError('TXMON_ERR_CONFIG', `database schema must be a lowercase SQL identifier (a-z, 0-9, _; at most 63 characters), got ${JSON.stringify(schema)}`);
  }
  if (schema !== null && !fromOptions) options = `${options ? options + ' ' : ''}-c search_path=${schema}`;

  let max = 10;
  if (poolMax !== null) {
    if (!/^\d+$/.test(poolMax) || Number(poolMax) < 1 || Number(poolMax) > 100) {
      throw new TxmonError('TXMON_ERR_CONFIG', `pool_max must be an integer from 1 to 100, got ${JSON.stringify(poolMax)}`);
    }
    max = Number(poolMax);
  }
  return { connectionString: u.toString(), schema, options, max };
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}
