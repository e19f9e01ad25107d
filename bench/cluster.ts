/**
 * npm run bench:cluster — clustered mode on this machine (docs/scaling.md "Measured"):
 *   1. ingest throughput with 1, 2 and 3 clustered instances, and the single-process mode on the
 *      same PostgreSQL as the reference measured in the same run (ratio printed);
 *   2. partition balance (partitions owned per instance);
 *   3. failover time over K kills (default 10): kill -9 of one of three instances until a minute
 *      of a scope in one of its partitions is evaluated again (answered 200 by a survivor), p50/p99.
 *
 * Throughput counts scope-minutes *evaluated* (assessments in PostgreSQL) from the start of the
 * load until every accepted minute is evaluated, not answers: a clustered answer may come before
 * the evaluation (202 pending). CPU is the txmon processes' user + system time over that span
 * (NATS and PostgreSQL not included).
 *
 * Needs TXMON_TEST_PG_URL (PostgreSQL) and a nats-server binary (starts its own NATS server on a
 * free port). Each configuration gets its own schema and stream name, dropped afterwards.
 *   TXMON_BENCH_SECONDS (default 20) per throughput run, TXMON_BENCH_CLIENTS (8), TXMON_BENCH_SCOPES (64),
 *   TXMON_BENCH_KILLS (10).
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import pg from 'pg';
import { dropSchema, uniqueSchema, withSchema } from '../src/store/postgres/testing.ts';
import { partitionOf } from '../src/cluster/partition.ts';
import { freePort } from '../test/helpers/pgCluster.ts';
import { ownNatsCluster, natsServerMissing } from '../test/helpers/natsCluster.ts';
import { startTxmon, type TxmonProcess } from '../test/helpers/txmonProcess.ts';

const PG = process.env.TXMON_TEST_PG_URL;
if (!PG) { console.error('bench:cluster needs TXMON_TEST_PG_URL (PostgreSQL)'); process.exit(2); }
const missing = natsServerMissing();
if (missing) { console.error(`bench:cluster: ${missing}`); process.exit(2); }
const SECONDS = Number(process.env.TXMON_BENCH_SECONDS ?? 20);
const CLIENTS = Number(process.env.TXMON_BENCH_CLIENTS ?? 8);
const SCOPES = Number(process.env.TXMON_BENCH_SCOPES ?? 64);
const KILLS = Number(process.env.TXMON_BENCH_KILLS ?? 10);
const P = 16;
const STATUSES = ['approved', 'denied', 'failed', 'reversed', 'backend_reversed', 'refunded'];
const T0 = Date.UTC(2026, 0, 5, 0, 0) ;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dir = mkdtempSync(join(tmpdir(), 'txmon-bench-cluster-'));

/** CPU seconds (user + system) a process used so far, from /proc. */
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

function minuteBody(scope: string, minute: number): string {
  const ts = new Date(T0 + minute * 60_000).toISOString();
  return JSON.stringify(STATUSES.map((status, i) => ({ timestamp: ts, status, count: i === 0 ? 100 + (minute % 7) : 3 + (minute % 3), scope })));
}

function config(name: string, cluster?: Record<string, unknown>): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, toYaml({
    engine: { grace_seconds: 360_000 },
    retention: { minute_counts_days: 0, auth_code_counts_days: 0, raw_transactions_days: 0, assessments_days: 0, alerts_days: 0 },
    server: { max_future_hours: 24 * 400 },
    ...(cluster ? { cluster } : {}),
  }));
  return file;
}

let nextMinute = 0;
let lastMinute = 0;

/**
 * Closed-loop load: CLIENTS clients, each owning SCOPES/CLIENTS scopes and sending their minutes
 * in order (complete=true), round-robin over the instances, for SECONDS.
 */
async function load(urls: string[], seconds: number): Promise<{ requests: number; pending: number; errors: number; seconds: number }> {
  let requests = 0, pending = 0, errors = 0;
  const end = Date.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, async (_, c) => {
    const scopes = Array.from({ length: Math.ceil(SCOPES / CLIENTS) }, (_, i) => `m${c}-${i}`);
    let k = 0;
    // Minutes go on from the previous run (warm-up, then the measured run): each is new.
    for (let minute = nextMinute; Date.now() < end; minute++) {
      lastMinute = Math.max(lastMinute, minute);
      for (const scope of scopes) {
        const url = urls[(k++ + c) % urls.length];
        try {
          const res = await fetch(`${url}/api/v1/transactions?complete=true`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: minuteBody(scope, minute) });
          await res.arrayBuffer();
          if (res.status === 200) requests++;
          else if (res.status === 202) { requests++; pending++; } else errors++;
        } catch { errors++; }
        if (Date.now() >= end) break;
      }
    }
  }));
  nextMinute = lastMinute + 1;
  return { requests, pending, errors, seconds: (performance.now() - t0) / 1000 };
}

async function throughput(instances: number | 'single'): Promise<{ rps: number; cpuPerK: number; balance: string; pending: number; errors: number; drainSeconds: number }> {
  const schema = uniqueSchema('txmon_bench_cl');
  const db = withSchema(PG!, schema);
  const nats = instances === 'single' ? null : await ownNatsCluster(1);
  const name = `b${randomBytes(4).toString('hex')}`;
  const procs: TxmonProcess[] = [];
  try {
    if (instances === 'single') {
      procs.push(await startTxmon(['--db', db, '-c', config('single')], await freePort()));
    } else {
      const cfg = config(name, { name, lease_ttl_seconds: 6 });
      for (let i = 0; i < instances; i++) {
        procs.push(await startTxmon(['--db', db, '-c', cfg, '--cluster', nats!.urls, '--node-id', `n${i}`, '--partitions', String(P)], await freePort(), { healthy: (h) => h.cluster?.node_id !== undefined }));
      }
      // Balanced before measuring.
      for (const end = Date.now() + 30_000; Date.now() < end; await sleep(200)) {
        const owned = await Promise.all(procs.map(async (p) => (await (await fetch(`${p.url}/health`)).json()).cluster.partitions_owned.length));
        if (owned.reduce((a, b) => a + b, 0) === P && Math.max(...owned) - Math.min(...owned) <= 1) break;
      }
    }
    const pgc = new pg.Client({ connectionString: PG });
    await pgc.connect();
    const evaluated = async () => Number((await pgc.query(`SELECT COUNT(*) AS n FROM "${schema}".assessments`)).rows[0].n);
    await load(procs.map((p) => p.url), 3); // warm-up: JIT, connections, first minutes of every scope
    // Every accepted minute evaluated before the measured run starts.
    let drainedAt = await drain(evaluated, null);
    const before = await evaluated();
    const cpu0 = procs.reduce((s, p) => s + cpuSeconds(p.child.pid!), 0);
    const t0 = performance.now();
    const r = await load(procs.map((p) => p.url), SECONDS);
    // A clustered answer can come before the evaluation (202 past reply_wait_ms): the run ends
    // when every accepted minute is evaluated.
    drainedAt = await drain(evaluated, before + r.requests);
    const seconds = (drainedAt - t0) / 1000;
    const cpu = procs.reduce((s, p) => s + cpuSeconds(p.child.pid!), 0) - cpu0;
    await pgc.end();
    const balance = instances === 'single' ? '–' : (await Promise.all(procs.map(async (p) => (await (await fetch(`${p.url}/health`)).json()).cluster.partitions_owned.length))).join('/');
    return { rps: r.requests / seconds, cpuPerK: (cpu / Math.max(1, r.requests)) * 1000, balance, pending: r.pending, errors: r.errors, drainSeconds: seconds - r.seconds };
  } finally {
    for (const p of procs) { p.child.kill('SIGKILL'); await once(p.child, 'exit').catch(() => undefined); }
    await nats?.destroy();
    await dropSchema(PG!, schema).catch(() => undefined);
  }
}

/** Waits until `count()` reaches `target` (or stops growing for 3 s when target is null); returns when. */
async function drain(count: () => Promise<number>, target: number | null): Promise<number> {
  let last = -1, since = performance.now();
  for (;;) {
    const n = await count();
    if (target !== null && n >= target) return performance.now();
    if (n !== last) { last = n; since = performance.now(); }
    if (performance.now() - since > (target === null ? 3000 : 60_000)) return performance.now();
    await sleep(100);
  }
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
}

/** Kill -9 one of three instances K times; time until a minute of one of its partitions is evaluated (200) again. */
async function failover(): Promise<number[]> {
  const schema = uniqueSchema('txmon_bench_fo');
  const db = withSchema(PG!, schema);
  const nats = await ownNatsCluster(1);
  const name = `f${randomBytes(4).toString('hex')}`;
  const cfg = config(name, { name, lease_ttl_seconds: 6, reply_wait_ms: 20_000 });
  const ports = [await freePort(), await freePort(), await freePort()];
  const start = (i: number) => startTxmon(['--db', db, '-c', cfg, '--cluster', nats.urls, '--node-id', `n${i}`, '--partitions', String(P)], ports[i], { healthy: (h) => h.cluster?.node_id !== undefined });
  const procs: TxmonProcess[] = [];
  for (let i = 0; i < 3; i++) procs.push(await start(i));
  const owned = async (p: TxmonProcess): Promise<number[]> => (await (await fetch(`${p.url}/health`)).json()).cluster.partitions_owned;
  const times: number[] = [];
  let minute = 0;
  try {
    for (let k = 0; k < KILLS; k++) {
      // Balanced and settled.
      for (const end = Date.now() + 60_000; ; await sleep(200)) {
        const o = await Promise.all(procs.map(owned));
        if (o.flat().length === P && o.every((x) => x.length >= 5)) break;
        if (Date.now() > end) throw new Error(`not balanced: ${o.map((x) => x.length).join('/')}`);
      }
      const victim = k % 3;
      const parts = await owned(procs[victim]);
      // A scope in one of the victim's partitions.
      let scope = '';
      for (let i = 0; !parts.includes(partitionOf(scope = `probe-${i}`, P)); i++);
      const survivor = procs[(victim + 1) % 3];
      const t0 = performance.now();
      procs[victim].child.kill('SIGKILL');
      await once(procs[victim].child, 'exit');
      // The survivor accepts at once (JetStream); the answer comes once the new owner evaluated it.
      for (;;) {
        const res = await fetch(`${survivor.url}/api/v1/transactions?complete=true`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: minuteBody(scope, minute++) });
        const body = await res.json() as { completed?: boolean };
        if (res.status === 200 && body.completed) break;
        await sleep(50);
      }
      times.push((performance.now() - t0) / 1000);
      console.log(`  kill ${k + 1}/${KILLS}: n${victim} (partitions ${parts.join(',')}) → evaluated again after ${times[times.length - 1].toFixed(2)} s`);
      procs[victim] = await start(victim);
    }
  } finally {
    for (const p of procs) p.child.kill('SIGKILL');
    await nats.destroy();
    await dropSchema(PG!, schema).catch(() => undefined);
  }
  return times;
}

console.log(`bench:cluster — ${CLIENTS} clients, ${SCOPES} scopes, one minute of 6 statuses per request, ${SECONDS} s per run, ${P} partitions; ${(await import('node:os')).cpus().length} CPU cores (shared with everything else on this machine)`);
const rows: Array<[string, Awaited<ReturnType<typeof throughput>>]> = [];
for (const n of ['single', 1, 2, 3, 'single'] as const) {
  const r = await throughput(n);
  rows.push([n === 'single' ? 'single process (reference)' : `cluster, ${n} instance(s)`, r]);
  console.log(`  ${rows[rows.length - 1][0].padEnd(28)} ${r.rps.toFixed(0).padStart(6)} scope-minutes evaluated/s  ${r.cpuPerK.toFixed(2).padStart(6)} CPU-s per 1000 (txmon processes)  partitions ${r.balance}  answered 202 pending ${r.pending}  drain after the load ${r.drainSeconds.toFixed(1)} s  errors ${r.errors}`);
}
const ref = (rows[0][1].rps + rows[4][1].rps) / 2; // the reference before and after: the spread shows the machine's noise
for (const [label, r] of rows.slice(1, 4)) console.log(`  ratio ${label} / single process: ${(r.rps / ref).toFixed(2)}`);
if (KILLS > 0) {
  console.log(`failover: ${KILLS} kills of one of three instances (lease TTL 6 s)`);
  const times = await failover();
  console.log(`  failover p50 ${quantile(times, 0.5).toFixed(2)} s, p99 ${quantile(times, 0.99).toFixed(2)} s, min ${Math.min(...times).toFixed(2)} s, max ${Math.max(...times).toFixed(2)} s`);
}
rmSync(dir, { recursive: true, force: true });
