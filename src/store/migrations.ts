/** Versioned migrations: numbered .sql files per dialect, applied once each, in order. */
import { readdirSync, readFileSync } from 'node:fs';

export interface Migration { version: number; name: string; sql: string }

export function loadMigrations(dialect: 'sqlite' | 'postgres'): Migration[] {
  const dir = new URL(`./migrations/${dialect}/`, import.meta.url);
  return readdirSync(dir)
    .filter((f) => /^\d+_.+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.split('_')[0]), name: f, sql: readFileSync(new URL(f, dir), 'utf8') }));
}
