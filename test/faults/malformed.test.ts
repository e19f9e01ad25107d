/**
 * Malformed requests (issue #13 items 5 and 7): bodies nested thousands of levels deep in every
 * field a validator reads, deep silence matchers, Fastify's and Node's own early answers
 * (413/414/431), and a catastrophic silence regex. Each is a 4xx with the usual
 * `{error: {code, message}}` body, stores nothing, and the server keeps answering.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { get, minuteRows, normalMinute, post, startServer, warmupRows, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
before(async () => { srv = await startServer({ config: { server: { body_limit_mb: 1 } } }); });
after(() => srv.close());

/** A value nested `n` levels (arrays and objects alternating) around `leaf`, as JSON text. */
class Deep {
  readonly n: number;
  readonly leaf: unknown;
  constructor(n: number, leaf: unknown) { this.n = n; this.leaf = leaf; }
  toText(): string {
    let open = '', close = '';
    for (let i = this.n - 1; i >= 0; i--) {
      open += i % 2 ? '{"x":' : '[';
      close = (i % 2 ? '}' : ']') + close;
    }
    return open + JSON.stringify(this.leaf) + close;
  }
}
const deep = (n: number, leaf: unknown = 1) => new Deep(n, leaf);
/** JSON text of a value holding Deep parts (JSON.stringify itself cannot nest 5,000 levels). */
function json(v: unknown): string {
  if (v instanceof Deep) return v.toText();
  if (Array.isArray(v)) return `[${v.map(json).join(',')}]`;
  if (v !== null && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${json(x)}`).join(',')}}`;
  return JSON.stringify(v);
}
const TS = '2025-07-01T10:00:00Z';

async function storedNothing(): Promise<void> {
  const s = await srv.service.ctx.store.stats();
  assert.deepEqual([s.countRows, s.authCodeRows, s.rawRows], [0, 0, 0], 'nothing stored');
}

test('values nested 5,000 levels deep in any field: 400 with the usual body, nothing stored', async () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['/api/v1/transactions', { timestamp: TS, status: 'approved', count: deep(5000) }],
    ['/api/v1/transactions', { timestamp: deep(5000, TS), status: 'approved', count: 1 }],
    ['/api/v1/transactions', { timestamp: TS, status: deep(5000, 'x'), count: 1 }],
    ['/api/v1/transactions', { timestamp: TS, status: 'approved', count: 1, scope: deep(5000, 'x') }],
    ['/api/v1/auth-codes', { timestamp: TS, auth_code: deep(5000, '00'), count: 1 }],
    ['/api/v1/transactions/raw', { id: 'a', timestamp: TS, status: 'approved', amount: deep(5000) }],
    ['/api/v1/transactions/raw', { id: deep(5000), timestamp: TS, status: 'approved' }],
  ];
  for (const [path, row] of cases) {
    for (const body of [row, [row]]) {
      const res = await post(srv.url, path, json(body), { contentType: 'application/json' });
      assert.equal(res.status, 400, `${path} ${res.text.slice(0, 200)}`);
      assert.equal(res.body.error.code, 'TXMON_ERR_VALIDATION');
      assert.match(res.body.error.message, /row 1: field "\w+" nests arrays\/objects deeper than 32 levels/);
    }
    const nd = await post(srv.url, path, json(row) + '\n', { contentType: 'application/x-ndjson' });
    assert.equal(nd.status, 400);
  }
  // Moderately deep (below the limit) values still get the field's own message, with a short preview.
  const mid = await post(srv.url, '/api/v1/transactions', json({ timestamp: TS, status: 'approved', count: deep(20) }), { contentType: 'application/json' });
  assert.equal(mid.status, 400);
  assert.match(mid.body.error.message, /row 1: field "count" must be a non-negative integer/);
  assert.ok(mid.text.length < 1000, 'the error echoes a preview, not the value');
  await storedNothing();
});

test('silences: a deep endsAt, deep matchers, a deep body: 400 with the usual body', async () => {
  const base = { matchers: [{ name: 'scope', value: 'x' }], endsAt: '2099-01-01T00:00:00Z', createdBy: 't', comment: 'c' };
  for (const body of [
    { ...base, endsAt: deep(5000, '2099-01-01T00:00:00Z') },
    { ...base, matchers: deep(5000) },
    { ...base, matchers: [{ name: 'scope', value: deep(5000, 'x') }] },
    { ...base, createdBy: deep(40, 'x') },
    { ...base, endsAt: deep(10, 'x') },
  ]) {
    const res = await post(srv.url, '/api/v1/silences', json(body), { contentType: 'application/json' });
    assert.equal(res.status, 400, res.text.slice(0, 300));
    assert.match(res.body.error.code, /^TXMON_ERR_/);
    assert.ok(res.text.length < 2000);
  }
  assert.equal((await get(srv.url, '/api/v1/silences')).body.silences.length, 0);
});

test("Fastify's and Node's own early answers use the TXMON_ERR body: 413, 414, 431", async () => {
  const big = 'x'.repeat(1.2 * 1024 * 1024);
  for (const [path, type] of [['/api/v1/transactions', 'text/csv'], ['/api/v1/silences', 'application/json']]) {
    const r = await post(srv.url, path, type === 'text/csv' ? big : JSON.stringify({ a: big }), { contentType: type });
    assert.equal(r.status, 413, path);
    assert.equal(r.body.error.code, 'TXMON_ERR_BODY_TOO_LARGE');
  }
  const longId = await get(srv.url, `/api/v1/alerts/${'9'.repeat(300)}`);
  assert.equal(longId.status, 414);
  assert.equal(longId.body.error.code, 'TXMON_ERR_URI_TOO_LONG');
  // 431: headers beyond Node's 16 KB limit, answered by the HTTP parser before Fastify sees a request.
  const raw = await new Promise<string>((resolve, reject) => {
    const url = new URL(srv.url);
    const sock = connect(Number(url.port), url.hostname);
    let data = '';
    sock.on('data', (d) => { data += d; });
    sock.on('end', () => resolve(data));
    sock.on('error', reject);
    sock.write(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'y'.repeat(20_000)}\r\n\r\n`);
  });
  assert.match(raw, /^HTTP\/1\.1 431 /);
  const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4));
  assert.equal(body.error.code, 'TXMON_ERR_HEADERS_TOO_LARGE');
  assert.equal((await get(srv.url, '/health')).status, 200, 'still answering');
});

test('a catastrophic silence regex cannot stall GET /api/v1/alerts (linear-time matching)', async () => {
  const scope = 'a'.repeat(40);
  const t0 = Date.UTC(2025, 6, 1, 10, 0);
  assert.equal((await post(srv.url, '/api/v1/transactions', warmupRows(t0, 90, scope))).status, 200);
  const spike = await post(srv.url, '/api/v1/transactions', minuteRows(t0 + 90 * 60_000, { ...normalMinute(90), failed: 40 }, scope));
  assert.equal(spike.body.should_alert, true);
  const created = await post(srv.url, '/api/v1/silences', {
    matchers: [{ name: 'scope', value: '(a+)+b', isRegex: true }], endsAt: '2099-01-01T00:00:00Z', createdBy: 'fault suite', comment: 'ReDoS probe',
  }, { contentType: 'application/json' });
  assert.equal(created.status, 201, created.text);
  const started = performance.now();
  const alerts = await get(srv.url, '/api/v1/alerts');
  const ms = performance.now() - started;
  assert.equal(alerts.status, 200);
  assert.ok(alerts.body.alerts.length > 0);
  assert.ok(ms < 2000, `GET /api/v1/alerts took ${ms.toFixed(0)} ms`);
});
