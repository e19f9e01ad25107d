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
  rowValues(rows, _shape, out) {
    for (const r of rows) for (const v of r) out.push(v);
  },
  // 256 rows × 7 values stays far below SQLite's 32766 parameters, and one statement per chunk
  // is as fast as one per row without making huge statements.
  maxRowsPerStatement: 256,
  upsert: onConflictUpdate,
  upsertOncePerStatement: false,
  insertIgnore: onConflictIgnore,
  byteOrder: '',
  skipLocked: '',
  async lockMigrations() {
    // BEGIN IMMEDIATE (every transaction of the driver) already holds the database's write lock.
  },
};
