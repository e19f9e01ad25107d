import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Alert } from '../domain/types.ts';
import type { OutboxRow } from '../store/notifyStore.ts';
import { evidenceOf, notifiedRows, roundForPeople, roundNumbersInText, seriesOfAlert } from './alertPage.ts';

const alert = (over: Partial<Alert> = {}): Alert => ({
  id: 7, fingerprint: 'fp1', rule: 'failed_high', labels: { alertname: 'failed_high', scope: 'all', status: 'failed' }, state: 'firing',
  severity: 'critical', score: 98.64, observed: 60, expected: 12.3456, summary: 'failed 60 vs expected 12.3456', explanation: 'count test: expected 12.3456 (band 5.01234–20.98765)',
  startsAt: 0, endsAt: null, updatedAt: 0, lastMinute: 0, ...over,
});

test('numbers for people: about three significant digits, exponents untouched', () => {
  assert.equal(roundForPeople(164.7333), '165');
  assert.equal(roundForPeople(12.345), '12.3');
  assert.equal(roundForPeople(3.14159), '3.14');
  assert.equal(roundForPeople(0.048123), '0.0481');
  assert.equal(roundNumbersInText('expected 164.7333 (band 120.25–201.999), p = 1.4e-17'), 'expected 165 (band 120.25–202), p = 1.4e-17');
});

test('the series an alert is about', () => {
  assert.deepEqual(seriesOfAlert(alert()), { metric: 'count', status: 'failed' });
  assert.deepEqual(seriesOfAlert(alert({ rule: 'sales_low', labels: { alertname: 'sales_low', scope: 'all', status: 'approved' } })), { metric: 'count', status: 'approved' });
  assert.deepEqual(seriesOfAlert(alert({ rule: 'no_data', labels: { alertname: 'no_data', scope: 'all' } })), { metric: 'total', status: 'total' });
});

test('evidence in words with rounded numbers and the ratio', () => {
  const ev = Object.fromEntries(evidenceOf(alert()).map((e) => [e.label, e.value]));
  assert.equal(ev.summary, 'failed 60 vs expected 12.3');
  assert.equal(ev.why, 'count test: expected 12.3 (band 5.01–21)');
  assert.equal(ev.expected, '12.3');
  assert.equal(ev.ratio, '4.86× the expected value');
  assert.equal(ev['anomaly score'], '99 of 100');
  assert.equal(Object.fromEntries(evidenceOf(alert({ expected: null })).map((e) => [e.label, e.value])).expected, 'no expectation (rule alert)');
});

test('receivers notified: the outbox rows that carried the alert, oldest first', () => {
  const row = (id: string, receiver: string, fps: string[], createdAt: number, state: OutboxRow['state'], deliveredAt: number | null): OutboxRow => ({
    id, receiver, payload: { receiver: receiver.split('/')[0], status: 'firing', alerts: fps.map((fingerprint) => ({ fingerprint })) },
    createdAt, nextAttemptAt: createdAt, attempts: 1, state, lastError: null, deliveredAt, firstAttemptAt: createdAt,
  } as OutboxRow);
  const rows = [row('2', 'ops/slack[0]', ['fp1', 'fp2'], 2000, 'delivered', 2500), row('1', 'ops/webhook[0]', ['fp1'], 1000, 'pending', null), row('3', 'ops/slack[0]', ['fp9'], 3000, 'delivered', 3100)];
  const out = notifiedRows(rows, 'fp1');
  assert.deepEqual(out.map((r) => [r.integration, r.state, r.delivered_at]), [['ops/webhook[0]', 'pending', null], ['ops/slack[0]', 'delivered', new Date(2500).toISOString()]]);
});
