/**
 * kill -9 under load (issue #13 item 10): a real `txmon serve` process is killed with SIGKILL in
 * the middle of an ingest load and started again on the same SQLite file. Every request it had
 * acknowledged (200) is in the store afterwards and every acknowledged minute was evaluated
 * exactly once; requests cut off by the kill were not acknowledged and are simply sent again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { freshSqlite } from '../helpers/server.ts';
import { freePort } from '../helpers/pgCluster.ts';
import { sqliteStore } from '../../src/store/open.ts';
import { assertNothingLost, startLoad } from './load.ts';

const BIN = fileURLToPath(new URL('../../bin/txmon.js', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function serve(db: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', '--db', db, '--port', String(port), '--host', '127.0.0.1', '--log-level', 'warn'], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  const until = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).status === 200) return child;
    } catch { /* not listening yet */ }
    if (child.exitCode !== null || Date.now() > until) throw new Error(`txmon serve did not start: ${stderr.slice(0, 500)}`);
    await sleep(100);
  }
}

test('kill -9 under load: every acknowledged row survives, every acknowledged minute evaluated once', { timeout: 120_000 }, async (t) => {
  const fresh = freshSqlite();
  t.after(() => fresh.drop());
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let child = await serve(fresh.url, port);
  t.after(() => { child.kill('SIGKILL'); });
  const load = startLoad(base, { workers: 4, prefix: 'k', secrets: [fresh.url], networkErrorsAllowed: true });
  await sleep(1500);
  const beforeKill = load.result.acked.length;
  child.kill('SIGKILL');
  await once(child, 'exit');
  await sleep(300); // the load meets a closed port meanwhile
  child = await serve(fresh.url, port);
  await sleep(1500);
  const result = await load.stop();
  child.kill('SIGTERM');
  await once(child, 'exit');
  t.diagnostic(`requests ${result.requests}, acknowledged minutes ${result.acked.length} (${beforeKill} before the kill), requests cut off by the kill ${result.networkErrors}`);
  assert.deepEqual(result.bad, []);
  assert.ok(result.acked.length > beforeKill + 4, 'ingest resumed after the restart');
  const store = sqliteStore(fresh.url);
  try {
    await assertNothingLost(store, result.acked);
  } finally {
    await store.close();
  }
});
