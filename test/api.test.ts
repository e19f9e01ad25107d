/**
 * Integration tests of the HTTP API: the real service on an ephemeral port, spoken to with fetch,
 * once per store dialect available here.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  get, minuteRows, normalMinute, post, startServer, storeDialects, warmupRows, type FreshStore, type TestServer,
} from './helpers/server.ts';
import { toMinute } from '../src/domain/time.ts';

const T0 = Date.UTC(2025, 6, 1, 10, 0); // 2025-07-01T10:00Z
const min = (i: number) => T0 + i * 60_000;
const iso = (i: number) => new Date(min(i)).toISOString();

for (const dialect of storeDialects()) {
  describe(`ingest encodings (${dialect.name})`, { skip: dialect.skip }, () => {
    let srv: TestServer;
    let fresh: FreshStore;
    before(async () => {
      fresh = await dialect.fresh();
      srv = await startServer({ storeUrl: fresh.url });
    });
    after(async () => {
      await srv?.close();
      await fresh?.drop();
    });
    const counts = async (scope: string, fromMs: number, toMs: number) => {
      const rows = await srv.service.ctx.store.readCounts(scope, toMinute(fromMs), toMinute(toMs));
      return rows.map((r) => `${new Date(r.minute * 60_000).toISOString().slice(11, 16)} ${r.status}=${r.count}`);
    };

    test('one JSON object: stored, no minute completed, provisional view given', async () => {
      const res = await post(srv.url, '/api/v1/transactions', { timestamp: iso(0), status: 'approved', count: 117, scope: 'one' });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.accepted.counts, 1);
      assert.equal(res.body.completed, false);
      assert.deepEqual(res.body.completed_minutes, []);
      assert.equal(res.body.should_alert, false);
      assert.equal(res.body.provisional.length, 1);
      assert.equal(res.body.provisional[0].minute, iso(0));
      assert.equal(res.body.provisional[0].metrics.counts.approved, 117);
      assert.match(res.body.message, /no minute completed/);
      assert.deepEqual(await counts('one', min(0), min(1)), ['10:00 approved=117']);
    });

    test('JSON array: every row stored; a later minute completes the earlier one', async () => {
      const rows = [...minuteRows(min(0), { approved: 100, denied: 5 }, 'arr'), ...minuteRows(min(1), { approved: 110, denied: 6 }, 'arr')];
      const res = await post(srv.url, '/api/v1/transactions', rows);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.accepted.counts, 4);
      assert.equal(res.body.completed, true);
      assert.deepEqual(res.body.completed_minutes, [`arr ${iso(0)}`]);
      assert.deepEqual(res.body.metrics.counts, { approved: 100, denied: 5 });
      assert.deepEqual(await counts('arr', min(0), min(2)), ['10:00 approved=100', '10:00 denied=5', '10:01 approved=110', '10:01 denied=6']);
    });

    test('NDJSON', async () => {
      const body = minuteRows(min(0), { approved: 90, failed: 1 }, 'nd').map((r) => JSON.stringify(r)).join('\n') + '\n';
      const res = await post(srv.url, '/api/v1/transactions', body, { contentType: 'application/x-ndjson' });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.accepted.counts, 2);
      assert.deepEqual(await counts('nd', min(0), min(1)), ['10:00 approved=90', '10:00 failed=1']);
    });

    test('text/csv timestamp,status,count: absent (minute, status) pairs stored as 0', async () => {
      const csv = 'timestamp,status,count\r\n2025-07-01 10:00:00,approved,80\r\n2025-07-01 10:00:00,denied,4\r\n2025-07-01 10:01:00,approved,81\r\n';
      const res = await post(srv.url, '/api/v1/transactions?scope=csv', csv);
      assert.equal(res.status, 200, res.text);
      // A CSV file is a complete record of its minutes: both are evaluated at once.
      assert.equal(res.body.completed, true);
      assert.deepEqual(res.body.completed_minutes, [`csv ${iso(0)}`, `csv ${iso(1)}`]);
      assert.deepEqual(await counts('csv', min(0), min(2)), ['10:00 approved=80', '10:00 denied=4', '10:01 approved=81', '10:01 denied=0']);
    });

    test('CSV export time,status,count with "HHh MM" times and ?date=: missing minutes and statuses are 0', async () => {
      const csv = 'time,status,count\n14h 05,approved,10\n14h 05,denied,2\n14h 07,approved,12\n';
      const res = await post(srv.url, '/api/v1/transactions?date=2025-07-02&scope=exp', csv);
      assert.equal(res.status, 200, res.text);
      const d = Date.UTC(2025, 6, 2, 14, 5);
      assert.deepEqual(await counts('exp', d, d + 3 * 60_000), [
        '14:05 approved=10', '14:05 denied=2', '14:06 approved=0', '14:06 denied=0', '14:07 approved=12', '14:07 denied=0',
      ]);
    });

    test('CSV export time,status,f0_ (BigQuery column name)', async () => {
      const csv = '\uFEFFtime,status,f0_\n09h 00,approved,50\n09h 00,reversed,1\n09h 01,approved,"52"\n';
      const res = await post(srv.url, '/api/v1/transactions?date=2025-07-03&scope=f0', csv, { contentType: 'text/csv; charset=utf-8' });
      assert.equal(res.status, 200, res.text);
      const d = Date.UTC(2025, 6, 3, 9, 0);
      assert.deepEqual(await counts('f0', d, d + 2 * 60_000), ['09:00 approved=50', '09:00 reversed=1', '09:01 approved=52', '09:01 reversed=0']);
    });

    test('auth codes stay text: "00" is stored as "00", in JSON and CSV', async () => {
      const json = await post(srv.url, '/api/v1/auth-codes', [
        { timestamp: iso(0), auth_code: '00', count: 116 },
        { timestamp: iso(0), auth_code: '51', count: 4 },
      ]);
      assert.equal(json.status, 200, json.text);
      assert.equal(json.body.accepted.auth_codes, 2);
      const csv = await post(srv.url, '/api/v1/auth-codes', 'timestamp,auth_code,count\n2025-07-01T10:01:00Z,00,120\n2025-07-01T10:01:00Z,05,3\n');
      assert.equal(csv.status, 200, csv.text);
      const rows = await srv.service.ctx.store.readAuthCodes('all', toMinute(min(0)), toMinute(min(2)));
      assert.deepEqual(rows.map((r) => [r.minute - toMinute(T0), r.authCode, r.count]), [[0, '00', 116], [0, '51', 4], [1, '00', 120], [1, '05', 3]]);
    });

    test('raw transactions are aggregated into minute counts and deduplicated by id', async () => {
      const txs = [
        { id: 'tx-1', timestamp: '2025-07-01T11:00:05Z', status: 'approved', auth_code: '00', amount: 10.5, scope: 'raw' },
        { id: 'tx-2', timestamp: '2025-07-01T11:00:40Z', status: 'approved', auth_code: '00', scope: 'raw' },
        { id: 'tx-3', timestamp: '2025-07-01T11:00:59Z', status: 'denied', auth_code: '51', scope: 'raw' },
      ];
      const first = await post(srv.url, '/api/v1/transactions/raw', txs);
      assert.equal(first.status, 200, first.text);
      assert.deepEqual(first.body.accepted, { counts: 0, auth_codes: 0, raw_accepted: 3, raw_duplicates: 0 });
      // Client retry with one new transaction: only the new one counts.
      const again = await post(srv.url, '/api/v1/transactions/raw', [...txs, { id: 'tx-4', timestamp: '2025-07-01T11:00:30Z', status: 'approved', scope: 'raw' }]);
      assert.equal(again.status, 200, again.text);
      assert.deepEqual(again.body.accepted, { counts: 0, auth_codes: 0, raw_accepted: 1, raw_duplicates: 3 });
      const m = Date.UTC(2025, 6, 1, 11, 0);
      assert.deepEqual(await counts('raw', m, m + 60_000), ['11:00 approved=3', '11:00 denied=1']);
      assert.equal(again.body.provisional[0]?.metrics.counts.approved, 3, 'the provisional view reflects the deduplicated counts');
      const codes = await srv.service.ctx.store.readAuthCodes('raw', toMinute(m), toMinute(m) + 1);
      assert.deepEqual(codes.map((r) => [r.authCode, r.count]), [['00', 2], ['51', 1]]);
      assert.equal((await srv.service.ctx.store.stats()).rawRows, 4);
    });

    test('unknown statuses are accepted and monitored', async () => {
      const rows = [...minuteRows(min(0), { approved: 100, chargeback: 3 }, 'unk'), ...minuteRows(min(1), { approved: 100, chargeback: 2 }, 'unk')];
      const res = await post(srv.url, '/api/v1/transactions', rows);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.metrics.counts.chargeback, 3);
      const metrics = await get(srv.url, '/api/v1/metrics?scope=unk&minutes=5');
      assert.equal(metrics.status, 200);
      assert.equal(metrics.body.totals.chargeback, 5);
      const baseline = await get(srv.url, '/api/v1/baseline?scope=unk');
      assert.ok(baseline.body.series.some((s: { status: string }) => s.status === 'chargeback'), 'chargeback has a baseline series');
    });
  });

  describe(`recommendation, alerts and read endpoints (${dialect.name})`, { skip: dialect.skip }, () => {
    let srv: TestServer;
    let fresh: FreshStore;
    const WARM = 90;
    /** Last of the quiet minutes posted after the spike. */
    const LAST = WARM + 15;
    before(async () => {
      fresh = await dialect.fresh();
      srv = await startServer({ storeUrl: fresh.url });
    });
    after(async () => {
      await srv?.close();
      await fresh?.drop();
    });

    test('warm-up minutes are judged normal', async () => {
      const res = await post(srv.url, '/api/v1/transactions', warmupRows(T0, WARM));
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.accepted.counts, WARM * 6);
      // The last minute waits for a later one (watermark) or the grace period.
      assert.equal(res.body.minutes.length, WARM - 1);
      assert.equal(res.body.should_alert, false, res.body.message);
      assert.equal(res.body.severity, 'none');
      assert.equal((await srv.service.ctx.store.stats()).alerts, 0);
    });

    test('an obviously anomalous minute (failed 40) answers should_alert with a failed finding', async () => {
      const spike = { ...normalMinute(WARM), failed: 40 };
      const res = await post(srv.url, '/api/v1/transactions', minuteRows(min(WARM), spike));
      assert.equal(res.status, 200, res.text);
      const r = res.body;
      assert.equal(r.completed, true);
      // The pending last warm-up minute (watermark) and the spike (every status in one batch).
      assert.deepEqual(r.completed_minutes, [`all ${iso(WARM - 1)}`, `all ${iso(WARM)}`]);
      assert.equal(r.should_alert, true);
      assert.equal(r.severity, 'critical');
      assert.ok(r.anomaly_score >= 70 && r.anomaly_score <= 100, `score ${r.anomaly_score}`);
      assert.equal(r.metrics.counts.failed, 40);
      const total = Object.values(spike).reduce((a, b) => a + b, 0);
      assert.equal(r.metrics.total, total);
      assert.ok(Math.abs(r.metrics.shares.failed - 40 / total) < 1e-9);
      // One item per problem: failed_high carries every test that saw it as evidence.
      const failed = r.alerts.filter((a: { status: string }) => a.status === 'failed');
      assert.equal(failed.length, 1, 'one alert item for the failed problem');
      assert.equal(failed[0].rule, 'failed_high');
      assert.equal(failed[0].direction, 'up');
      for (const a of r.alerts) {
        for (const k of ['rule', 'metric', 'status', 'severity', 'score', 'observed', 'expected', 'test', 'message', 'evidence']) assert.ok(k in a, `alert item has ${k}`);
        assert.equal(typeof a.message, 'string');
        for (const e of a.evidence) assert.ok(e.threshold !== null || e.band !== null, 'threshold or band');
      }
      const evidence = failed[0].evidence;
      assert.ok(evidence.length >= 2, 'a rule and a statistical test both see it');
      const rule = evidence.find((a: { metric: string; threshold: number | null }) => a.metric === 'count' && a.threshold !== null);
      assert.ok(rule, 'static count rule on failed');
      assert.equal(rule.severity, 'critical');
      assert.equal(rule.observed, 40);
      const z = evidence.find((a: { band: unknown }) => a.band !== null);
      assert.ok(z, 'statistical finding on failed with a band');
      assert.ok(z.expected < 1, `failed expected ${z.expected}`);
      assert.ok(z.observed > z.expected, 'a rise observes more than expected');
      assert.match(r.message, /ALERT \(critical\)/);
    });

    test('re-posting the same minute is idempotent: same counts, no second alert', async () => {
      const before = await srv.service.ctx.store.stats();
      const alertsBefore = (await get(srv.url, '/api/v1/alerts')).body.count;
      const spike = { ...normalMinute(WARM), failed: 40 };
      const res = await post(srv.url, '/api/v1/transactions', minuteRows(min(WARM), spike));
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.completed, false);
      assert.deepEqual(res.body.late_minutes, [{ scope: 'all', minute: iso(WARM) }]);
      assert.match(res.body.message, /late minute/);
      const after = await srv.service.ctx.store.stats();
      assert.deepEqual(after, before);
      assert.equal((await get(srv.url, '/api/v1/alerts')).body.count, alertsBefore);
      const rows = await srv.service.ctx.store.readCounts('all', toMinute(min(WARM)), toMinute(min(WARM)) + 1);
      assert.equal(rows.find((x) => x.status === 'failed')?.count, 40);
    });

    test('a partial minute completes nothing and gives the provisional view', async () => {
      const res = await post(srv.url, '/api/v1/transactions', { timestamp: iso(WARM + 1), status: 'approved', count: 60 });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.completed, false);
      assert.equal(res.body.minutes.length, 0);
      assert.equal(res.body.provisional.length, 1);
      assert.equal(res.body.provisional[0].minute, iso(WARM + 1));
      assert.equal(res.body.metrics.counts.approved, 60);
      assert.equal(res.body.metrics.counts.failed, 0);
    });

    test('quiet minutes resolve the failed alerts', async () => {
      // Complete minute WARM+1, then more normal minutes, each with every status.
      for (let i = WARM + 1; i <= LAST; i++) {
        const res = await post(srv.url, '/api/v1/transactions', minuteRows(min(i), normalMinute(i)));
        assert.equal(res.status, 200, res.text);
        assert.equal(res.body.completed, true);
      }
      const open = await get(srv.url, '/api/v1/alerts?state=open');
      assert.ok(!open.body.alerts.some((a: { labels: { status: string } }) => a.labels.status === 'failed'), 'no failed alert left open');
    });

    test('GET /api/v1/alerts with filters', async () => {
      const all = await get(srv.url, '/api/v1/alerts');
      assert.equal(all.status, 200);
      const failed = all.body.alerts.filter((a: { labels: { status: string } }) => a.labels.status === 'failed');
      assert.ok(failed.length >= 1);
      for (const a of failed) {
        assert.equal(a.state, 'resolved');
        assert.equal(a.starts_at, iso(WARM));
        // Ends with the last anomalous minute of its series: the spike, or a few minutes of
        // after-effect (e.g. a CUSUM still above its limit).
        assert.ok(a.ends_at >= iso(WARM + 1) && a.ends_at <= iso(WARM + 10), `ends_at ${a.ends_at}`);
      }
      const resolved = await get(srv.url, '/api/v1/alerts?state=resolved');
      assert.ok(resolved.body.alerts.every((a: { state: string }) => a.state === 'resolved'));
      assert.ok(resolved.body.count >= failed.length);
      const alias = await get(srv.url, '/api/v1/alerts?status=resolved');
      assert.equal(alias.body.count, resolved.body.count, 'status= is an alias of state=');
      assert.equal((await get(srv.url, '/api/v1/alerts?state=firing')).body.alerts.filter((a: { state: string }) => a.state !== 'firing').length, 0);
      const critical = await get(srv.url, '/api/v1/alerts?severity=critical');
      assert.ok(critical.body.count >= 1);
      assert.ok(critical.body.alerts.every((a: { severity: string }) => a.severity === 'critical'));
      const before = await get(srv.url, `/api/v1/alerts?to=${encodeURIComponent(iso(WARM))}`);
      assert.equal(before.body.alerts.filter((a: { labels: { status: string } }) => a.labels.status === 'failed').length, 0, 'ended before the window');
      const during = await get(srv.url, `/api/v1/alerts?from=${encodeURIComponent(iso(WARM))}&to=${encodeURIComponent(iso(WARM + 1))}`);
      assert.ok(during.body.alerts.some((a: { labels: { status: string } }) => a.labels.status === 'failed'));
      const later = await get(srv.url, `/api/v1/alerts?from=${encodeURIComponent(iso(WARM + 30))}`);
      assert.equal(later.body.alerts.filter((a: { labels: { status: string } }) => a.labels.status === 'failed').length, 0, 'resolved before the window');
      const limited = await get(srv.url, '/api/v1/alerts?limit=1');
      assert.equal(limited.body.count, 1);
    });

    test('bad alert filters answer 400 TXMON_ERR_BAD_PARAMETER naming the parameter', async () => {
      for (const [q, field] of [['severity=bogus', 'severity'], ['state=open-ish', 'state'], ['from=yesterday', 'from'], ['to=2025-13-01', 'to'], ['limit=-1', 'limit'], ['limit=abc', 'limit']]) {
        const res = await get(srv.url, `/api/v1/alerts?${q}`);
        assert.equal(res.status, 400, q);
        assert.equal(res.body.error.code, 'TXMON_ERR_BAD_PARAMETER', q);
        assert.match(res.body.error.message, new RegExp(`"${field}"`), q);
      }
    });

    test('GET /api/v1/alerts/:id gives the alert with its history', async () => {
      const list = await get(srv.url, '/api/v1/alerts?state=resolved');
      const failed = list.body.alerts.find((a: { labels: { status: string } }) => a.labels.status === 'failed');
      const one = await get(srv.url, `/api/v1/alerts/${failed.id}`);
      assert.equal(one.status, 200);
      assert.equal(one.body.id, failed.id);
      assert.equal(one.body.rule, failed.rule);
      assert.deepEqual(one.body.history.map((h: { from: string | null; to: string }) => [h.from, h.to]), [[null, 'firing'], ['firing', 'resolved']]);
      assert.equal(one.body.history[0].at, iso(WARM + 1));
      assert.ok(one.body.history[1].at > one.body.ends_at, 'resolved after keep_firing_for quiet minutes');
      assert.equal((await get(srv.url, '/api/v1/alerts/999999')).status, 404);
      const bad = await get(srv.url, '/api/v1/alerts/abc');
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.code, 'TXMON_ERR_BAD_PARAMETER');
    });

    test('GET /api/v1/metrics: current counts, shares and rates over the last N minutes', async () => {
      const res = await get(srv.url, '/api/v1/metrics?minutes=5');
      assert.equal(res.status, 200);
      assert.equal(res.body.scope, 'all');
      assert.equal(res.body.latest_minute, iso(LAST));
      assert.equal(res.body.series.length, 5);
      let approved = 0, total = 0;
      for (let i = LAST - 4; i <= LAST; i++) {
        const c = normalMinute(i);
        approved += c.approved;
        total += Object.values(c).reduce((a, b) => a + b, 0);
      }
      assert.equal(res.body.totals.approved, approved);
      assert.equal(res.body.total, total);
      assert.ok(Math.abs(res.body.shares.approved - approved / total) < 1e-9);
      assert.ok(Math.abs(res.body.rates_per_minute.approved - approved / 5) < 1e-9);
      assert.deepEqual(res.body.current.counts, normalMinute(LAST));
      const bad = await get(srv.url, '/api/v1/metrics?minutes=0');
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.code, 'TXMON_ERR_BAD_PARAMETER');
    });

    test('GET /api/v1/baseline: what each series expects now', async () => {
      const res = await get(srv.url, '/api/v1/baseline');
      assert.equal(res.status, 200);
      assert.equal(res.body.last_evaluated.all, iso(LAST));
      const approved = res.body.series.find((s: { metric: string; status: string }) => s.metric === 'count' && s.status === 'approved');
      assert.ok(approved, 'approved count series');
      assert.equal(approved.direction, 'down');
      assert.equal(approved.ready, true);
      assert.ok(approved.history >= 30, `history ${approved.history}`);
      assert.ok(approved.expected > 100 && approved.expected < 130, `approved expected ${approved.expected}`);
      assert.ok(approved.band[0] < approved.expected && approved.expected < approved.band[1]);
      const failed = res.body.series.find((s: { metric: string; status: string }) => s.metric === 'count' && s.status === 'failed');
      assert.equal(failed.expected, 0, 'the spike did not teach the baseline');
    });

    test('GET /health', async () => {
      const res = await get(srv.url, '/health');
      assert.equal(res.status, 200);
      assert.equal(res.body.status, 'ok');
      assert.equal(res.body.store.reachable, true);
      assert.equal(res.body.store.dialect, dialect.name);
      assert.equal(res.body.auth, 'open');
      assert.equal(res.body.minutes_evaluated, LAST + 1);
    });

    test('GET /metrics: Prometheus exposition', async () => {
      const res = await get(srv.url, '/metrics');
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
      assert.match(res.text, /^txmon_rows_ingested_total\{kind="counts"\} \d+$/m);
      assert.match(res.text, new RegExp(`^txmon_minutes_evaluated_total ${LAST + 1}$`, 'm'));
      assert.match(res.text, /^txmon_alerts_total\{severity="critical"\} [1-9]\d*$/m);
      assert.match(res.text, /^txmon_http_request_duration_seconds_bucket\{.*route="\/api\/v1\/transactions".*\} \d+$/m);
    });

    test('/docs serves the OpenAPI UI and /docs/json the document', async () => {
      const ui = await get(srv.url, '/docs');
      assert.equal(ui.status, 200);
      assert.match(ui.text, /swagger/i);
      const doc = await get(srv.url, '/docs/json');
      assert.equal(doc.status, 200);
      assert.match(doc.body.openapi, /^3\./);
      for (const p of ['/api/v1/transactions', '/api/v1/auth-codes', '/api/v1/transactions/raw', '/api/v1/alerts', '/api/v1/alerts/{id}', '/api/v1/metrics', '/api/v1/baseline', '/health', '/metrics']) {
        assert.ok(doc.body.paths[p], `OpenAPI documents ${p}`);
      }
    });

    test('unknown route: 404 TXMON_ERR_NOT_FOUND', async () => {
      const res = await get(srv.url, '/api/v1/nope');
      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, 'TXMON_ERR_NOT_FOUND');
    });
  });
}

describe('access control (issue #2 item 11)', () => {
  const READ = 'read-token-0123456789';
  const INGEST = 'ingest-token-0123456789';
  const ADMIN = 'admin-token-0123456789';
  const row = { timestamp: iso(0), status: 'approved', count: 1 };

  test('without tokens the service is open and listens on 127.0.0.1 only', async () => {
    const srv = await startServer();
    try {
      const addr = srv.service.app.server.address();
      assert.ok(addr && typeof addr === 'object');
      assert.equal(addr.address, '127.0.0.1');
      assert.match(srv.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal((await post(srv.url, '/api/v1/transactions', row)).status, 200);
      assert.equal((await get(srv.url, '/health')).body.auth, 'open');
    } finally {
      await srv.close();
    }
  });

  test('with tokens from the config: ingest needs an ingest or admin token, reads accept a read token', async () => {
    const srv = await startServer({ config: { auth: { tokens: [{ token: READ, role: 'read', name: 'dash' }, { token: INGEST, role: 'ingest' }, { token: ADMIN, role: 'admin' }] } } });
    try {
      const addr = srv.service.app.server.address();
      assert.equal(typeof addr === 'object' && addr ? addr.address : null, '0.0.0.0', 'protected: listens on every interface by default');
      const statsBefore = await srv.service.ctx.store.stats();
      const none = await post(srv.url, '/api/v1/transactions', row);
      assert.equal(none.status, 401);
      assert.equal(none.body.error.code, 'TXMON_ERR_UNAUTHORIZED');
      assert.match(none.body.error.message, /missing Authorization header/);
      const wrong = await post(srv.url, '/api/v1/transactions', row, { token: 'not-a-valid-token-at-all' });
      assert.equal(wrong.status, 401);
      assert.match(wrong.body.error.message, /invalid API token/);
      const almost = await post(srv.url, '/api/v1/transactions', row, { token: INGEST.slice(0, -1) + 'X' });
      assert.equal(almost.status, 401);
      const malformed = await fetch(srv.url + '/api/v1/transactions', { method: 'POST', headers: { authorization: `Basic ${INGEST}`, 'content-type': 'application/json' }, body: JSON.stringify(row) });
      assert.equal(malformed.status, 401);
      const readOnly = await post(srv.url, '/api/v1/transactions', row, { token: READ });
      assert.equal(readOnly.status, 403);
      assert.equal(readOnly.body.error.code, 'TXMON_ERR_FORBIDDEN');
      assert.match(readOnly.body.error.message, /token "dash" has role read; this endpoint needs ingest/);
      assert.deepEqual(await srv.service.ctx.store.stats(), statsBefore, 'refused requests store nothing');
      // A bad body from someone without a token is refused before it is even parsed.
      assert.equal((await post(srv.url, '/api/v1/transactions', '{broken', { contentType: 'application/json' })).status, 401);

      assert.equal((await post(srv.url, '/api/v1/transactions', row, { token: INGEST })).status, 200);
      assert.equal((await post(srv.url, '/api/v1/auth-codes', { timestamp: iso(0), auth_code: '00', count: 1 }, { token: ADMIN })).status, 200);

      for (const path of ['/api/v1/alerts', '/api/v1/metrics', '/api/v1/baseline', '/metrics']) {
        assert.equal((await get(srv.url, path)).status, 401, `${path} without a token`);
        assert.equal((await get(srv.url, path, { token: READ })).status, 200, `${path} with a read token`);
        assert.equal((await get(srv.url, path, { token: INGEST })).status, 200, `${path} with an ingest token`);
      }
      const health = await get(srv.url, '/health');
      assert.equal(health.status, 200, 'liveness stays open for load balancers');
      assert.equal(health.body.auth, 'tokens');
    } finally {
      await srv.close();
    }
  });

  test('tokens from TXMON_API_TOKENS work the same way', async () => {
    const srv = await startServer({ env: { TXMON_API_TOKENS: `${READ}:read,${INGEST}:ingest:ci` }, host: '127.0.0.1' });
    try {
      assert.equal((await post(srv.url, '/api/v1/transactions', row)).status, 401);
      assert.equal((await post(srv.url, '/api/v1/transactions', row, { token: READ })).status, 403);
      assert.equal((await post(srv.url, '/api/v1/transactions', row, { token: INGEST })).status, 200);
      assert.equal((await get(srv.url, '/api/v1/alerts', { token: READ })).status, 200);
    } finally {
      await srv.close();
    }
  });
});
