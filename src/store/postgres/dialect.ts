/** PostgreSQL's dialect record: what its SQL does differently from the statements of sqlStore.ts. */
import { onConflictIgnore, onConflictUpdate, type Dialect, type Session } from '../driver.ts';

/** Advisory-lock key (first half) of txmon migrations; the second half hashes the schema. */
const MIGRATION_LOCK_NS = 0x74786d6e; // "txmn"

/** 32-bit FNV-1a of a string, as a signed int4 for pg_advisory_xact_lock(int4, int4). */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

export const postgresDialect: Dialect = {
  name: 'postgres',
  placeholders: 'numbered',
  types: { integer: 'BIGINT', real: 'DOUBLE PRECISION', text: 'TEXT' },
  // One array per column, expanded by unnest: one statement and one round trip whatever the
  // number of rows, no per-row parse or plan.
  rows(shape, _n, first) {
    const arrays = shape.types.map((t, i) => `$${first + i + 1}::${postgresDialect.types[t].toLowerCase()}[]`);
    return `SELECT * FROM unnest(${arrays.join(', ')})`;
  },
  rowValues(rows, shape, from, to, out) {
    const part = from === 0 && to === rows.length ? rows : rows.slice(from, to);
    for (let c = 0; c < shape.columns.length; c++) out.push(part.map((r) => r[c]));
  },
  maxRowsPerStatement: { insert: Infinity, upsert: Infinity },
  upsert: onConflictUpdate,
  upsertOncePerStatement: true,
  insertIgnore: onConflictIgnore,
  // The database's default collation sorts text by locale; SQLite (and the tests' expectations)
  // by bytes.
  byteOrder: ' COLLATE "C"',
  skipLocked: ' FOR UPDATE OF o SKIP LOCKED',
  async lockMigrations(tx: Session, namespace: string | null) {
    // Concurrent starts (several replicas, parallel test files) queue here, one migration at a
    // time; each then sees what the others applied. Released at commit.
    await tx.get('SELECT pg_advisory_xact_lock(:ns, :key)', { ns: MIGRATION_LOCK_NS, key: hash32(namespace ?? '') });
    // The name is checked against /^[a-z_][a-z0-9_]*$/ in parsePgUrl, so quoting is safe.
    if (namespace) await tx.exec(`CREATE SCHEMA IF NOT EXISTS "${namespace}"`);
  },
};
