/**
 * Every bad-input case of the ingest endpoints (issue #2 item 8): a 4xx with a stable code and a
 * message naming the row and field, nothing stored, and the server still answering afterwards.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { get, post, startServer, type TestServer } from './helpers/server.ts';

interface BadCase {
  name: string;
  path?: string;
  body: unknown;
  contentType?: string;
  status: number;
  code: string;
  /** Patterns the message must match (row and field where the error is about one). */
  message: RegExp[];
  /** Row/field the error detail must carry. */
  row?: number;
  field?: string;
}

const TS = '2025-07-01T10:00:00Z';
const ok = (status: string, count: unknown = 1) => ({ timestamp: TS, status, count });

const CASES: BadCase[] = [
  { name: 'malformed JSON', body: '{"timestamp": "2025-07-01T10:00:00Z", "status": ', contentType: 'application/json', status: 400, code: 'TXMON_ERR_BAD_JSON', message: [/not valid JSON/] },
  { name: 'malformed JSON array', body: '[{"timestamp": "2025-07-01T10:00:00Z", "status": "approved", "count": 1},]', contentType: 'application/json', status: 400, code: 'TXMON_ERR_BAD_JSON', message: [/not valid JSON/] },
  { name: 'malformed NDJSON line', body: `${JSON.stringify(ok('approved'))}\n${JSON.stringify(ok('denied'))}\n{"timestamp": oops}\n`, contentType: 'application/x-ndjson', status: 400, code: 'TXMON_ERR_BAD_JSON', message: [/line 3/], row: 3 },
  { name: 'JSON array element that is not an object', body: [ok('approved'), 42], status: 400, code: 'TXMON_ERR_VALIDATION', message: [/row 2/, /JSON object/], row: 2 },
  { name: 'CSV unterminated quote', body: 'timestamp,status,count\n2025-07-01 10:00:00,approved,5\n2025-07-01 10:00:00,"denied,3\n', status: 400, code: 'TXMON_ERR_BAD_CSV', message: [/line 3/, /unterminated/], row: 3 },
  { name: 'CSV wrong field count', body: 'timestamp,status,count\n2025-07-01 10:00:00,approved,5\n2025-07-01 10:00:00,denied\n', status: 400, code: 'TXMON_ERR_BAD_CSV', message: [/line 3/, /expected 3 fields/, /got 2/], row: 3 },
  { name: 'CSV header missing a column', body: 'timestamp,state,count\n2025-07-01 10:00:00,approved,5\n', status: 400, code: 'TXMON_ERR_BAD_CSV', message: [/missing column\(s\) status/, /unknown column\(s\) state/], row: 1, field: 'header' },
  { name: 'count as a string in JSON', body: [ok('approved', 100), ok('denied', '5')], status: 400, code: 'TXMON_ERR_VALIDATION', message: [/row 2/, /field "count"/, /JSON number/], row: 2, field: 'count' },
  { name: 'status as a number', body: [{ timestamp: TS, status: 5, count: 1 }], status: 400, code: 'TXMON_ERR_VALIDATION', message: [/row 1/, /field "status"/, /string/], row: 1, field: 'status' },
  { name: 'missing field', body: [ok('approved', 1), { timestamp: TS, status: 'denied' }], status: 400, code: 'TXMON_ERR_VALIDATION', message: [/row 2/, /missing field "count"/], row: 2, field: 'count' },
  { name: 'missing timestamp (NDJSON)', body: `${JSON.stringify({ status: 'approved', count: 3 })}\n`, contentType: 'application/x-ndjson', status: 400, code: 'TXMON_ERR_VALIDATION', message: [/row 1/, /missing field "timestamp"/], row: 1, field: 'timestamp' },
  { name: 'negative count', body: [ok('approved', -1)], status: 400, code: 'TXMON_ERR_VALIDATION', message: [/row 1/, /field "count"/, /non-negative integer/], row: 1, field: 'count' },
  { name: 'fractional count', body: [ok('approved', 2), ok('denied', 2.5)], status: 400, code: 'TXMON_ERR_VALIDATION', message: [/row 2/, /field "count"/, /integer/], row: 2, field: 'count' },
  { name: 'NaN count in JSON (a string: JSON has no NaN)', body: [ok('approved', 'NaN')], status: 400, code: 'TXMON_ERR_VALIDATION', message: [/row 1/, /field "count"/], row: 1, field: 'count' },
  { name: 'NaN count in CSV', body: 'timestamp,status,count\n2025-07-01 10:00:00,approved,NaN\n', status: 400, code: 'TXMON_ERR_VALIDATION', message: [/row 2/, /field "count"/, /"NaN"/], row: 2, field: 'count' },
  { name: 'negative count in CSV', body: 'timestamp,status,count\n2025-07-01 10:00:00,approved,-3\n', status: 400, code: 'TXMON_ERR_VALIDATION', message: [/row 2/, /field "count"/], row: 2, field: 'count' },
  { name: 'fractional count in CSV', body: 'timestamp,status,count\n2025-07-01 10:00:00,approved,1.5\n', status: 400, code: 'TXMON_ERR_VALIDATION', message: [/row 2/, /field "count"/], row: 2, field: 'count' },
  { name: 'absurdly large count', body: [ok('approved', 1e12)], status: 400, code: 'TXMON_ERR_VALIDATION', message: [/row 1/, /field "count"/, /at most/], row: 1, field: 'count' },
  { name: 'absurdly large count in CSV', body: 'timestamp,status,count\n2025-07-01 10:00:00,approved,1000000000000\n', status: 400, code: 'TXMON_ERR_VALIDATION', message: [/row 2/, /field "count"/, /at most/], row: 2, field: 'count' },
  { name: 'unparseable timestamp', body: [ok('approved'), { timestamp: 'yesterday at noon', status: 'denied', count: 1 }], status: 400, code: 'TXMON_ERR_VALIDATION', message: [/row 2/, /field "timestamp"/, /ISO-8601/], row: 2, field: 'timestamp' },
  { name: 'impossible date', body: [{ timestamp: '2025-02-30 10:00:00', status: 'approved', count: 1 }], status: 400, code: 'TXMON_ERR_VALIDATION', message: [/row 1/, /field "timestamp"/], row: 1, field: 'timestamp' },
  { name: 'impossible hour with a zone', body: [{ timestamp: '2025-07-01T25:00:00Z', status: 'approved', count: 1 }], status: 400, code: 'TXMON_ERR_VALIDATION', message: [/row 1/, /field "timestamp"/], row: 1, field: 'timestamp' },
  { name: 'timestamp far in the future', body: [{ timestamp: '2999-01-01T00:00:00Z', status: 'approved', count: 1 }], status: 400, code: 'TXMON_ERR_VALIDATION', message: [/row 1/, /field "timestamp"/, /future/], row: 1, field: 'timestamp' },
  { name: '"HHh MM" without a date', body: 'time,status,count\n14h 05,approved,10\n', status: 400, code: 'TXMON_ERR_VALIDATION', message: [/row 2/, /field "timestamp"/, /date=YYYY-MM-DD/], row: 2, field: 'timestamp' },
  { name: 'bad date query parameter', path: '/api/v1/transactions?date=02/07/2025', body: 'time,status,count\n14h 05,approved,10\n', status: 400, code: 'TXMON_ERR_BAD_PARAMETER', message: [/"date"/, /YYYY-MM-DD/], field: 'date' },
  { name: 'bad complete query parameter', path: '/api/v1/transactions?complete=maybe', body: [ok('approved')], status: 400, code: 'TXMON_ERR_BAD_PARAMETER', message: [/complete/] },
  { name: 'duplicate (scope, minute, status) in one request', body: [ok('approved', 1), ok('denied', 1), ok('approved', 2)], status: 400, code: 'TXMON_ERR_VALIDATION', message: [/row 3/, /duplicate/, /row 1/], row: 3 },
  { name: 'status with a control character', body: [ok('appro\u0007ved')], status: 400, code: 'TXMON_ERR_VALIDATION', message: [/row 1/, /field "status"/], row: 1, field: 'status' },
  { name: 'empty body (JSON)', body: '', contentType: 'application/json', status: 400, code: 'TXMON_ERR_EMPTY_BODY', message: [/empty/] },
  { name: 'empty body (CSV)', body: '', contentType: 'text/csv', status: 400, code: 'TXMON_ERR_EMPTY_BODY', message: [/empty/] },
  { name: 'empty JSON array', body: [], status: 400, code: 'TXMON_ERR_EMPTY_BODY', message: [/empty/] },
  { name: 'CSV header only', body: 'timestamp,status,count\n', status: 400, code: 'TXMON_ERR_EMPTY_BODY', message: [/no data rows/] },
  { name: 'wrong content type', body: 'approved 5', contentType: 'text/plain', status: 415, code: 'TXMON_ERR_UNSUPPORTED_MEDIA_TYPE', message: [/text\/plain/, /text\/csv/] },
  { name: 'a bad row in the middle of a valid batch', body: [ok('approved', 100), ok('denied', 5), { timestamp: TS, status: 'failed', count: -2 }, ok('reversed', 1), ok('refunded', 1)], status: 400, code: 'TXMON_ERR_VALIDATION', message: [/row 3/, /field "count"/], row: 3, field: 'count' },
  { name: 'a bad row in the middle of a valid CSV', body: 'timestamp,status,count\n2025-07-01 10:00:00,approved,100\n2025-07-01 10:00:00,denied,x\n2025-07-01 10:01:00,approved,99\n', status: 400, code: 'TXMON_ERR_VALIDATION', message: [/row 3/, /field "count"/], row: 3, field: 'count' },
  { name: 'auth code as a JSON number ("00" would become 0)', path: '/api/v1/auth-codes', body: [{ timestamp: TS, auth_code: '00', count: 5 }, { timestamp: TS, auth_code: 51, count: 1 }], status: 400, code: 'TXMON_ERR_VALIDATION', message: [/row 2/, /field "auth_code"/, /string/], row: 2, field: 'auth_code' },
  { name: 'auth codes missing count', path: '/api/v1/auth-codes', body: [{ timestamp: TS, auth_code: '00' }], status: 400, code: 'TXMON_ERR_VALIDATION', message: [/row 1/, /missing field "count"/], row: 1, field: 'count' },
  { name: 'raw transaction with a bad amount', path: '/api/v1/transactions/raw', body: [{ id: 'a', timestamp: TS, status: 'approved' }, { id: 'b', timestamp: TS, status: 'approved', amount: 'ten' }], status: 400, code: 'TXMON_ERR_VALIDATION', message: [/row 2/, /field "amount"/], row: 2, field: 'amount' },
  { name: 'raw transaction id twice with different content', path: '/api/v1/transactions/raw', body: [{ id: 'a', timestamp: TS, status: 'approved' }, { id: 'a', timestamp: TS, status: 'denied' }], status: 409, code: 'TXMON_ERR_CONFLICT', message: [/row 2/, /"a"/], row: 2, field: 'id' },
  { name: 'raw transaction missing id', path: '/api/v1/transactions/raw', body: [{ timestamp: TS, status: 'approved' }], status: 400, code: 'TXMON_ERR_VALIDATION', message: [/row 1/, /missing field "id"/], row: 1, field: 'id' },
];

describe('bad input is rejected whole, with a stable code, and stores nothing', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startServer({ config: { server: { body_limit_mb: 0.001 } } }); // ≈1 KB
    // Some data already there, so "nothing stored" is checked against a non-empty store.
    const seed = await post(srv.url, '/api/v1/transactions', [{ timestamp: '2025-07-01T09:00:00Z', status: 'approved', count: 100 }]);
    assert.equal(seed.status, 200, seed.text);
  });
  after(async () => srv?.close());

  for (const c of CASES) {
    test(c.name, async () => {
      const statsBefore = await srv.service.ctx.store.stats();
      const evaluatedBefore = srv.service.ctx.engine.minutesEvaluated;
      const res = await post(srv.url, c.path ?? '/api/v1/transactions', c.body, { contentType: c.contentType });
      assert.equal(res.status, c.status, res.text);
      assert.equal(res.body.error?.code, c.code, res.text);
      for (const re of c.message) assert.match(res.body.error.message, re);
      if (c.row !== undefined) assert.equal(res.body.error.row, c.row, 'error.row');
      if (c.field !== undefined) assert.equal(res.body.error.field, c.field, 'error.field');
      assert.deepEqual(await srv.service.ctx.store.stats(), statsBefore, 'nothing stored');
      assert.equal(srv.service.ctx.engine.minutesEvaluated, evaluatedBefore, 'nothing evaluated');
    });
  }

  test('oversize body: 413 TXMON_ERR_BODY_TOO_LARGE, nothing stored', async () => {
    const statsBefore = await srv.service.ctx.store.stats();
    const rows = Array.from({ length: 40 }, (_, i) => ({ timestamp: `2025-07-01T10:${String(i).padStart(2, '0')}:00Z`, status: 'approved', count: 100 }));
    const body = JSON.stringify(rows);
    assert.ok(body.length > 1100);
    for (const contentType of ['application/json', 'text/csv']) {
      const res = await post(srv.url, '/api/v1/transactions', contentType === 'text/csv' ? 'timestamp,status,count\n' + 'x'.repeat(1200) : rows, { contentType });
      assert.equal(res.status, 413, res.text);
      assert.equal(res.body.error.code, 'TXMON_ERR_BODY_TOO_LARGE');
      assert.match(res.body.error.message, /larger than the limit/);
    }
    assert.deepEqual(await srv.service.ctx.store.stats(), statsBefore);
  });

  test('rejections are counted in /metrics by code', async () => {
    const res = await get(srv.url, '/metrics');
    assert.match(res.text, /^txmon_ingest_rejected_total\{code="TXMON_ERR_VALIDATION"\} [1-9]\d*$/m);
  });

  test('the server keeps answering and accepts good data afterwards', async () => {
    assert.equal((await get(srv.url, '/health')).status, 200);
    const good = await post(srv.url, '/api/v1/transactions', [{ timestamp: TS, status: 'approved', count: 120 }, { timestamp: TS, status: 'mystery_status', count: 2 }]);
    assert.equal(good.status, 200, good.text);
    assert.equal(good.body.accepted.counts, 2);
    const rows = await srv.service.ctx.store.readCounts('all', Date.parse(TS) / 60_000, Date.parse(TS) / 60_000 + 1);
    assert.deepEqual(rows.map((r) => [r.status, r.count]), [['approved', 120], ['mystery_status', 2]]);
  });
});
