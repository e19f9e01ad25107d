import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Alert } from '../domain/types.ts';
import { buildNotification, formatNumber, notificationId, notificationSeverity, toNotifiedAlert, ZERO_TIME } from './types.ts';

const alert: Alert = {
  id: 17, fingerprint: 'fp1', rule: 'failed_high', labels: { scope: 'all', status: 'failed' }, state: 'firing', severity: 'critical',
  score: 97.123, observed: 42, expected: 3.14159, summary: 'failed 42/min', explanation: 'far above expected', startsAt: Date.parse('2025-07-15T14:05:00Z'),
  endsAt: null, updatedAt: 0, lastMinute: 0,
};

test('toNotifiedAlert maps a domain alert like Alertmanager (alertname, severity labels; zero endsAt while open)', () => {
  const n = toNotifiedAlert(alert, { externalUrl: 'http://t:8080' });
  assert.deepEqual(n.labels, { scope: 'all', status: 'failed', alertname: 'failed_high', severity: 'critical' });
  assert.equal(n.status, 'firing');
  assert.equal(n.endsAt, ZERO_TIME);
  assert.equal(n.startsAt, '2025-07-15T14:05:00.000Z');
  assert.equal(n.generatorURL, 'http://t:8080/alerts/17');
  assert.deepEqual([n.annotations.observed, n.annotations.expected, n.annotations.score], ['42', '3.142', '97.12']);
  const r = toNotifiedAlert({ ...alert, state: 'resolved', endsAt: Date.parse('2025-07-15T14:30:00Z') }, { externalUrl: 'http://t' });
  assert.deepEqual([r.status, r.endsAt], ['resolved', '2025-07-15T14:30:00.000Z']);
  assert.equal(formatNumber(null), 'n/a');
});

test('buildNotification: status, common labels, deterministic order, stable id, truncation', () => {
  const a = toNotifiedAlert(alert, { externalUrl: 'http://t' });
  const b = toNotifiedAlert({ ...alert, fingerprint: 'fp2', severity: 'warning', labels: { scope: 'all', status: 'denied' } }, { externalUrl: 'http://t' });
  const c = toNotifiedAlert({ ...alert, fingerprint: 'fp3', state: 'resolved', endsAt: alert.startsAt + 60_000 }, { externalUrl: 'http://t' });
  const input = { receiver: 'oncall', groupKey: 'k', groupLabels: { scope: 'all', alertname: 'failed_high' }, externalUrl: 'http://t/' };
  const n1 = buildNotification({ ...input, alerts: [c, b, a] });
  const n2 = buildNotification({ ...input, alerts: [a, b, c] });
  assert.equal(n1.status, 'firing');
  assert.deepEqual(n1.alerts.map((x) => x.fingerprint), ['fp1', 'fp2', 'fp3'], 'firing first, most severe first');
  assert.deepEqual(n1, n2, 'input order does not matter');
  assert.deepEqual(n1.commonLabels, { alertname: 'failed_high', scope: 'all' });
  assert.deepEqual(Object.keys(n1.groupLabels), ['alertname', 'scope']);
  assert.equal(n1.externalUrl, 'http://t');
  assert.equal(notificationSeverity(n1), 'critical');
  assert.equal(buildNotification({ ...input, alerts: [c] }).status, 'resolved');
  assert.notEqual(buildNotification({ ...input, alerts: [a, b] }).id, n1.id, 'different alert set, different id');
  assert.notEqual(buildNotification({ ...input, alerts: [a, b, c], seq: 2 }).id, n1.id, 'a deliberate repeat gets a new id');
  assert.notEqual(notificationId('oncall', 'k', [{ status: 'firing', fingerprint: 'x' }]), notificationId('oncall', 'k', [{ status: 'resolved', fingerprint: 'x' }]));
  const t = buildNotification({ ...input, alerts: [a, b, c], maxAlerts: 2 });
  assert.deepEqual([t.alerts.length, t.truncatedAlerts, t.id], [2, 1, n1.id]);
});
