/**
 * Named parameters in SQL text: `:name` placeholders, found by a scanner that skips string
 * literals, quoted identifiers, comments and PostgreSQL `::` casts. Every statement of the store
 * and every named query is written once with them; the drivers turn them into their dialect's
 * positional form (`?` for SQLite, `$n` for PostgreSQL) through {@link compileNamed}.
 */
import { TxmonError } from '../domain/errors.ts';


/**
 * Yields the `:name` placeholders of a SQL text, skipping string literals, quoted identifiers,
 * comments and PostgreSQL `::` casts.
 */
export function scanPlaceholders(sql: string, onPlaceholder: (name: string, start: number, end: number) => void): void {
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const endC = sql.indexOf('*/', i + 2);
      i = endC < 0 ? n : endC + 2;
    } else if (c === "'" || c === '"') {
      // Quotes are escaped by doubling in both dialects.
      let j = i + 1;
      while (j < n) {
        if (sql[j] === c) {
          if (sql[j + 1] === c) j += 2;
          else break;
        } else j++;
      }
      i = j + 1;
    } else if (c === ':' && sql[i + 1] === ':') {
      i += 2;
    } else if (c === ':' && /[A-Za-z_]/.test(sql[i + 1] ?? '')) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_]/.test(sql[j])) j++;
      onPlaceholder(sql.slice(i + 1, j), i, j);
      i = j;
    } else i++;
  }
}

/** Names of the `:name` placeholders a SQL text uses, in order of first use. */
export function placeholderNames(sql: string): string[] {
  const names: string[] = [];
  scanPlaceholders(sql, (name) => { if (!names.includes(name)) names.push(name); });
  return names;
}

/**
 * Rewrites `:name` placeholders with `replace(name)`, leaving literals and comments alone.
 */
export function rewritePlaceholders(sql: string, replace: (name: string) => string): string {
  let out = '';
  let last = 0;
  scanPlaceholders(sql, (name, start, end) => {
    out += sql.slice(last, start) + replace(name);
    last = end;
  });
  return out + sql.slice(last);
}

/**
 * Turns named placeholders into PostgreSQL positional ones: `:a … :b … :a` → `$1 … $2 … $1`
 * plus the values in that order. Every placeholder must have a value.
 */
export function namedToPositional(sql: string, params: Record<string, unknown>): { text: string; values: unknown[] } {
  const order: string[] = [];
  const text = rewritePlaceholders(sql, (name) => {
    if (!Object.hasOwn(params, name)) throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `no value for SQL parameter :${name}`, { field: name });
    let k = order.indexOf(name);
    if (k < 0) k = order.push(name) - 1;
    return `$${k + 1}`;
  });
  return { text, values: order.map((name) => params[name]) };
}


/** A named statement split at its placeholders: `text[0] name[0] text[1] … name[n-1] text[n]`. */
export interface NamedStatement {
  texts: string[];
  names: string[];
}

/** Splits SQL text at its `:name` placeholders (drivers cache the result per SQL text). */
export function compileNamed(sql: string): NamedStatement {
  const texts: string[] = [];
  const names: string[] = [];
  let last = 0;
  scanPlaceholders(sql, (name, start, end) => {
    texts.push(sql.slice(last, start));
    names.push(name);
    last = end;
  });
  texts.push(sql.slice(last));
  return { texts, names };
}
