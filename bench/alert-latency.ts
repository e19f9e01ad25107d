/**
 * `npm run bench:alert-latency`: alert latency, from the POST that completes an anomalous minute
 * to the webhook receiver holding the notification, with group_wait 0.
 *
 * The real service (createService + listen, SQLite file store) runs in this process with one
 * webhook receiver: a local HTTP server that timestamps each request when its body has arrived.
 * N scopes (default 200) are warmed up with 90 normal minutes each; then, one scope at a time, a
 * minute with a failed spike is POSTed and the time until the receiver holds that scope's first
 * notification is measured. Every scope is its own incident (its own alert group), so N alerts
 * give N samples.
 *
 * Reference, in the same run: a plain POST of a webhook-sized JSON body straight to the receiver
 * (the network + HTTP floor of the notification leg), and the ingest POST round trip alone.
 *
 * Environment: TXMON_BENCH_ALERTS (200). Target: p99 ≤ 100 ms.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { resolveConfig } from '../src/config/config.ts';
import { createService } from '../src/service.ts';
import { VirtualClock } from '../src/domain/clock.ts';

const N = Number(process.env.TXMON_BENCH_ALERTS ?? 200);
const T0 = Date.UTC(2025, 6, 1, 10, 0);
const WARM = 90;
const wave = [0, 3, -2, 5, -4, 1, -1, 4, -3, 2];
const normal = (i: number): Record<string, number> => ({
  approved: 116 + wave[i % 10] * 2, denied: 7, failed: 0, reversed: i % 3 === 0 ? 2 : 1, backend_reversed: 0, refunded: i % 4 === 0 ? 2 : 1,
});
const rows = (i: number, counts: Record<string, number>, scope: string) =>
  Object.entries(counts).map(([status, count]) => ({ timestamp: new Date(T0 + i * 60_000).toISOString(), status, count, scope }));

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}
const fmt = (xs: number[]) => `p50 ${quantile(xs, 0.5).toFixed(2)} ms  p90 ${quantile(xs, 0.9).toFixed(2)} ms  p99 ${quantile(xs, 0.99).toFixed(2)} ms  max ${Math.max(...xs).toFixed(2)} ms`;

// ---- the receiver
const arrivals = new Map<string, number>();
const waiters = new Map<string, () => void>();
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const at = performance.now();
    res.writeHead(200).end('ok');
    if (req.url !== '/hook') return;
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { groupLabels: Record<string, string> };
    const scope = body.groupLabels.scope;
    if (!arrivals.has(scope)) {
      arrivals.set(scope, at);
      waiters.get(scope)?.();
    }
  });
});
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

// ---- the service
const dir = mkdtempSync(join(tmpdir(), 'txmon-bench-'));
const config = resolveConfig({
  server: { port: 0 },
  store: { url: join(dir, 'txmon.db') },
  engine: { tick_seconds: 3600 },
  alerting: {
    receivers: [{ name: 'hook', webhook_configs: [{ url: `${hook}/hook` }] }],
    route: { receiver: 'hook', group_by: ['scope'], group_wait: '0s', group_interval: '5m', repeat_interval: '4h' },
  },
}, {});
const service = await createService({ config, clock: new VirtualClock(Date.UTC(2025, 0, 1)), logger: false });
const base = await service.listen();
const post = async (path: string, body: unknown) => {
  const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`POST ${path}: HTTP ${res.status}`);
};

const scopes = Array.from({ length: N }, (_, i) => `pos-${String(i).padStart(4, '0')}`);
let t = performance.now();
for (const scope of scopes) {
  const warm: unknown[] = [];
  for (let i = 0; i < WARM; i++) warm.push(...rows(i, normal(i), scope));
  await post('/api/v1/transactions', warm);
}
console.log(`warm-up: ${N} scopes × ${WARM} minutes in ${((performance.now() - t) / 1000).toFixed(1)} s`);

// ---- reference 1: a plain POST of a webhook-sized body to the receiver
const sample = JSON.stringify({ version: '4', status: 'firing', receiver: 'hook', groupLabels: { scope: 'x' }, alerts: [{ labels: { a: 'b' }, annotations: { summary: 'x'.repeat(600) } }] });
const plain: number[] = [];
for (let i = 0; i < N; i++) {
  const s = performance.now();
  const res = await fetch(`${hook}/ref`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: sample });
  await res.arrayBuffer();
  plain.push(performance.now() - s);
}

// ---- the measurement
const latency: number[] = [];
const ingestRtt: number[] = [];
/** How much later than the ingest response the receiver had it (0 when it had it first). */
const beyond: number[] = [];
t = performance.now();
for (const scope of scopes) {
  const arrived = new Promise<void>((r) => waiters.set(scope, r));
  const s = performance.now();
  await post('/api/v1/transactions', rows(WARM, { ...normal(WARM), failed: 40 }, scope));
  const responded = performance.now();
  ingestRtt.push(responded - s);
  const timeout = setTimeout(() => { throw new Error(`no notification for ${scope} within 5 s`); }, 5000);
  await arrived;
  clearTimeout(timeout);
  latency.push(arrivals.get(scope)! - s);
  beyond.push(Math.max(0, arrivals.get(scope)! - responded));
}
const wall = performance.now() - t;

// The receiver can hold the last notification a moment before the worker records the delivery.
let outbox = await service.ctx.notifications!.store.listOutbox({ limit: 100_000 });
for (let i = 0; i < 100 && outbox.some((r) => r.state === 'pending'); i++) {
  await new Promise((r) => setTimeout(r, 10));
  outbox = await service.ctx.notifications!.store.listOutbox({ limit: 100_000 });
}
console.log(`alerts notified: ${latency.length} (outbox rows: ${outbox.length}, delivered: ${outbox.filter((r) => r.state === 'delivered').length}) in ${(wall / 1000).toFixed(1)} s`);
console.log(`reference  plain POST to the receiver     ${fmt(plain)}`);
console.log(`reference  ingest POST round trip         ${fmt(ingestRtt)}`);
console.log(`alert latency POST → receiver holds it    ${fmt(latency)}`);
console.log(`  of which after the ingest response      ${fmt(beyond)}`);
const p99 = quantile(latency, 0.99);
console.log(p99 <= 100 ? `PASS p99 ${p99.toFixed(1)} ms ≤ 100 ms` : `FAIL p99 ${p99.toFixed(1)} ms > 100 ms`);

await service.close();
await new Promise<void>((r) => receiver.close(() => r()));
rmSync(dir, { recursive: true, force: true });
if (p99 > 100) process.exitCode = 1;
