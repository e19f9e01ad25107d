/**
 * Amplifying requests (issue #13 item 2): a small body must not make the server store, evaluate or
 * answer about millions of minutes. Each case below once did (80 bytes → 1.5 M rows and an
 * out-of-heap crash; 9.5 KB → 160,000 zero-filled rows; 100 rows → a 140 MB answer); now each is
 * refused with 413/422 TXMON_ERR_LIMIT naming the limit, before anything is stored. The challenge
 * file posted whole is still accepted, and the event loop keeps answering /health while a large
 * valid body is processed (measured and reported, not asserted).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { get, post, startServer, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
before(async () => { srv = await startServer(); });
after(() => srv.close());

const CHALLENGE = fileURLToPath(new URL('../../../shared/data/cloudwalk/transactions.csv', import.meta.url));
const day = (i: number) => new Date(Date.UTC(2025, 0, 1) + i * 86_400_000).toISOString();

async function assertRefused(res: { status: number; body: any; text: string }, status: number, message: RegExp): Promise<void> {
  assert.equal(res.status, status, res.text.slice(0, 300));
  assert.equal(res.body.error.code, 'TXMON_ERR_LIMIT');
  assert.match(res.body.error.message, message);
  const s = await srv.service.ctx.store.stats();
  assert.deepEqual([s.countRows, s.authCodeRows, s.rawRows, s.assessments], [0, 0, 0, 0], 'nothing stored');
}

test('an 80-byte CSV export with two rows three years apart: 422, nothing stored', async () => {
  const body = 'time,status,f0_\n2022-01-01 00:00:00,approved,1\n2025-01-01 00:00:00,approved,1\n';
  assert.ok(body.length <= 90);
  const started = performance.now();
  await assertRefused(await post(srv.url, '/api/v1/transactions', body), 422, /spans 1578241 minutes .*limits\.max_span_minutes/);
  assert.ok(performance.now() - started < 2000);
});

test('a one-year span in JSON, and 100 rows a day apart: 422 before anything is stored', async () => {
  await assertRefused(await post(srv.url, '/api/v1/transactions', [
    { timestamp: day(0), status: 'approved', count: 1 }, { timestamp: day(365), status: 'approved', count: 1 },
  ]), 422, /spans 525601 minutes/);
  const rows = Array.from({ length: 100 }, (_, i) => ({ timestamp: day(i), status: 'approved', count: 5 }));
  await assertRefused(await post(srv.url, '/api/v1/transactions', rows), 422, /scope "all": the request spans 142561 minutes/);
  await assertRefused(await post(srv.url, '/api/v1/transactions/raw', rows.map((r, i) => ({ ...r, id: `t${i}` }))), 422, /spans/);
  await assertRefused(await post(srv.url, '/api/v1/auth-codes', rows.map((r) => ({ timestamp: r.timestamp, auth_code: '00', count: 1 }))), 422, /spans/);
});

test('a 9.5 KB CSV of distinct minutes and statuses (400 × 400 after zero-fill): refused', async () => {
  const lines = ['timestamp,status,count'];
  for (let i = 0; i < 400; i++) lines.push(`${new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString().slice(0, 19)},s${i},1`);
  await assertRefused(await post(srv.url, '/api/v1/transactions', lines.join('\n')), 422, /400 distinct statuses; at most 50 per scope \(limits\.max_statuses_per_scope\)/);
  // 45 statuses over 2,400 minutes, one row per minute: zero-fill would make 108,000 rows.
  const zf = ['timestamp,status,count'];
  for (let i = 0; i < 2400; i++) zf.push(`${new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString().slice(0, 19)},s${i % 45},1`);
  await assertRefused(await post(srv.url, '/api/v1/transactions', zf.join('\n')), 413, /2400 rows, which zero-fill .* turns into 108000; at most 100000/);
});

test('too many scopes in one request: 422', async () => {
  const rows = Array.from({ length: 101 }, (_, i) => ({ timestamp: day(0), status: 'approved', count: 1, scope: `pos-${i}` }));
  await assertRefused(await post(srv.url, '/api/v1/transactions', rows), 422, /names 101 scopes; at most 100 per request/);
});

test('a valid request completing thousands of minutes: the answer lists at most limits.max_listed_minutes and summarises the rest', async () => {
  const rows = Array.from({ length: 100 }, (_, i) => ({ timestamp: new Date(Date.UTC(2025, 0, 1) + i * 3_600_000).toISOString(), status: 'approved', count: 5, scope: 'hourly' }));
  const res = await post(srv.url, '/api/v1/transactions', rows);
  assert.equal(res.status, 200);
  assert.ok(res.body.summary.completed > 5000, `completed ${res.body.summary.completed}`);
  assert.equal(res.body.minutes.length, 200);
  assert.equal(res.body.summary.listed, 200);
  assert.equal(res.body.summary.omitted, res.body.summary.completed - 200);
  assert.ok(res.text.length < 2_000_000, `answer of ${res.text.length} bytes`);
  assert.match(res.body.message, /200 of \d+ minutes listed/);
});

test('the challenge file posted whole is accepted; /health keeps answering while a large body is processed', { skip: existsSync(CHALLENGE) ? undefined : 'challenge file absent' }, async (t) => {
  const fresh = await startServer();
  t.after(() => fresh.close());
  const measure = async (body: string) => {
    // Gaps between /health answers while the request runs (the client runs in this process too,
    // so a blocked loop shows as a gap, not as one slow answer).
    let stop = false, maxGap = 0, polls = 0, last = performance.now();
    const poller = (async () => {
      while (!stop) {
        const h = await get(fresh.url, '/health');
        assert.equal(h.status, 200);
        const now = performance.now();
        maxGap = Math.max(maxGap, now - last);
        last = now;
        polls++;
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const started = performance.now();
    const res = await post(fresh.url, '/api/v1/transactions', body);
    const ms = performance.now() - started;
    stop = true;
    await poller;
    return { res, ms, maxGap, polls };
  };
  const whole = await measure(readFileSync(CHALLENGE, 'utf8'));
  assert.equal(whole.res.status, 200, whole.res.text.slice(0, 300));
  assert.equal(whole.res.body.accepted.counts, 25_920);
  assert.equal(whole.res.body.summary.completed, 4320);
  t.diagnostic(`challenge file (${readFileSync(CHALLENGE).length} bytes, 4,320 minutes) in one request: ${whole.ms.toFixed(0)} ms; longest /health gap ${whole.maxGap.toFixed(0)} ms over ${whole.polls} polls; answer ${whole.res.text.length} bytes`);

  // The largest body the default limits accept: 100,000 rows (50 scopes × 500 minutes × 4 statuses).
  const lines = ['timestamp,status,count,scope'];
  for (let s = 0; s < 50; s++) for (let m = 0; m < 500; m++) for (const st of ['approved', 'denied', 'failed', 'reversed']) {
    lines.push(`${new Date(Date.UTC(2025, 8, 1) + m * 60_000).toISOString()},${st},${st === 'approved' ? 100 + (m % 7) : m % 3},big-${s}`);
  }
  const big = await measure(lines.join('\n'));
  assert.equal(big.res.status, 200, big.res.text.slice(0, 300));
  assert.equal(big.res.body.accepted.counts, 100_000);
  t.diagnostic(`largest default-limit body (${(lines.join('\n').length / 1e6).toFixed(1)} MB, 100,000 rows, 25,000 scope-minutes): ${big.ms.toFixed(0)} ms; longest /health gap ${big.maxGap.toFixed(0)} ms over ${big.polls} polls`);
});
