/**
 * Retention (issue #13 item 11) on every dialect: old minute counts, auth-code counts, raw
 * transactions, assessments and resolved alerts (with their history) are deleted in batches;
 * newer rows, open alerts and the outbox stay. The service validates the windows and prunes on
 * its clock; ingest keeps working while pruning runs.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Alert, Assessment } from '../src/domain/types.ts';
import { testDialects, reportSkippedPostgres } from '../src/store/postgres/testing.ts';
import { pruneAll, type RetentionPolicy } from '../src/store/retention.ts';
import { resolveConfig } from '../src/config/config.ts';
import { post, startServer, warmupRows } from './helpers/server.ts';

const DAY = 1440;
const NOW = Date.UTC(2026, 0, 1);
const NOW_MIN = NOW / 60_000;
const min = (daysAgo: number, k = 0) => NOW_MIN - daysAgo * DAY + k;

function assessment(scope: string, minute: number): Assessment {
  return { scope, minute, anomalyScore: 1, severity: 'none', hasData: true, findings: [], explanation: 'ok', metrics: { total: 1, counts: { approved: 1 }, shares: { approved: 1 } } };
}

function alert(fingerprint: string, state: Alert['state'], endedDaysAgo: number | null): Alert {
  const end = endedDaysAgo === null ? null : NOW - endedDaysAgo * 86_400_000;
  return {
    id: 0, fingerprint, rule: 'failed_high', labels: { scope: 'all', status: 'failed' }, state, severity: 'warning', score: 50, observed: 10, expected: 2,
    summary: 's', explanation: 'e', startsAt: (end ?? NOW) - 3_600_000, endsAt: end, updatedAt: end ?? NOW, lastMinute: Math.floor(((end ?? NOW) - 60_000) / 60_000),
  };
}

const POLICY: RetentionPolicy = { days: { minute_counts: 30, auth_code_counts: 30, raw_transactions: 7, assessments: 30, alerts: 90 }, batchSize: 7, pauseMs: 0 };

reportSkippedPostgres();

for (const d of testDialects()) {
  describe(`retention on ${d.dialect}`, () => {
    test('old rows of every kind go in batches; newer rows, open alerts and history of kept alerts stay', async (t) => {
      const { store, dispose } = await d.open();
      t.after(dispose);
      // 40 old and 10 recent minutes of counts, codes and assessments; raw transactions 10 and 3 days old.
      const counts = [], codes = [], assessments = [];
      for (const [daysAgo, n] of [[45, 40], [1, 10]] as const) {
        for (let k = 0; k < n; k++) {
          counts.push({ scope: 'all', minute: min(daysAgo, k), status: 'approved', count: 5 }, { scope: 'pos-1', minute: min(daysAgo, k), status: 'denied', count: 1 });
          codes.push({ scope: 'all', minute: min(daysAgo, k), authCode: '00', count: 5 });
          assessments.push(assessment('all', min(daysAgo, k)));
        }
      }
      const raw = [10, 10, 10, 3, 3].map((daysAgo, i) => ({ id: `r${i}`, scope: 'all', minute: min(daysAgo, i), at: min(daysAgo, i) * 60_000, status: 'approved' }));
      await store.writeBatch({ counts, authCodes: codes, raw });
      await store.saveEvaluation(assessments, [
        { alert: alert('old-resolved', 'resolved', 100), transition: { from: null, to: 'firing', at: NOW - 101 * 86_400_000, note: 'x' } },
        { alert: alert('new-resolved', 'resolved', 10), transition: { from: null, to: 'firing', at: NOW - 11 * 86_400_000, note: 'x' } },
        { alert: alert('old-open', 'firing', null), transition: { from: null, to: 'firing', at: NOW - 200 * 86_400_000, note: 'x' } },
      ]);
      const before = await store.stats();

      const reports = await pruneAll(store, POLICY, NOW);
      const by = Object.fromEntries(reports.map((r) => [r.kind, r]));
      // 40 old minutes × 2 scopes; the raw transactions of 10 days ago added counts that are kept (< 30 days).
      assert.equal(by.minute_counts.deleted, 80);
      assert.ok(by.minute_counts.batches > 1, 'deleted in several batches');
      const after = await store.stats();
      assert.equal(after.countRows, before.countRows - by.minute_counts.deleted);
      assert.equal((await store.readCounts('all', 0, NOW_MIN + 1)).filter((r) => r.minute < min(30)).length, 0, 'no count older than 30 days');
      assert.equal((await store.readCounts('all', min(1), NOW_MIN)).length, 10, 'recent counts kept');
      assert.equal(by.auth_code_counts.deleted, 40);
      assert.equal((await store.readAuthCodes('all', min(1), NOW_MIN)).length, 10);
      assert.equal(by.raw_transactions.deleted, 3);
      assert.equal(after.rawRows, 2);
      assert.equal(by.assessments.deleted, 40);
      assert.equal(after.assessments, 10);
      assert.equal(by.alerts.deleted, 1);
      const left = await store.listAlerts({});
      assert.deepEqual(left.map((a) => a.fingerprint).sort(), ['new-resolved', 'old-open']);
      for (const a of left) assert.equal((await store.alertHistory(a.id)).length, 1, 'history of kept alerts stays');
      // Idempotent: a second run finds nothing.
      assert.deepEqual((await pruneAll(store, POLICY, NOW)).map((r) => r.deleted), [0, 0, 0, 0, 0]);
      // 0 days = keep forever.
      const forever = await pruneAll(store, { ...POLICY, days: { minute_counts: 0, auth_code_counts: 0, raw_transactions: 0, assessments: 0, alerts: 0 } }, NOW + 1000 * 86_400_000);
      assert.deepEqual(forever, []);
    });
  });
}

test('retention config: defaults, 0 = forever, assessments must outlive counts, counts must cover the detection history', async () => {
  const c = resolveConfig({});
  assert.deepEqual(c.retention.days, { minute_counts: 90, auth_code_counts: 90, raw_transactions: 30, assessments: 90, alerts: 365 });
  assert.equal(c.retention.batchSize, 5000);
  assert.throws(() => resolveConfig({ retention: { minute_counts_days: 100, assessments_days: 90 } }), /assessments_days \(90\) must be at least retention\.minute_counts_days \(100\)/);
  assert.throws(() => resolveConfig({ retention: { minute_counts_days: 0, assessments_days: 90 } }), /must be at least/);
  await assert.rejects(startServer({ config: { retention: { minute_counts_days: 3, assessments_days: 3 } } }), /retention\.minute_counts_days must be 0 \(forever\) or at least 15/);
});

test('the service prunes on its clock while ingest goes on', async (t) => {
  const srv = await startServer({ clockStart: Date.UTC(2025, 6, 1), config: { retention: { raw_transactions_days: 1, batch_size: 2, pause_ms: 1 } } });
  t.after(() => srv.close());
  const rows = Array.from({ length: 9 }, (_, i) => ({ id: `t${i}`, timestamp: new Date(Date.UTC(2025, 5, 29, 10, i)).toISOString(), status: 'approved' }));
  assert.equal((await post(srv.url, '/api/v1/transactions/raw', rows)).status, 200);
  const pruning = srv.service.prune();
  const during = await post(srv.url, '/api/v1/transactions', warmupRows(Date.UTC(2025, 5, 30, 23, 0), 5));
  assert.equal(during.status, 200, 'ingest answers while pruning runs');
  const reports = await pruning;
  const raw = reports.find((r) => r.kind === 'raw_transactions')!;
  assert.equal(raw.deleted, 9);
  assert.equal(raw.batches, 5);
  assert.equal((await srv.service.ctx.store.stats()).rawRows, 0);
  assert.ok((await srv.service.ctx.store.stats()).countRows > 0, 'counts (90 days) kept');
});
