/**
 * `node bench/sqlite-sync.ts` — what `store.sqlite_synchronous: full` costs (docs/operations.md).
 * Writes live-sized batches (one minute of 7 statuses, one request each) through Store.writeBatch
 * on a WAL file in the temp directory, with synchronous=NORMAL and =FULL, and prints commits/s.
 * A second run uses 60-minute batches (a backfill request). Usage: node bench/sqlite-sync.ts [commits]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqliteStore } from '../src/store/open.ts';
import type { MinuteCount } from '../src/domain/types.ts';

const COMMITS = Number(process.argv[2] ?? 2000);
const STATUSES = ['approved', 'denied', 'failed', 'reversed', 'backend_reversed', 'refunded', 'processing'];

async function run(sync: 'normal' | 'full', minutesPerBatch: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'txmon-sync-'));
  try {
    const store = sqliteStore(join(dir, 'b.db'), { synchronous: sync });
    await store.migrate();
    const started = performance.now();
    let minute = 29_000_000;
    for (let i = 0; i < COMMITS; i++) {
      const counts: MinuteCount[] = [];
      for (let m = 0; m < minutesPerBatch; m++, minute++) for (const status of STATUSES) counts.push({ scope: 'all', minute, status, count: 100 });
      await store.writeBatch({ counts, authCodes: [], raw: [] });
    }
    const s = (performance.now() - started) / 1000;
    store.driver.db.close();
    return COMMITS / s;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const minutes of [1, 60]) {
  const normal = await run('normal', minutes);
  const full = await run('full', minutes);
  console.log(`${minutes}-minute batches (${minutes * STATUSES.length} rows per commit): NORMAL ${normal.toFixed(0)} commits/s, FULL ${full.toFixed(0)} commits/s (${(100 * (1 - full / normal)).toFixed(0)} % fewer)`);
}
