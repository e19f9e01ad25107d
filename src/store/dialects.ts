/** The dialect records by name (src/store/<name>/dialect.ts): no driver is loaded by importing them. */
import type { Dialect } from './driver.ts';
import { sqliteDialect } from './sqlite/dialect.ts';
import { postgresDialect } from './postgres/dialect.ts';

export const DIALECTS: Readonly<Record<Dialect['name'], Dialect>> = { sqlite: sqliteDialect, postgres: postgresDialect };
