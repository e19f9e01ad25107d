import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAlertingConfig } from '../../alerting/config.ts';
import { INTEGRATION_KINDS } from '../channels/index.ts';
import { VirtualClock } from '../../domain/clock.ts';
import type { Alert, AlertChange, OutboxEntry } from '../../domain/types.ts';
import { NotificationPlanner, type SentRecord } from './planner.ts';
import type { Notification } from '../types.ts';

const T = Date.UTC(2025, 6, 1, 10, 0);

function planner(route: Record<string, unknown>, extra: Record<string, unknown> = {}, sendResolved = true) {
  const config = parseAlertingConfig({
    receivers: [{ name: 'r', webhook_configs: [{ url: 'http://x/hook', send_resolved: sendResolved }] }],
    route: { receiver: 'r', group_by: ['scope'], ...route },
    ...extra,
  }, { integrationKinds: INTEGRATION_KINDS });
  return new NotificationPlanner({ config, integrations: new Map([['r', [{ receiver: 'r', name: 'r/webhook[0]', sendResolved }]]]) });
}

let nextId = 1;
function alert(rule: string, scope: string, state: Alert['state'], over: Partial<Alert> = {}): Alert {
  return {
    id: nextId++, fingerprint: `${rule}:${scope}`, rule, labels: { alertname: rule, scope, status: 'failed', metric: 'count' }, state, severity: 'critical',
    score: 90, observed: 40, expected: 1, summary: 's', explanation: 'e', startsAt: T, endsAt: state === 'resolved' ? T + 60_000 : null, updatedAt: T, lastMinute: 0, ...over,
  };
}
const ch = (a: Alert): AlertChange => ({ alert: a });
const payload = (e: OutboxEntry) => e.payload as Notification;
const fps = (e: OutboxEntry) => payload(e).alerts.map((a) => `${a.fingerprint}=${a.status}`).sort();

test('group_wait, group_interval, repeat_interval and resolve on a virtual clock', () => {
  const clock = new VirtualClock(T);
  const p = planner({ group_wait: '30s', group_interval: '5m', repeat_interval: '1h' });
  const a = alert('failed_high', 'all', 'firing');
  assert.deepEqual(p.plan([ch(a)], clock.now()), [], 'waits group_wait');
  p.commit();
  clock.advance(10_000);
  const b = alert('failed_share_high', 'all', 'firing', { labels: { alertname: 'failed_share_high', scope: 'all', status: 'failed', metric: 'share' } });
  assert.deepEqual(p.plan([ch(b)], clock.now()), [], 'joins the waiting group');
  p.commit();
  clock.advance(20_000);
  const first = p.flush(clock.now());
  p.commit();
  assert.equal(first.length, 1, 'one notification for the group');
  assert.deepEqual(fps(first[0]), ['failed_high:all=firing', 'failed_share_high:all=firing']);
  assert.equal(first[0].receiver, 'r/webhook[0]');
  assert.equal(first[0].id, payload(first[0]).id);
  clock.advance(60_000);
  assert.deepEqual(p.flush(clock.now()), [], 'not before group_interval');
  clock.advance(4 * 60_000);
  assert.deepEqual(p.flush(clock.now()), [], 'group_interval passed, nothing changed, no repeat yet');
  p.commit();
  // One resolves: told at the next group_interval tick, not before.
  clock.advance(60_000);
  assert.deepEqual(p.plan([ch({ ...a, state: 'resolved', endsAt: clock.now() })], clock.now()), []);
  p.commit();
  clock.advance(4 * 60_000);
  const res = p.flush(clock.now());
  p.commit();
  assert.equal(res.length, 1);
  assert.deepEqual(fps(res[0]), ['failed_high:all=resolved', 'failed_share_high:all=firing']);
  assert.equal(payload(res[0]).status, 'firing');
  // Repeat after repeat_interval (1 h after the last send), with a new id.
  let repeat: OutboxEntry[] = [];
  for (let i = 0; i < 12 && repeat.length === 0; i++) {
    clock.advance(5 * 60_000);
    repeat = p.flush(clock.now());
    p.commit();
  }
  assert.equal(repeat.length, 1);
  assert.ok(clock.now() - T >= 3_600_000);
  assert.deepEqual(fps(repeat[0]), ['failed_share_high:all=firing']);
  assert.notEqual(repeat[0].id, res[0].id);
  // The last alert resolves: a resolved notification, then the group is gone.
  clock.advance(60_000);
  p.plan([ch({ ...b, state: 'resolved', endsAt: clock.now() })], clock.now());
  p.commit();
  clock.advance(5 * 60_000);
  const done = p.flush(clock.now());
  p.commit();
  assert.equal(payload(done[0]).status, 'resolved');
  assert.equal(p.groupCount(), 0);
});

test('group_wait 0 sends in the same plan; an uncommitted plan is rolled back', () => {
  const p = planner({ group_wait: '0s' });
  const a = alert('x', 's1', 'firing');
  assert.equal(p.plan([ch(a)], T).length, 1);
  // The write failed (no commit): the next plan starts from the state before it.
  const again = p.plan([ch(a)], T + 1000);
  assert.equal(again.length, 1, 're-planned after the failed write');
  p.commit();
  assert.deepEqual(p.plan([ch(a)], T + 2000), []);
});

test('send_resolved false: resolved not sent, but a later re-fire is', () => {
  const p = planner({ group_wait: '0s', group_interval: '1m' }, {}, false);
  const a = alert('x', 's1', 'firing');
  assert.equal(p.plan([ch(a)], T).length, 1);
  p.commit();
  p.plan([ch({ ...a, state: 'resolved' })], T + 10_000);
  p.commit();
  assert.deepEqual(p.flush(T + 60_000), []);
  p.commit();
  assert.equal(p.plan([ch({ ...a, id: 99 })], T + 120_000).length, 1, 'fires again: a new group, notified');
});

test('silences and inhibition mute firing alerts; pending alerts are not notified', () => {
  const p = planner({ group_wait: '0s', group_by: ['alertname', 'scope'] }, {
    inhibit_rules: [{ source_matchers: ['alertname="outage"'], target_matchers: ['alertname="share"'], equal: ['scope'] }],
  });
  p.setSilences([{ id: 's', matchers: [{ name: 'scope', value: 'quiet', isRegex: false, isEqual: true }], startsAt: T, endsAt: T + 60_000, createdBy: 'a', comment: 'c', createdAt: T, updatedAt: T }]);
  assert.deepEqual(p.plan([ch(alert('x', 'quiet', 'firing'))], T), [], 'silenced');
  assert.deepEqual(p.plan([ch(alert('y', 'p', 'pending'))], T), [], 'pending');
  const out = p.plan([ch(alert('outage', 'pos', 'firing')), ch(alert('share', 'pos', 'firing'))], T);
  assert.deepEqual(out.map((e) => payload(e).groupLabels.alertname), ['outage']);
  assert.equal(p.lastMutes.get('share:pos')?.inhibitedBy, 'outage:pos');
  p.commit();
});

test('restore from the outbox: nothing re-sent, owed resolved notifications still sent', () => {
  const p = planner({ group_wait: '0s', group_interval: '1m' });
  const a = alert('x', 's1', 'firing');
  const b = alert('y', 's2', 'firing');
  const sent = p.plan([ch(a), ch(b)], T);
  p.commit();
  const records: SentRecord[] = sent.map((e) => ({ integration: e.receiver, createdAt: e.createdAt, notification: payload(e) }));
  // Restart: a still firing, b resolved while the process was down.
  const q = planner({ group_wait: '0s', group_interval: '1m' });
  q.restore([a], records, [{ ...b, state: 'resolved' }], T + 30_000);
  assert.deepEqual(q.plan([ch({ ...a, updatedAt: T + 30_000 })], T + 30_000), [], 'nothing re-sent');
  q.commit();
  const out = q.flush(T + 60_000);
  assert.equal(out.length, 1);
  assert.deepEqual(fps(out[0]), ['y:s2=resolved']);
});

test('links follow the config as it is when planning: the service sets externalUrl once it listens', () => {
  const config = parseAlertingConfig({ receivers: [{ name: 'r', webhook_configs: [{ url: 'http://x/hook' }] }], route: { receiver: 'r', group_wait: '0s' } }, { integrationKinds: INTEGRATION_KINDS });
  const p = new NotificationPlanner({ config, integrations: new Map([['r', [{ receiver: 'r', name: 'r/webhook[0]', sendResolved: true }]]]) });
  config.externalUrl = 'http://127.0.0.1:9999';
  const [e] = p.plan([ch(alert('x', 's1', 'firing', { id: 0 }))], T);
  assert.equal(payload(e).externalUrl, 'http://127.0.0.1:9999');
  assert.equal(payload(e).alerts[0].generatorURL, 'http://127.0.0.1:9999/alerts?fingerprint=x:s1');
});
