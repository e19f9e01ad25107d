/**
 * `npm run bench:ingest`: ingest throughput of txmon beside a bare Fastify hello-world, measured
 * in the same run (the machine's speed drifts, so only the ratio means something).
 *
 * Two servers, each in its own process, both started by this script:
 *   A. txmon: `bin/txmon.js serve` on a fresh SQLite file (detection on, default log level and
 *      format, its log written to a file whose size is printed), or `--db <url>` (PostgreSQL).
 *   B. a bare Fastify 5 app (no logger) whose POST route parses the JSON body and answers a small
 *      JSON object: the framework's own pace on this machine.
 * Both are warmed up, then measured alternately A B A B (TXMON_BENCH_ROUNDS rounds of
 * TXMON_BENCH_SECONDS each) by autocannon at TXMON_BENCH_CONNECTIONS connections.
 *
 * Modes:
 *   minutes (default): each request is one complete minute of 6 statuses (`?complete=true`), the
 *     minutes advancing by one per request. Each request borrows a scope (`c0`, `c1`, …) from a
 *     pool and returns it with its response, so no scope has two requests in flight: each scope's
 *     minutes arrive strictly in order and every request closes and evaluates exactly the minute
 *     it carries (one scope with 32 connections would deliver minutes out of order).
 *   raw (`--raw`): NDJSON of 1,000 single transactions per request (unique ids, realistic
 *     statuses, auth codes and amounts, timestamps advancing through each connection's scope);
 *     prints transactions/s. Default 8 connections.
 *
 * Options (argv): --raw, --db <url>, --only txmon|hello, --seconds N, --rounds N, --connections N,
 * --txmon-node-args "<node flags>" (e.g. "--cpu-prof --cpu-prof-dir=prof"), --keep (keep the data dir).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../src/domain/prng.ts';

interface Args { raw: boolean; db?: string; only?: string; seconds: number; rounds: number; connections: number; txmonNodeArgs: string[]; keep: boolean }

function parseArgs(argv: string[]): Args {
  const a: Args = { raw: false, seconds: 10, rounds: 2, connections: 0, txmonNodeArgs: [], keep: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = () => argv[++i];
    if (k === '--raw') a.raw = true;
    else if (k === '--db') a.db = v();
    else if (k === '--only') a.only = v();
    else if (k === '--seconds') a.seconds = Number(v());
    else if (k === '--rounds') a.rounds = Number(v());
    else if (k === '--connections') a.connections = Number(v());
    else if (k === '--txmon-node-args') a.txmonNodeArgs = v().split(/\s+/).filter(Boolean);
    else if (k === '--keep') a.keep = true;
    else throw new Error(`unknown argument ${k}`);
  }
  if (a.connections === 0) a.connections = a.raw ? 8 : 32;
  return a;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitUp(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: server exited with code ${child.exitCode}`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url}: not up after 30 s`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(t);
}

// ---------------------------------------------------------------- request bodies
const MIN0 = Math.floor(Date.now() / 60_000) - 200 * 24 * 60; // 200 days ago: room for ~288k minutes per scope
const WAVE = [0, 3, -2, 5, -4, 1, -1, 4, -3, 2];

/** One complete minute of 6 statuses (the shape of the challenge's per-minute counts). */
function minuteBody(minute: number): string {
  const ts = new Date(minute * 60_000).toISOString();
  const i = minute % 1000;
  return JSON.stringify([
    { timestamp: ts, status: 'approved', count: 116 + WAVE[i % 10] * 2 },
    { timestamp: ts, status: 'denied', count: 7 + (i % 3) },
    { timestamp: ts, status: 'failed', count: i % 7 === 0 ? 1 : 0 },
    { timestamp: ts, status: 'reversed', count: i % 3 === 0 ? 2 : 1 },
    { timestamp: ts, status: 'backend_reversed', count: i % 11 === 0 ? 1 : 0 },
    { timestamp: ts, status: 'refunded', count: i % 4 === 0 ? 2 : 1 },
  ]);
}


/** Status, weight, auth codes (the challenge's auth-code mix, roughly). */
const STATUSES: Array<[string, number, string[]]> = [
  ['approved', 0.9, ['00']],
  ['denied', 0.06, ['51', '05', '14', '54', '57', '61']],
  ['failed', 0.01, ['96', '91', '68']],
  ['reversed', 0.015, ['00']],
  ['backend_reversed', 0.005, ['00']],
  ['refunded', 0.01, ['00']],
];

/** 1,000 transactions spread over one minute of the connection's own timeline, as NDJSON. */
function rawBody(conn: number, seq: number, minute: number, rand: () => number, n = 1000): string {
  const lines = new Array<string>(n);
  const base = minute * 60_000;
  for (let k = 0; k < n; k++) {
    let r = rand();
    let s = STATUSES[0];
    for (const st of STATUSES) { if (r < st[1]) { s = st; break; } r -= st[1]; }
    const code = s[2][Math.floor(rand() * s[2].length)];
    const at = new Date(base + Math.floor((k * 60_000) / n)).toISOString();
    const id = `tx-${conn.toString(36)}-${seq.toString(36)}-${k.toString(36).padStart(2, '0')}${Math.floor(rand() * 1e6).toString(36)}`;
    const amount = Math.round((5 + rand() * rand() * 1500) * 100) / 100;
    lines[k] = JSON.stringify({ id, timestamp: at, status: s[0], auth_code: code, amount });
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------- the measurement
interface Run {
  reqPerSec: number; p50: number; p99: number; non2xx: number; errors: number; total: number;
  /** CPU seconds (user + system) the server process used during the run. */
  serverCpu: number;
  /** CPU seconds this process (autocannon, the load generator) used during the run. */
  loadCpu: number;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); NaN elsewhere. */
function processCpuSeconds(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces): utime is the 12th, stime the 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return Number.NaN;
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const { default: autocannon } = await import('autocannon');
  const root = fileURLToPath(new URL('..', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'txmon-bench-ingest-'));
  const db = args.db ?? join(dir, 'txmon.db');
  const [txPort, helloPort] = [await freePort(), await freePort()];
  const children: ChildProcess[] = [];
  const logFile = join(dir, 'txmon.log');
  try {
    const want = (name: string) => args.only === undefined || args.only === name;
    const servers: Array<{ name: string; url: string; path: string; pid: number }> = [];
    if (want('txmon')) {
      const out = openSync(logFile, 'w');
      const tx = spawn(process.execPath, [...args.txmonNodeArgs, join(root, 'bin/txmon.js'), 'serve', '--port', String(txPort), '--host', '127.0.0.1', '--db', db, '--log-format', 'json'], {
        cwd: dir, stdio: ['ignore', out, 'inherit'], env: { ...process.env, TXMON_CONFIG: '' },
      });
      children.push(tx);
      await waitUp(`http://127.0.0.1:${txPort}/health`, tx);
      servers.push({ name: 'txmon', url: `http://127.0.0.1:${txPort}`, path: args.raw ? '/api/v1/transactions/raw' : '/api/v1/transactions', pid: tx.pid! });
    }
    if (want('hello')) {
      const hello = spawn(process.execPath, [fileURLToPath(import.meta.url), '--hello', String(helloPort)], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
      children.push(hello);
      await waitUp(`http://127.0.0.1:${helloPort}/`, hello);
      servers.push({ name: 'hello', url: `http://127.0.0.1:${helloPort}`, path: '/ingest', pid: hello.pid! });
    }

    // Every (server, connection) pair has its own scope and timeline, kept across warm-up and rounds.
    const timelines = new Map<string, { minute: number; seq: number; rand: () => number }>();
    let nextConn = 0;
    const slotCount = new Map<string, number>();
    const measure = (s: { name: string; url: string; path: string; pid: number }, seconds: number): Promise<Run> => new Promise((resolve, reject) => {
      const serverCpu0 = processCpuSeconds(s.pid);
      const loadCpu0 = process.cpuUsage();
      // autocannon resets a request's context after each response, so connections have no
      // identity to hang a timeline on. Instead each request borrows a free scope from a pool and
      // gives it back when its response arrives: at most one request per scope is in flight, so
      // every scope's minutes reach the server strictly in order (32 connections → 32 scopes).
      // Requests cut off by the end of the previous run reached the server before any of this run.
      const free = Array.from({ length: slotCount.get(s.name) ?? 0 }, (_, i) => i).reverse();
      autocannon({
        url: s.url,
        connections: args.connections,
        duration: seconds,
        requests: [{
          method: 'POST',
          setupRequest: (req: Record<string, unknown>, context: Record<string, unknown>) => {
            const conn = free.length > 0 ? free.pop()! : slotCount.set(s.name, (slotCount.get(s.name) ?? 0) + 1).get(s.name)! - 1;
            context.slot = conn;
            const key = `${s.name}/${conn}`;
            let tl = timelines.get(key);
            if (!tl) timelines.set(key, (tl = { minute: MIN0, seq: 0, rand: seededRandom(1000 + nextConn++) }));
            const minute = tl.minute++;
            const seq = tl.seq++;
            if (args.raw) {
              return { ...req, path: `${s.path}?scope=pos-${conn}`, headers: { 'content-type': 'application/x-ndjson' }, body: rawBody(conn, seq, minute, tl.rand) };
            }
            return { ...req, path: `${s.path}?complete=true&scope=c${conn}`, headers: { 'content-type': 'application/json' }, body: minuteBody(minute) };
          },
          onResponse: (_status: number, _body: unknown, context: Record<string, unknown>) => {
            if (typeof context.slot === 'number') free.push(context.slot);
            context.slot = undefined;
          },
        }],
      }, (err: Error | null, r: Record<string, any>) => {
        if (err) return reject(err);
        const load = process.cpuUsage(loadCpu0);
        resolve({
          reqPerSec: r.requests.total / r.duration, p50: r.latency.p50, p99: r.latency.p99,
          non2xx: r.non2xx, errors: r.errors + r.timeouts, total: r.requests.total,
          serverCpu: processCpuSeconds(s.pid) - serverCpu0, loadCpu: (load.user + load.system) / 1e6,
        });
      });
    });

    const rowsPer = args.raw ? 1000 : 6;
    console.log(`bench:ingest ${args.raw ? 'raw transactions (NDJSON, 1,000 per request)' : 'minutes (one complete minute of 6 statuses per request)'}; ` +
      `${args.connections} connections; ${args.rounds} rounds × ${args.seconds} s per server; store ${args.db ? args.db.replace(/\/\/[^@]*@/, '//…@') : 'SQLite file'}; node ${process.version}`);
    for (const s of servers) await measure(s, 3); // warm-up (JIT, caches, first minutes of each scope)
    const results = new Map<string, Run[]>(servers.map((s) => [s.name, []]));
    for (let round = 0; round < args.rounds; round++) {
      for (const s of servers) {
        const r = await measure(s, args.seconds);
        results.get(s.name)!.push(r);
        const bad = r.non2xx + r.errors;
        console.log(`  round ${round + 1} ${s.name.padEnd(5)} ${r.reqPerSec.toFixed(0).padStart(7)} req/s` +
          (args.raw ? ` ${(r.reqPerSec * rowsPer).toFixed(0).padStart(9)} tx/s` : '') +
          `  p50 ${String(r.p50).padStart(4)} ms  p99 ${String(r.p99).padStart(4)} ms` +
          `  server ${cpuPerRequest(r.serverCpu, r.total)} µs CPU/req (${percent(r.serverCpu, args.seconds)} of a core)` +
          `  load generator ${percent(r.loadCpu, args.seconds)}${bad > 0 ? `  ${r.non2xx} non-2xx, ${r.errors} errors` : ''}`);
      }
    }
    const summary = (name: string) => {
      const rs = results.get(name)!;
      const total = rs.reduce((a, r) => a + r.total, 0);
      const reqPerSec = total / (rs.length * args.seconds);
      const serverCpu = rs.reduce((a, r) => a + r.serverCpu, 0);
      return { reqPerSec, total, serverCpu, p50: Math.max(...rs.map((r) => r.p50)), p99: Math.max(...rs.map((r) => r.p99)), bad: rs.reduce((a, r) => a + r.non2xx + r.errors, 0) };
    };
    console.log('summary (req/s over all rounds; p50/p99 the worst round):');
    for (const s of servers) {
      const m = summary(s.name);
      console.log(`  ${s.name.padEnd(5)} ${m.reqPerSec.toFixed(0).padStart(7)} req/s${args.raw ? ` = ${(m.reqPerSec * rowsPer).toFixed(0)} tx/s` : ''}  p50 ${m.p50} ms  p99 ${m.p99} ms` +
        `  ${cpuPerRequest(m.serverCpu, m.total)} µs CPU/req${m.bad ? `  (${m.bad} failed requests)` : ''}`);
    }
    if (servers.length === 2) {
      const t = summary('txmon'), h = summary('hello');
      console.log(`  ratio txmon/hello ${(t.reqPerSec / h.reqPerSec).toFixed(3)}`);
      // CPU per request depends less on what else the machine runs than req/s does.
      console.log(`  CPU ratio hello/txmon per request ${((h.serverCpu / h.total) / (t.serverCpu / t.total)).toFixed(3)}`);
    }
    if (want('txmon')) console.log(`  txmon log: ${statSync(logFile).size} bytes`);
    if (results.get('txmon')?.some((r) => r.non2xx + r.errors > 0)) process.exitCode = 1;
  } finally {
    for (const c of children) await stop(c);
    if (args.keep) console.log(`data kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/** Microseconds of CPU per request, as text. */
function cpuPerRequest(cpuSeconds: number, requests: number): string {
  return Number.isFinite(cpuSeconds) && requests > 0 ? ((cpuSeconds / requests) * 1e6).toFixed(0) : '?';
}

/** CPU seconds over wall seconds, as a percentage of one core. */
function percent(cpuSeconds: number, seconds: number): string {
  return Number.isFinite(cpuSeconds) ? `${((cpuSeconds / seconds) * 100).toFixed(0)} %` : '?';
}

// ---------------------------------------------------------------- entry (after every declaration above)
if (process.argv[2] === '--hello') {
  // The reference: a bare Fastify hello-world in its own process, no logger, JSON body parsed.
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false });
  app.addContentTypeParser('application/x-ndjson', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.post('/ingest', async (req) => ({ ok: true, rows: Array.isArray(req.body) ? req.body.length : 1 }));
  app.get('/', async () => ({ ok: true }));
  await app.listen({ port: Number(process.argv[3]), host: '127.0.0.1' });
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
} else {
  await main();
}
