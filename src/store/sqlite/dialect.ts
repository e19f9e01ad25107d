/** SQLite's dialect record: what its SQL does differently from the statements of sqlStore.ts. */
import { onConflictIgnore, onConflictUpdate, type Dialect } from '../driver.ts';

export const sqliteDialect: Dialect = {
  name: 'sqlite',
  placeholders: 'anonymous',
  types: { integer: 'INTEGER', real: 'REAL', text: 'TEXT' },
  rows(shape, n) {
    const tuple = `(${shape.columns.map(() => '?').join(', ')})`;
    return `VALUES ${Array.from({ length: n }, () => tuple).join(', ')}`;
  },
  rowValues(rows, _shape, from, to, out) {
    for (let i = from; i < to; i++) for (const v of rows[i]) out.push(v);
  },
  // Inserts: 256 rows × 7 values stay far below SQLite's 32766 parameters, and one statement per
  // chunk is about twice as fast as one per row. Upserts: one row per statement; a multi-row one
  // writes a statement journal to a temporary file each time (measured: 3–6× the system time).
  maxRowsPerStatement: { insert: 256, upsert: 1 },
  upsert: onConflictUpdate,
  upsertOncePerStatement: false,
  insertIgnore: onConflictIgnore,
  byteOrder: '',
  skipLocked: '',
  async lockMigrations() {
    // BEGIN IMMEDIATE (every transaction of the driver) already holds the database's write lock.
  },
};
