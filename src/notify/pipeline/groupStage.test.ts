import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchRoutes } from '../../alerting/routing.ts';
import type { Alert } from '../../domain/types.ts';
import { emptyState, flowWith, routeTree, T0, testAlert } from '../../../test/helpers/pipelineFixtures.ts';
import { alertLabels } from '../types.ts';
import type { Flow, Routed } from './flow.ts';
import { advanceDueGroups, groupStage } from './groupStage.ts';

const root = routeTree({
  receiver: 'r',
  group_by: ['scope'],
  group_wait: '30s',
  group_interval: '5m',
  routes: [{ matchers: ['severity="warning"'], receiver: 'w', group_wait: '0s' }],
}, ['r', 'w']);
const stage = groupStage(() => root);

/** What the route stage hands on for `a`. */
function routed(a: Alert): Routed {
  const labels = alertLabels(a);
  return { alert: a, labels, routes: a.state === 'firing' ? matchRoutes(root, labels) : [] };
}
const run = (flow: Flow, now: number, alerts: Alert[]): Flow => stage.run({ ...flow, now, routed: alerts.map(routed), due: [], candidates: [] });

test('group: alerts with the same group_by values share a group, due after group_wait', () => {
  const state = emptyState();
  const a = testAlert('failed_high', 'pos-1', 'firing');
  const b = testAlert('denied_high', 'pos-1', 'firing');
  let flow = run(flowWith(T0, { state }), T0, [a]);
  assert.deepEqual(flow.due, [], 'waits group_wait');
  flow = run(flow, T0 + 10_000, [b]);
  assert.equal(Object.keys(state.groups).length, 1, 'one group for scope pos-1');
  assert.deepEqual(flow.due, []);
  flow = run(flow, T0 + 30_000, []);
  assert.equal(flow.due.length, 1);
  assert.deepEqual(flow.due[0].group.labels, { scope: 'pos-1' });
  assert.deepEqual(flow.candidates.map((x) => x.fingerprint), ['failed_high:pos-1', 'denied_high:pos-1']);
});

test('group: a resolved alert stays in its group to be told; a re-routed firing alert leaves the old group', () => {
  const state = emptyState();
  const a = testAlert('failed_high', 'all', 'firing');
  run(flowWith(T0, { state }), T0, [a]);
  const resolved = { ...a, state: 'resolved' as const };
  const flow = run(flowWith(T0, { state }), T0 + 40_000, [resolved]);
  assert.deepEqual(flow.candidates, [resolved]);
  // Now a warning: its route is the "w" child, with group_wait 0.
  const state2 = emptyState();
  run(flowWith(T0, { state: state2 }), T0, [a]);
  const moved = run(flowWith(T0, { state: state2 }), T0 + 1000, [{ ...a, severity: 'warning' }]);
  assert.deepEqual(Object.values(state2.groups).map((g) => [g.receiver, Object.keys(g.alerts)]), [['r', []], ['w', ['failed_high:all']]]);
  assert.deepEqual(moved.due.map((d) => d.group.receiver), ['w'], 'the new group is due at once');
});

test('advanceDueGroups: resolved alerts leave, an empty group is gone, the others wait group_interval', () => {
  const state = emptyState();
  const a = testAlert('x', 's1', 'firing');
  const b = testAlert('y', 's2', 'firing');
  run(flowWith(T0, { state }), T0, [a, b]);
  const flow = run(flowWith(T0, { state }), T0 + 30_000, [{ ...a, state: 'resolved' }]);
  assert.equal(flow.due.length, 2);
  advanceDueGroups(state, flow.due, T0 + 30_000);
  assert.deepEqual(Object.values(state.groups).map((g) => [g.labels.scope, g.nextFlushAt]), [['s2', T0 + 30_000 + 5 * 60_000]]);
});
