import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TxmonMetrics } from './promMetrics.ts';

async function series(m: TxmonMetrics, name: string): Promise<Record<string, number>> {
  const text = await m.registry.metrics();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (match && match[1] === name) out[match[2] ?? ''] = Number(match[3]);
  }
  return out;
}

const assessment = (scope: string, minute: number, counts: Record<string, number>, anomalyScore = 0) => ({
  scope, minute, anomalyScore, severity: 'none' as const, findings: [], explanation: '', hasData: true,
  metrics: { total: Object.values(counts).reduce((a, b) => a + b, 0), counts, shares: {} } as never,
});

test('txmon_transactions_total counts each transaction once: a re-post moves it by the positive difference only', async () => {
  const m = new TxmonMetrics();
  m.business.written('pos1', 100, [['approved', 100], ['denied', 5]]);
  m.business.written('pos1', 100, [['approved', 100]]); // the same minute again
  m.business.written('pos1', 100, [['approved', 120]]); // corrected upwards: +20
  m.business.written('pos1', 100, [['approved', 90]]); // corrected down: a counter never goes down
  m.business.written('pos1', 100, [['approved', 120]]); // back to what was counted: nothing new
  m.business.written('pos1', 101, [['approved', 7]]);
  assert.deepEqual(await series(m, 'txmon_transactions_total'), {
    '{scope="pos1",status="approved"}': 127,
    '{scope="pos1",status="denied"}': 5,
  });
});

test('rows older than the window behind the newest minute do not move the counter; seeded minutes are not counted again', async () => {
  const m = new TxmonMetrics({ windowMinutes: 10 });
  m.business.seed('s', 1000, 'approved', 50);
  m.business.written('s', 1000, [['approved', 50]]);
  assert.equal((await series(m, 'txmon_transactions_total'))['{scope="s",status="approved"}'], 0);
  m.business.written('s', 1000, [['approved', 60]]);
  m.business.written('s', 980, [['approved', 1000]]); // a backfill of old history
  assert.equal((await series(m, 'txmon_transactions_total'))['{scope="s",status="approved"}'], 10);
});

test('the series cap keeps the first scope × status pairs and counts the rest as dropped', async () => {
  const m = new TxmonMetrics({ maxSeries: 2 });
  m.business.written('a', 1, [['approved', 1], ['denied', 1], ['failed', 1]]);
  m.business.written('b', 1, [['approved', 1]]);
  assert.deepEqual(Object.keys(await series(m, 'txmon_transactions_total')).sort(), ['{scope="a",status="approved"}', '{scope="a",status="denied"}']);
  assert.deepEqual(await series(m, 'txmon_business_series'), { '': 2 });
  assert.deepEqual(await series(m, 'txmon_business_series_dropped_total'), { '': 2 });
});

test('evaluated minute: observed, expected band, share and anomaly score; a status absent from the minute reads 0', async () => {
  const m = new TxmonMetrics();
  m.business.evaluated(assessment('all', 60, { approved: 90, denied: 10 }, 42), [{ status: 'approved', expected: 100, low: 70, high: 130 }]);
  m.business.evaluated(assessment('all', 61, { approved: 80 }, 3), null);
  assert.deepEqual(await series(m, 'txmon_observed_transactions'), { '{scope="all",status="approved"}': 80, '{scope="all",status="denied"}': 0 });
  assert.deepEqual(await series(m, 'txmon_status_share'), { '{scope="all",status="approved"}': 1, '{scope="all",status="denied"}': 0 });
  assert.deepEqual(await series(m, 'txmon_expected_transactions_upper'), { '{scope="all",status="approved"}': 130 });
  assert.deepEqual(await series(m, 'txmon_anomaly_score'), { '{scope="all"}': 3 });
  assert.deepEqual(await series(m, 'txmon_last_evaluated_timestamp_seconds'), { '{scope="all"}': 3660 });
});

test('default Node metrics keep their standard names and txmon_alerts_active is present at zero', async () => {
  const m = new TxmonMetrics();
  const text = await m.registry.metrics();
  assert.match(text, /^process_cpu_seconds_total /m);
  assert.match(text, /^nodejs_heap_size_total_bytes /m);
  assert.doesNotMatch(text, /txmon_process_/);
  const active = await series(m, 'txmon_alerts_active');
  assert.equal(Object.keys(active).length, 6);
  assert.ok(Object.values(active).every((v) => v === 0));
  m.setAlertsActive([{ state: 'firing', severity: 'critical' }, { state: 'firing', severity: 'critical' }]);
  assert.equal((await series(m, 'txmon_alerts_active'))['{state="firing",severity="critical"}'], 2);
});

test('removing a scope removes every series of it and frees its pairs under the cap', async () => {
  const m = new TxmonMetrics({ maxSeries: 2 });
  m.business.written('a', 1, [['approved', 3]]);
  m.business.evaluated(assessment('a', 1, { approved: 3 }, 7), [{ status: 'approved', expected: 3, low: 0, high: 9 }]);
  m.business.written('b', 1, [['approved', 4]]);
  m.business.removeScope('a');
  for (const name of ['txmon_transactions_total', 'txmon_observed_transactions', 'txmon_expected_transactions', 'txmon_status_share', 'txmon_anomaly_score']) {
    assert.ok(!Object.keys(await series(m, name)).some((k) => k.includes('scope="a"')), `${name} has no series of scope a`);
  }
  assert.deepEqual(await series(m, 'txmon_business_series'), { '': 1 });
  m.business.written('c', 1, [['approved', 5]]);
  assert.deepEqual(await series(m, 'txmon_transactions_total'), { '{scope="b",status="approved"}': 4, '{scope="c",status="approved"}': 5 });
});
