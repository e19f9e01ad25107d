import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAlertingConfig } from './config.ts';
import { groupAlerts, groupId, groupKey, groupLabelsFor, hashKey, labelSetString } from './grouping.ts';
import { buildRouteTree, matchRoutes } from './routing.ts';

const root = buildRouteTree(
  parseAlertingConfig({
    receivers: [{ name: 'default' }, { name: 'oncall' }, { name: 'all' }],
    route: {
      receiver: 'default',
      group_by: ['alertname', 'scope'],
      routes: [
        { matchers: ['severity="critical"'], receiver: 'oncall', continue: true },
        { matchers: ['team="x"'], receiver: 'all', group_by: ['...'] },
      ],
    },
  }).route,
);

test('group labels are the group_by labels the alert has; "..." takes all', () => {
  assert.deepEqual(groupLabelsFor(root, { alertname: 'a', scope: 's', severity: 'critical' }), { alertname: 'a', scope: 's' });
  assert.deepEqual(groupLabelsFor(root, { alertname: 'a' }), { alertname: 'a' }, 'absent labels are left out');
  assert.deepEqual(groupLabelsFor(root.routes[1], { team: 'x', b: '2', a: '1' }), { a: '1', b: '2', team: 'x' });
});

test('group key is route key + label set, stable under label order', () => {
  const critical = root.routes[0];
  assert.equal(groupKey(critical, { severity: 'critical', scope: 'all', alertname: 'failed_high', status: 'failed' }), '{}/{severity="critical"}:{alertname="failed_high", scope="all"}');
  assert.equal(groupKey(root, { scope: 'all', alertname: 'x' }), groupKey(root, { alertname: 'x', scope: 'all' }));
  assert.notEqual(groupKey(root, { alertname: 'x', scope: 'a' }), groupKey(root, { alertname: 'x', scope: 'b' }));
  assert.equal(labelSetString({ b: 'q"', a: '1' }), '{a="1", b="q\\""}');
  assert.equal(hashKey('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(groupId('abc'), 'ba7816bf8f01cfea');
});

test('groupAlerts splits by route and group labels; continue puts an alert in two groups', () => {
  const alerts: { id: number; labels: Record<string, string> }[] = [
    { id: 1, labels: { alertname: 'failed_high', scope: 'all', severity: 'critical' } },
    { id: 2, labels: { alertname: 'failed_high', scope: 'all', severity: 'critical', status: 'failed' } },
    { id: 3, labels: { alertname: 'failed_high', scope: 'pos-1', severity: 'warning' } },
    { id: 4, labels: { alertname: 'zero_approved', scope: 'all', severity: 'critical', team: 'x' } },
  ];
  const groups = groupAlerts(alerts, (l) => matchRoutes(root, l));
  const summary = groups.map((g) => [g.route.receiver, g.labels, g.alerts.map((a) => a.id)]);
  assert.deepEqual(summary, [
    ['oncall', { alertname: 'failed_high', scope: 'all' }, [1, 2]],
    ['default', { alertname: 'failed_high', scope: 'pos-1' }, [3]],
    ['oncall', { alertname: 'zero_approved', scope: 'all' }, [4]],
    ['all', { alertname: 'zero_approved', scope: 'all', severity: 'critical', team: 'x' }, [4]],
  ]);
});
