/**
 * "Nothing lost" check for speed work (issue #15): replays a counts file through the real HTTP
 * service one request at a time and writes everything an optimisation must not change, so two
 * checkouts (before / after) can be compared byte for byte:
 *   responses.jsonl      every ingest answer (the recommendation), in order
 *   tables.txt           every stored row (minute counts, auth codes, raw transactions,
 *                        assessments, alerts, alert history, outbox payloads), sorted
 *   notifications.jsonl  the bodies the webhook receiver got, sorted
 * Fields that depend on the wall clock of writing or delivery (updated_at, claim token, delivery
 * and attempt times) are left out; everything the engine decides runs on a virtual clock.
 *
 *   node bench/compare-outputs.ts <counts.csv> <out-dir> [--auth-codes <file>] [--raw N]
 *
 * Each minute of the file is one POST /api/v1/transactions?complete=true (its auth codes, if
 * given, POSTed just before); --raw N adds N NDJSON requests of 1,000 raw transactions (scope
 * "raw", every third request re-sends an earlier one: duplicates) after the counts.
 * Run it in both checkouts and `diff -r` the two out dirs (bench/compare-outputs.sh does both).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { resolveConfig } from '../src/config/config.ts';
import { createService } from '../src/service.ts';
import { batchesByMinute, readBatchFile } from '../src/sources/file.ts';

const argv = process.argv.slice(2);
const [file, outDir] = [resolve(argv[0]), resolve(argv[1])];
const opt = (k: string) => { const i = argv.indexOf(k); return i === -1 ? undefined : argv[i + 1]; };
const authFile = opt('--auth-codes');
const rawRequests = Number(opt('--raw') ?? 0);
mkdirSync(outDir, { recursive: true });

// ---- webhook receiver
const received: string[] = [];
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => { received.push(Buffer.concat(chunks).toString('utf8')); res.writeHead(200).end('ok'); });
});
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

const dir = mkdtempSync(join(tmpdir(), 'txmon-compare-'));
const dbFile = join(dir, 'txmon.db');
const config = resolveConfig({
  server: { port: 0, public_url: 'http://txmon.test' },
  store: { url: dbFile },
  engine: { tick_seconds: 3600 },
  alerting: {
    receivers: [{ name: 'hook', webhook_configs: [{ url: hook }] }],
    route: { receiver: 'hook', group_by: ['alertname', 'scope'], group_wait: '0s', group_interval: '1m', repeat_interval: '4h' },
  },
}, {});
// A virtual clock of its own (the Clock interface is one method): this script is copied into the
// checkout it compares against, where modules may live elsewhere, so it imports as little as it can.
let virtualNow = 0;
const clock = { now: () => virtualNow, set: (ms: number) => { if (ms > virtualNow) virtualNow = ms; } };
const service = await createService({ config, clock, logger: false });
const base = await service.listen();

const counts = batchesByMinute(readBatchFile(file).batch);
const auth = new Map(authFile ? batchesByMinute(readBatchFile(authFile).batch).map((b) => [b.minute, b.batch]) : []);
const iso = (m: number) => new Date(m * 60_000).toISOString();
const responses: string[] = [];
const post = async (path: string, body: string, type = 'application/json') => {
  const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': type }, body });
  const text = await res.text();
  responses.push(`${res.status} ${path} ${text}`);
};
for (const { minute, batch } of counts) {
  clock.set((minute + 1) * 60_000 + 1000);
  const a = auth.get(minute);
  if (a) await post('/api/v1/auth-codes', JSON.stringify(a.authCodes.map((r) => ({ timestamp: iso(r.minute), auth_code: r.authCode, count: r.count, scope: r.scope }))));
  await post('/api/v1/transactions?complete=true', JSON.stringify(batch.counts.map((r) => ({ timestamp: iso(r.minute), status: r.status, count: r.count, scope: r.scope }))));
}
// Raw transactions: 1,000 per request, deterministic, with re-sent requests (duplicates).
if (rawRequests > 0) {
  let s = 7;
  const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
  const statuses = ['approved', 'approved', 'approved', 'approved', 'approved', 'approved', 'denied', 'failed', 'refunded', 'reversed'];
  const m0 = counts.at(-1)!.minute + 10;
  const bodies: string[] = [];
  for (let r = 0; r < rawRequests; r++) {
    if (r % 3 === 2) { bodies.push(bodies[r - 2]); continue; }
    const lines: string[] = [];
    for (let k = 0; k < 1000; k++) {
      const st = statuses[Math.floor(rand() * statuses.length)];
      const at = (m0 + r) * 60_000 + Math.floor(rand() * 90_000); // spills into the next minute
      lines.push(JSON.stringify({ id: `t${r}-${k}`, timestamp: new Date(at).toISOString(), status: st, auth_code: st === 'approved' ? '00' : '51', amount: Math.round(rand() * 100000) / 100 }));
    }
    bodies.push(lines.join('\n'));
  }
  for (let r = 0; r < rawRequests; r++) {
    clock.set((m0 + r + 1) * 60_000 + 1000);
    await post('/api/v1/transactions/raw?scope=raw', bodies[r], 'application/x-ndjson');
  }
}
// Close what is left, let the worker deliver, then stop.
await service.ctx.engine.flush();
await service.ctx.notifications!.flush();
service.ctx.notifications!.worker.wake();
for (let i = 0; i < 200; i++) {
  const db = new DatabaseSync(dbFile, { readOnly: true });
  const pending = (db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE state = 'pending'").get() as { n: number }).n;
  db.close();
  if (pending === 0) break;
  await new Promise((r) => setTimeout(r, 50));
}
await service.close();
receiver.close();

const db = new DatabaseSync(dbFile, { readOnly: true });
// updated_at is the store's wall-clock write time: not something the engine decides.
const dump = (sql: string) => (db.prepare(sql).all() as Array<Record<string, unknown>>)
  .map(({ updated_at: _, ...r }) => JSON.stringify(r)).sort().join('\n');
const tables = [
  ['minute_counts', 'SELECT * FROM minute_counts'],
  ['auth_code_counts', 'SELECT * FROM auth_code_counts'],
  ['raw_transactions', 'SELECT * FROM raw_transactions'],
  ['assessments', 'SELECT * FROM assessments'],
  ['alerts', 'SELECT * FROM alerts'],
  ['alert_history', 'SELECT * FROM alert_history'],
  ['outbox', 'SELECT id, receiver, payload, state, attempts, created_at FROM outbox'],
].map(([name, sql]) => `== ${name}\n${dump(sql)}`).join('\n');
db.close();
writeFileSync(join(outDir, 'responses.jsonl'), responses.join('\n') + '\n');
writeFileSync(join(outDir, 'tables.txt'), tables + '\n');
writeFileSync(join(outDir, 'notifications.jsonl'), received.sort().join('\n') + '\n');
rmSync(dir, { recursive: true, force: true });
console.log(`${outDir}: ${responses.length} requests, ${received.length} notifications`);
