/**
 * Clustered ingest, "accepted whole or rejected whole" in its clustered form (docs/scaling.md):
 * a request is one JetStream message per partition it touches and is answered 2xx only when every
 * one was acknowledged. When one partition's publish fails the answer is 503 (Retry-After), and
 * the same request sent again completes it without storing or evaluating anything twice (message
 * ids from the content, or from Idempotency-Key). Runs one real service in clustered mode on the
 * NATS at TXMON_TEST_NATS_URL and a PostgreSQL schema of its own.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { dropSchema, uniqueSchema, withSchema } from '../src/store/postgres/testing.ts';
import { partitionOf } from '../src/cluster/partition.ts';
import { namesOf } from '../src/cluster/topology.ts';
import { post, startServer, type TestServer } from './helpers/server.ts';

const PG = process.env.TXMON_TEST_PG_URL;
const NATS = process.env.TXMON_TEST_NATS_URL;
const skip = !PG ? 'TXMON_TEST_PG_URL not set: clustered mode needs PostgreSQL, test skipped'
  : !NATS ? 'TXMON_TEST_NATS_URL not set: no NATS with JetStream here, clustered-ingest test skipped' : false;

const P = 16;
// Two scopes in different partitions.
const A = 'shop-a';
const B = ['shop-b', 'shop-c', 'shop-d', 'shop-e'].find((s) => partitionOf(s, P) !== partitionOf(A, P))!;
const T = Date.UTC(2025, 0, 1, 0, 0);
const iso = (i: number) => new Date(T + i * 60_000).toISOString();
const rows = (i: number, scopes: string[], count = 10) => scopes.map((scope) => ({ timestamp: iso(i), status: 'approved', count, scope }));

describe('clustered ingest: durable, idempotent, whole or retried', { skip, timeout: 120_000 }, () => {
  let server: TestServer;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let db: pg.Client;
  const schema = uniqueSchema('txmon_cl_ingest');
  const name = `ti${randomBytes(4).toString('hex')}`;
  const names = namesOf({ name });

  before(async () => {
    server = await startServer({
      storeUrl: withSchema(PG!, schema),
      config: { cluster: { servers: [NATS], node_id: 'solo', name, lease_ttl_seconds: 3 } },
    });
    nc = await connect({ servers: NATS! });
    jsm = await jetstreamManager(nc);
    db = new pg.Client({ connectionString: PG });
    await db.connect();
    await db.query(`SET search_path TO "${schema}"`);
    // Owns every partition once it has joined.
    const end = Date.now() + 15_000;
    while (server.service.ctx.cluster?.status().partitions_owned.length !== P) {
      if (Date.now() > end) throw new Error('the instance did not take its partitions');
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  after(async () => {
    await server?.close();
    await db?.end();
    if (jsm) {
      await jsm.streams.delete(names.stream).catch(() => undefined);
      const kvm = new Kvm(nc);
      for (const b of [names.bucket, `${name}_meta`]) await (await kvm.open(b)).destroy().catch(() => undefined);
    }
    await nc?.close();
    await dropSchema(PG!, schema);
  });

  const stored = async (scope: string) => Number((await db.query('SELECT COUNT(*) AS n FROM minute_counts WHERE scope = $1', [scope])).rows[0].n);
  const assessed = async (scope: string) => Number((await db.query('SELECT COUNT(*) AS n FROM assessments WHERE scope = $1', [scope])).rows[0].n);
  const published = async () => (await jsm.streams.info(names.stream)).state.last_seq;

  test('a request over two partitions is answered 200 with the owners\' recommendation', async () => {
    const res = await post(server.url, '/api/v1/transactions?complete=true', rows(0, [A, B]));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.accepted.counts, 2);
    assert.deepEqual([...res.body.completed_minutes].sort(), [`${A} ${iso(0)}`, `${B} ${iso(0)}`].sort());
    assert.equal(await stored(A), 1);
    assert.equal(await stored(B), 1);
  });

  test('one partition refused → 503 with Retry-After; the same request again completes it, nothing twice', async () => {
    // Partition B's subject leaves the stream: its publish finds no stream, A's succeeds.
    const info = await jsm.streams.info(names.stream);
    const subjects = Array.from({ length: P }, (_, p) => names.subject(p)).filter((s) => s !== names.subject(partitionOf(B, P)));
    await jsm.streams.update(names.stream, { ...info.config, subjects });
    const seq0 = await published();
    const body = rows(1, [A, B]);
    const refused = await fetch(`${server.url}/api/v1/transactions?complete=true`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(refused.status, 503);
    assert.match(refused.headers.get('retry-after') ?? '', /^\d+$/);
    const error = (await refused.json()).error;
    assert.equal(error.code, 'TXMON_ERR_CLUSTER_UNAVAILABLE');
    assert.match(error.message, /1 of 2 partition\(s\).*send the same request again/);
    assert.equal(await published(), seq0 + 1, 'A\'s part is in the stream');

    await jsm.streams.update(names.stream, { ...info.config });
    const retried = await post(server.url, '/api/v1/transactions?complete=true', body);
    assert.equal(retried.status, 202, retried.text);
    assert.equal(retried.body.pending, true);
    assert.match(retried.body.message, /1 already there from an earlier try/);
    assert.equal(await published(), seq0 + 2, 'only B\'s part was published by the retry');
    const end = Date.now() + 5000;
    while ((await assessed(B)) < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await stored(A), 2);
    assert.equal(await stored(B), 2);
    assert.equal(await assessed(A), 2, 'A\'s minute evaluated once');
    assert.equal(await assessed(B), 2);
  });

  test('Idempotency-Key: a second request with the key publishes nothing; a bad key is a 400 that stores nothing', async () => {
    const seq0 = await published();
    const key = `k-${randomBytes(6).toString('hex')}`;
    const first = await fetch(`${server.url}/api/v1/transactions?complete=true`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(rows(2, [A])) });
    assert.equal(first.status, 200);
    const again = await fetch(`${server.url}/api/v1/transactions?complete=true`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(rows(2, [A], 999)) });
    assert.equal(again.status, 202);
    assert.equal(await published(), seq0 + 1);
    assert.equal(Number((await db.query('SELECT count FROM minute_counts WHERE scope = $1 AND minute = $2', [A, T / 60_000 + 2])).rows[0].count), 10);
    const bad = await fetch(`${server.url}/api/v1/transactions?complete=true`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'has space' }, body: JSON.stringify(rows(3, [A])) });
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.code, 'TXMON_ERR_BAD_PARAMETER');
    assert.equal(await published(), seq0 + 1);
  });

  test('a second instance joins and takes half; the SSE stream of one shows the other\'s evaluations', async (t) => {
    const second = await startServer({
      storeUrl: withSchema(PG!, schema),
      config: { cluster: { servers: [NATS], node_id: 'second', name, lease_ttl_seconds: 3 } },
    });
    t.after(() => second.close());
    const owned = () => [server, second].map((x) => x.service.ctx.cluster?.status().partitions_owned ?? []);
    const end = Date.now() + 15_000;
    while (!(owned()[0].length === P / 2 && owned()[1].length === P / 2)) {
      if (Date.now() > end) throw new Error(`not balanced: ${owned().map((o) => o.length).join('/')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // A scope the second instance owns, posted to the first, seen on the first's event stream.
    const scope = Array.from({ length: 100 }, (_, i) => `sse-${i}`).find((x) => owned()[1].includes(partitionOf(x, P)))!;
    const ac = new AbortController();
    t.after(() => ac.abort());
    const res = await fetch(`${server.url}/api/v1/events`, { signal: ac.signal });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let seen = '';
    const arrived = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return false;
        seen += value;
        if (seen.includes(`"scope":"${scope}"`)) return true;
      }
    })();
    await new Promise((r) => setTimeout(r, 200));
    const posted = await post(server.url, '/api/v1/transactions?complete=true', rows(5, [scope]));
    assert.equal(posted.status, 200, posted.text);
    assert.equal(await Promise.race([arrived, new Promise((r) => setTimeout(() => r(false), 5000))]), true, 'the evaluation reached the other instance\'s SSE clients');
    assert.match(seen, /event: minutes/);
  });

  test('an instance started on a cluster with history resumes its scopes from PostgreSQL', async () => {
    // The first instance leaves; a new one takes every partition at its first balance and must
    // load the scopes' state before consuming: A was evaluated through minute 2, so a minute 6
    // closes the gap 3..5 (no data) and 6 — a fresh engine would judge minute 6 alone.
    await server.close();
    server = await startServer({
      storeUrl: withSchema(PG!, schema),
      config: { cluster: { servers: [NATS], node_id: 'third', name, lease_ttl_seconds: 3 } },
    });
    assert.equal(server.service.ctx.cluster!.status().partitions_owned.length, P, 'all partitions taken while joining');
    const res = await post(server.url, '/api/v1/transactions?complete=true', rows(6, [A]));
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.completed_minutes, [3, 4, 5, 6].map((i) => `${A} ${iso(i)}`));
  });

  test('/health shows the cluster; /metrics the partition lag and lease changes', async () => {
    const health = await (await fetch(`${server.url}/health`)).json();
    assert.equal(health.cluster.node_id, 'third');
    assert.deepEqual(health.cluster.members, ['third']);
    assert.equal(health.cluster.partitions_owned.length, P);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /txmon_cluster_partition_lag\{partition="0"\} 0/);
    assert.match(metrics, new RegExp(`txmon_cluster_lease_changes_total\\{kind="acquired"\\} ${P}`));
    assert.match(metrics, /txmon_cluster_partitions_owned 16/);
  });
});
