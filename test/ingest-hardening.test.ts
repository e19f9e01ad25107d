/**
 * The smaller ingest hardening items of issue #13 (item 8): prototype-named statuses and scopes
 * are data like any other, names with control characters, bidi controls or lone surrogates are
 * refused, unknown JSON keys in count and auth-code rows are a 400 (raw transactions may carry
 * extra gateway fields), and timestamps before server.min_timestamp (default 2000) are refused.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { get, post, startServer, type TestServer } from './helpers/server.ts';

let srv: TestServer;
before(async () => { srv = await startServer(); });
after(() => srv.close());

const T = (i: number) => new Date(Date.UTC(2025, 6, 1, 10, i)).toISOString();

test('statuses and scopes named __proto__, constructor, toString are counted and evaluated like any other', async () => {
  for (let i = 0; i < 3; i++) {
    const res = await post(srv.url, '/api/v1/transactions?complete=true', [
      { timestamp: T(i), status: 'approved', count: 10, scope: '__proto__' },
      { timestamp: T(i), status: '__proto__', count: 5, scope: '__proto__' },
      { timestamp: T(i), status: 'constructor', count: 3, scope: 'constructor' },
      { timestamp: T(i), status: 'tostring', count: 2, scope: 'toString' },
    ]);
    assert.equal(res.status, 200);
    const proto = res.body.minutes.find((m: { scope: string }) => m.scope === '__proto__');
    assert.deepEqual(proto.metrics.counts, { approved: 10, ['__proto__']: 5 });
    assert.equal(proto.metrics.total, 15);
  }
  const metrics = await get(srv.url, '/api/v1/metrics?scope=__proto__&minutes=10');
  assert.equal(metrics.body.total, 45);
  assert.deepEqual({ ...metrics.body.totals }, { ['__proto__']: 15, approved: 30 });
  assert.deepEqual((await get(srv.url, '/api/v1/scopes')).body.scopes.map((s: { scope: string }) => s.scope).sort(), ['__proto__', 'constructor', 'toString']);
});

test('names with C0/C1 controls, bidi controls or lone surrogates are refused (nothing stored)', async () => {
  const before = await srv.service.ctx.store.stats();
  for (const bad of ['pos\u0085x', 'pos\u009b1', 'evil\u202egpj', 'a\u2066b', 'x\u200f', 'lone\ud800', 'lone\udc00x', 'tab\there']) {
    for (const field of ['status', 'scope'] as const) {
      const row = { timestamp: T(10), status: 'approved', count: 1, [field]: bad };
      const res = await post(srv.url, '/api/v1/transactions', [row]);
      assert.equal(res.status, 400, `${field} ${JSON.stringify(bad)}`);
      assert.equal(res.body.error.field, field);
      assert.match(res.body.error.message, /bidi controls or lone surrogates/);
    }
  }
  assert.equal((await post(srv.url, '/api/v1/transactions', [{ timestamp: T(10), status: 'aprovação', count: 1, scope: 'loja-são-paulo 🛒' }])).status, 200, 'other Unicode is fine');
  assert.equal((await srv.service.ctx.store.stats()).countRows, before.countRows + 1);
});

test('unknown keys in count and auth-code rows are a 400; raw transactions accept extra gateway fields', async () => {
  const wrong = await post(srv.url, '/api/v1/transactions', [{ timestamp: T(20), status: 'approved', count: 1 }, { timestamp: T(20), status: 'denied', count: 1, Scope: 'pos-1' }]);
  assert.equal(wrong.status, 400);
  assert.equal(wrong.body.error.row, 2);
  assert.equal(wrong.body.error.field, 'Scope');
  assert.match(wrong.body.error.message, /row 2: unknown field "Scope"; accepted fields: timestamp, status, count, scope/);
  const codes = await post(srv.url, '/api/v1/auth-codes', [{ timestamp: T(20), auth_code: '00', count: 1, status: 'approved' }]);
  assert.equal(codes.status, 400);
  assert.match(codes.body.error.message, /unknown field "status"; accepted fields: timestamp, auth_code, count, scope/);
  const nd = await post(srv.url, '/api/v1/transactions', `${JSON.stringify({ timestamp: T(20), status: 'approved', count: 1, cnt: 2 })}\n`, { contentType: 'application/x-ndjson' });
  assert.equal(nd.status, 400);
  const raw = await post(srv.url, '/api/v1/transactions/raw', [{ id: 'gw-1', timestamp: T(20), status: 'approved', amount: 10.5, merchant_name: 'Loja', card_bin: '411111', installments: 3 }]);
  assert.equal(raw.status, 200, raw.text);
  assert.equal(raw.body.accepted.raw_accepted, 1);
});

test('timestamps before server.min_timestamp (default 2000-01-01) are refused; configurable', async (t) => {
  const res = await post(srv.url, '/api/v1/transactions', [{ timestamp: '1999-12-31T23:59:00Z', status: 'approved', count: 1 }]);
  assert.equal(res.status, 400);
  assert.match(res.body.error.message, /row 1: field "timestamp" must be not before 2000-01-01T00:00:00\.000Z \(server\.min_timestamp\)/);
  const epoch0 = await post(srv.url, '/api/v1/transactions/raw', [{ id: 'z', timestamp: 0, status: 'approved' }]);
  assert.equal(epoch0.status, 400);
  const old = await startServer({ config: { server: { min_timestamp: '1990-01-01T00:00:00Z' } } });
  t.after(() => old.close());
  assert.equal((await post(old.url, '/api/v1/transactions', [{ timestamp: '1999-12-31T23:59:00Z', status: 'approved', count: 1 }])).status, 200);
});
