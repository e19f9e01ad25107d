/**
 * Clustered mode end to end (issue 16): three real `txmon serve --cluster` processes on one
 * PostgreSQL schema and a three-node NATS cluster this test starts itself, against one
 * single-process txmon on another schema, fed the same data. The challenge file (or, when it is
 * absent, the project's simulator) is replayed minute by minute, round-robin across the
 * instances, into four scopes that fall in different partitions. Mid-way one instance is killed
 * with SIGKILL; later it is started again (its partitions move back while minutes are in flight),
 * and one NATS server is restarted while the load runs.
 *
 * Afterwards the stored counts, the evaluated minutes, the alerts (rule, scope, start and end
 * minute) and the webhook notifications equal the single-process run's, and no notification
 * arrived twice — except one send that was in flight at the kill, which may repeat once with the
 * same Idempotency-Key (at-least-once delivery, docs/alerting.md).
 *
 * Needs TXMON_TEST_PG_URL, TXMON_TEST_NATS_URL (NATS is available here) and a nats-server binary;
 * skipped with a message otherwise.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { stringify as toYaml } from 'yaml';
import { startHttpSink, type HttpSink } from '../src/notify/channels/test-sink.ts';
import { dropSchema, uniqueSchema, withSchema } from '../src/store/postgres/testing.ts';
import { partitionOf } from '../src/cluster/partition.ts';
import { freePort } from './helpers/pgCluster.ts';
import { natsServerMissing, ownNatsCluster, type OwnNatsCluster } from './helpers/natsCluster.ts';
import { startTxmon, type TxmonProcess } from './helpers/txmonProcess.ts';

const PG = process.env.TXMON_TEST_PG_URL;
const NATS = process.env.TXMON_TEST_NATS_URL;
const skip = !PG ? 'TXMON_TEST_PG_URL not set: clustered mode needs PostgreSQL, test skipped'
  : !NATS ? 'TXMON_TEST_NATS_URL not set: no NATS with JetStream here, clustered-mode test skipped'
    : natsServerMissing() ?? false;

const BIN = fileURLToPath(new URL('../bin/txmon.js', import.meta.url));
const CHALLENGE = fileURLToPath(new URL('../../shared/data/cloudwalk/transactions.csv', import.meta.url));
/**
 * Minutes replayed: the file's first day by default (about 2.5 minutes of test here: both runs,
 * the kill, the restarts); TXMON_TEST_CLUSTER_MINUTES=all replays all 4,320 (about 8 minutes).
 */
const MINUTES = process.env.TXMON_TEST_CLUSTER_MINUTES === 'all' ? Infinity : Number(process.env.TXMON_TEST_CLUSTER_MINUTES ?? 1440);
const PARTITIONS = 16;
/** Four scopes in four different partitions (checked below): every request touches several. */
const SCOPES = ['all', 'pos-a', 'pos-b', 'pos-c'];

interface Minute { at: string; rows: Array<{ timestamp: string; status: string; count: number; scope: string }> }

/** The data: the challenge file, or three simulated days when it is absent (same columns). */
function loadMinutes(): { source: string; minutes: Minute[] } {
  let text: string;
  let source: string;
  if (existsSync(CHALLENGE)) {
    text = readFileSync(CHALLENGE, 'utf8');
    source = CHALLENGE;
  } else {
    text = execFileSync(process.execPath, [BIN, 'simulate', '--days', '3', '--seed', '7', '--out', '-'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    source = 'txmon simulate --days 3 --seed 7 (challenge file absent)';
  }
  const byMinute = new Map<string, Minute>();
  for (const line of text.trim().split('\n').slice(1)) {
    const [ts, status, count] = line.split(',');
    const at = ts.includes('T') ? ts : `${ts.replace(' ', 'T')}Z`;
    let m = byMinute.get(at);
    if (!m) byMinute.set(at, (m = { at, rows: [] }));
    for (const scope of SCOPES) m.rows.push({ timestamp: at, status, count: Number(count), scope });
  }
  const minutes = [...byMinute.values()].sort((a, b) => (a.at < b.at ? -1 : 1)).slice(0, Math.min(byMinute.size, MINUTES));
  // Moved forward by whole days to end within the last day, as live data would (same time of
  // day, same weekday rhythm up to the shift): the notification planner restores what it still
  // owes after a change of owner from alerts that ended within its log window of wall time.
  const last = Date.parse(minutes[minutes.length - 1].at);
  const shift = Math.floor((Date.now() - 3_600_000 - last) / 86_400_000) * 86_400_000;
  for (const m of minutes) {
    m.at = new Date(Date.parse(m.at) + shift).toISOString();
    for (const r of m.rows) r.timestamp = m.at;
  }
  return { source, minutes };
}

function config(dir: string, name: string, hook: string, cluster?: Record<string, unknown>): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, toYaml({
    // Minutes close when their request says they are complete; no wall-clock grace closes a
    // minute during the test (both runs must judge exactly the minutes they were sent).
    engine: { grace_seconds: 360_000, tick_seconds: 0.5 },
    retention: { minute_counts_days: 0, auth_code_counts_days: 0, raw_transactions_days: 0, assessments_days: 0, alerts_days: 0 },
    alerting: {
      receivers: [{ name: 'hook', webhook_configs: [{ url: hook }] }],
      // The log window (wait + interval + repeat) covers the replayed days: see loadMinutes.
      route: { receiver: 'hook', group_by: ['alertname', 'scope'], group_wait: '0s', group_interval: '1s', repeat_interval: '120h' },
      outbox_retention: '240h',
      delivery: { initial_backoff: '20ms', max_backoff: '200ms', max_attempts: 200 },
    },
    ...(cluster ? { cluster } : {}),
  }));
  return file;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Sends one minute, round-robin from `start`; an instance that is down or answers 503 is skipped
 * for the next one with the same request (a retry: it completes without duplicates).
 */
async function send(urls: Array<string | null>, start: number, body: string, stats: { retries: number; pending: number }): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (let attempt = 0; ; attempt++) {
    const url = urls[(start + attempt) % urls.length];
    if (url !== null) {
      try {
        const res = await fetch(`${url}/api/v1/transactions?complete=true`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(20_000) });
        const text = await res.text();
        if (res.status === 200) return;
        if (res.status === 202) { stats.pending++; return; }
        if (res.status !== 503) throw new Error(`ingest answered ${res.status}: ${text.slice(0, 300)}`);
      } catch (err) {
        if (String(err).includes('ingest answered')) throw err;
      }
    }
    stats.retries++;
    if (Date.now() > deadline) throw new Error('no instance accepted a minute for 90 s');
    await sleep(attempt % urls.length === urls.length - 1 ? 200 : 0);
  }
}

interface Outcome {
  counts: string[];
  assessments: number;
  assessmentKeys: Set<string>;
  alerts: string[];
  notifications: string[];
  /** Every (status, alert) in the order the receiver got them. */
  sequence: string[];
  keys: Map<string, number>;
}

async function outcomeOf(url: string, sink: HttpSink): Promise<Outcome> {
  const client = new pg.Client({ connectionString: url.replace(/\?.*$/, '') });
  const schema = new URL(url).searchParams.get('schema')!;
  await client.connect();
  try {
    await client.query(`SET search_path TO "${schema}"`);
    const counts = (await client.query('SELECT scope, minute, status, count FROM minute_counts ORDER BY scope, minute, status')).rows
      .map((r) => `${r.scope} ${r.minute} ${r.status} ${r.count}`);
    const assessed = (await client.query('SELECT scope, minute FROM assessments')).rows.map((r) => `${r.scope} ${r.minute}`);
    const alerts = (await client.query('SELECT rule, labels, starts_at, ends_at FROM alerts ORDER BY starts_at, rule, labels')).rows
      .map((r) => `${r.rule} ${JSON.parse(r.labels).scope} ${new Date(Number(r.starts_at)).toISOString()} → ${r.ends_at === null ? 'open' : new Date(Number(r.ends_at)).toISOString()}`);
    const keys = new Map<string, number>();
    const notifications = new Set<string>();
    const sequence: string[] = [];
    for (const r of sink.requests) {
      const key = String(r.headers['idempotency-key']);
      keys.set(key, (keys.get(key) ?? 0) + 1);
      const body = r.body as { alerts: Array<{ status: string; labels: Record<string, string>; startsAt: string }> };
      for (const a of body.alerts) {
        notifications.add(`${a.status} ${a.labels.alertname} ${a.labels.scope} ${a.startsAt}`);
        sequence.push(`${a.status} ${a.labels.alertname} ${a.labels.scope} ${a.startsAt}`);
      }
    }
    return { counts, assessments: assessed.length, assessmentKeys: new Set(assessed), alerts, notifications: [...notifications].sort(), sequence, keys };
  } finally {
    await client.end();
  }
}

/** Waits until nothing changes any more: every minute assessed, the outbox empty, the sink quiet. */
async function settle(url: string, sink: HttpSink, expectedAssessments: number, what: string): Promise<void> {
  const client = new pg.Client({ connectionString: url.replace(/\?.*$/, '') });
  const schema = new URL(url).searchParams.get('schema')!;
  await client.connect();
  try {
    await client.query(`SET search_path TO "${schema}"`);
    const end = Date.now() + 120_000;
    let seen = -1;
    let stableSince = Date.now();
    for (;;) {
      const n = Number((await client.query('SELECT COUNT(*) AS n FROM assessments')).rows[0].n);
      const pending = Number((await client.query("SELECT COUNT(*) AS n FROM outbox WHERE state = 'pending'")).rows[0].n);
      if (sink.requests.length !== seen) { seen = sink.requests.length; stableSince = Date.now(); }
      if (n >= expectedAssessments && pending === 0 && Date.now() - stableSince > 3000) return;
      if (Date.now() > end) throw new Error(`${what}: not settled (assessments ${n}/${expectedAssessments}, outbox pending ${pending})`);
      await sleep(250);
    }
  } finally {
    await client.end();
  }
}

describe('clustered mode: three instances equal one', { skip, timeout: 900_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'txmon-cluster-'));
  const schemas: string[] = [];
  const procs: TxmonProcess[] = [];
  let nats: OwnNatsCluster | undefined;
  let single: Outcome;
  let clustered: Outcome;
  let data: ReturnType<typeof loadMinutes>;
  const log: string[] = [];
  const sinks: HttpSink[] = [];
  let balance: number[] = [];

  after(async () => {
    for (const s of sinks) await s.close().catch(() => undefined);
    for (const p of procs) p.child.kill('SIGKILL');
    await nats?.destroy();
    for (const s of schemas) await dropSchema(PG!, s).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  before(async () => {
    data = loadMinutes();
    const parts = new Set(SCOPES.map((s) => partitionOf(s, PARTITIONS)));
    assert.equal(parts.size, SCOPES.length, 'the test scopes fall in different partitions');
    const bodies = data.minutes.map((m) => JSON.stringify(m.rows));

    // One process, no cluster: the reference.
    const sinkA = await startHttpSink();
    sinks.push(sinkA);
    const schemaA = uniqueSchema('txmon_cl_single');
    schemas.push(schemaA);
    const urlA = withSchema(PG!, schemaA);
    const one = await startTxmon(['--db', urlA, '-c', config(dir, 'single', `${sinkA.url}/hook`)], await freePort());
    procs.push(one);
    const t0 = Date.now();
    const statsA = { retries: 0, pending: 0 };
    for (const body of bodies) await send([one.url], 0, body, statsA);
    log.push(`single process: ${bodies.length} requests in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await settle(urlA, sinkA, bodies.length * SCOPES.length, 'single process');
    single = await outcomeOf(urlA, sinkA);
    one.child.kill('SIGTERM');
    await once(one.child, 'exit');

    // Three instances, three NATS servers.
    nats = await ownNatsCluster(3);
    const sinkB = await startHttpSink();
    sinks.push(sinkB);
    const schemaB = uniqueSchema('txmon_cl_three');
    schemas.push(schemaB);
    const urlB = withSchema(PG!, schemaB);
    const name = `t${randomBytes(4).toString('hex')}`;
    const cfg = config(dir, 'cluster', `${sinkB.url}/hook`, { name, lease_ttl_seconds: 4, replicas: 3, reply_wait_ms: 3000 });
    const ports = [await freePort(), await freePort(), await freePort()];
    const start = (i: number) => startTxmon(['--db', urlB, '-c', cfg, '--cluster', nats!.urls, '--node-id', `node${i}`, '--partitions', String(PARTITIONS)], ports[i],
      { healthy: (h) => h.cluster?.node_id !== undefined });
    const nodes: TxmonProcess[] = [];
    for (let i = 0; i < 3; i++) { nodes.push(await start(i)); procs.push(nodes[i]); }
    const urls: Array<string | null> = nodes.map((n) => n.url);
    const stats = { retries: 0, pending: 0 };
    const killAt = Math.floor(bodies.length * 0.3);
    const restartAt = Math.floor(bodies.length * 0.5);
    const natsRestartAt = Math.floor(bodies.length * 0.7);
    const t1 = Date.now();
    let restarting: Promise<void> | null = null;
    for (let i = 0; i < bodies.length; i++) {
      if (i === killAt) {
        nodes[1].child.kill('SIGKILL');
        await once(nodes[1].child, 'exit');
        urls[1] = null;
        log.push(`minute ${i}: node1 killed with SIGKILL`);
      }
      if (i === restartAt) {
        // Started in the background: the load goes on while it joins and partitions move to it.
        restarting = start(1).then((p) => { nodes[1] = p; procs.push(p); urls[1] = p.url; log.push(`node1 back at minute ${i}+`); });
      }
      if (i === natsRestartAt) {
        await nats.stop(2);
        log.push(`minute ${i}: NATS server n3 stopped`);
        setTimeout(() => { void nats!.start(2).then(() => log.push('NATS server n3 started again')); }, 2000);
      }
      await send(urls, i, bodies[i], stats);
      if (process.env.TXMON_TEST_VERBOSE && i % 100 === 0) process.stderr.write(`cluster minute ${i} ${JSON.stringify(stats)}\n`);
    }
    await restarting;
    log.push(`cluster: ${bodies.length} requests in ${((Date.now() - t1) / 1000).toFixed(1)} s, ${stats.retries} retries, ${stats.pending} answered 202 pending`);
    await settle(urlB, sinkB, bodies.length * SCOPES.length, 'cluster');
    clustered = await outcomeOf(urlB, sinkB);
    const owned = async () => Promise.all(nodes.map(async (n) => {
      if (n.child.exitCode !== null || n.child.signalCode !== null) throw new Error(`${n.url} exited (${n.child.exitCode ?? n.child.signalCode}): ${n.stderr().slice(-3000)}`);
      return (await (await fetch(`${n.url}/health`)).json()).cluster.partitions_owned.length as number;
    }));
    // Balanced again after the kill, the restart and the NATS restart (a few lease periods at most).
    for (const end = Date.now() + 30_000; Date.now() < end; await sleep(250)) {
      balance = await owned();
      if (balance.reduce((a, b) => a + b, 0) === PARTITIONS && Math.max(...balance) - Math.min(...balance) <= 1) break;
    }
    log.push(`partitions owned at the end: ${balance.join(', ')}`);
  });

  test('the data and what was measured', (t) => {
    t.diagnostic(`data: ${data.source}, ${data.minutes.length} minutes × ${SCOPES.length} scopes`);
    for (const l of log) t.diagnostic(l);
    t.diagnostic(`alerts: ${single.alerts.length}, notified (status, alert) pairs: ${single.notifications.length}`);
  });

  test('the partitions are balanced again (about P/N each) once the instances are back', () => {
    assert.deepEqual([...balance].sort((a, b) => a - b), [5, 5, 6]);
  });

  test('every stored count equals the single-process run', () => {
    assert.equal(clustered.counts.length, single.counts.length);
    assert.deepEqual(clustered.counts, single.counts);
  });

  test('every minute of every scope was evaluated exactly once', () => {
    assert.equal(single.assessments, data.minutes.length * SCOPES.length);
    assert.equal(clustered.assessments, single.assessments);
    assert.deepEqual(clustered.assessmentKeys, single.assessmentKeys);
  });

  test('the alerts (rule, scope, start, end) equal the single-process run: none twice', () => {
    assert.ok(single.alerts.length > 0, 'the data raises alerts');
    assert.deepEqual(clustered.alerts, single.alerts);
  });

  // Which (status, alert) pairs one webhook payload lists depends on how the group's changes
  // batch within group_interval, and so on replay speed (the single process, with PostgreSQL group
  // commit, replays several times faster: seen 32 vs 40 pairs). What does not depend on speed, and
  // is compared: the same alerts reach the webhook, resolutions only of alerts that ended.
  test('the webhook was told of the same alerts, resolutions only of ended ones, in order per alert, each Idempotency-Key once (one in-flight repeat allowed)', () => {
    assert.ok(single.notifications.length > 0);
    const alertOf = (pair: string) => pair.slice(pair.indexOf(' ') + 1);
    const notifiedAlerts = (pairs: string[]) => [...new Set(pairs.map(alertOf))].sort();
    const resolutions = (pairs: string[]) => pairs.filter((p) => p.startsWith('resolved '));
    assert.deepEqual(notifiedAlerts(clustered.notifications), notifiedAlerts(single.notifications));
    // Whether the last resolutions went out before the run ended is timing too; that none is told
    // for an alert still open is not.
    for (const [label, run] of [['single', single], ['cluster', clustered]] as const) {
      const ended = new Set(run.alerts.filter((a) => !a.endsWith('→ open')).map((a) => a.slice(0, a.indexOf(' →'))));
      for (const r of resolutions(run.notifications)) assert.ok(ended.has(alertOf(r)), `${label}: ${r} told resolved while the alert is open`);
    }
    assert.ok(resolutions(single.notifications).length > 0 && resolutions(clustered.notifications).length > 0, 'resolutions are told');
    // Per-group order across instances: no firing notification of an alert after its resolution (an
    // alert that resolved before its group's first notification is told only resolved).
    for (const [label, seq] of [['single', single.sequence], ['cluster', clustered.sequence]] as const) {
      const firstResolved = new Map<string, number>();
      seq.forEach((n, i) => { if (n.startsWith('resolved ') && !firstResolved.has(alertOf(n))) firstResolved.set(alertOf(n), i); });
      seq.forEach((n, i) => {
        if (n.startsWith('firing ')) assert.ok(i < (firstResolved.get(alertOf(n)) ?? Infinity), `${label}: ${n} arrived after its resolved notification`);
      });
    }
    const repeated = [...clustered.keys].filter(([, n]) => n > 1);
    assert.ok(repeated.length <= 1 && repeated.every(([, n]) => n === 2), `notifications sent more than once: ${JSON.stringify(repeated)}`);
    assert.deepEqual([...single.keys].filter(([, n]) => n > 1), []);
  });
});
