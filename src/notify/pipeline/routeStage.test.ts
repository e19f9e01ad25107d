import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flowWith, routeTree, T0, testAlert } from '../../../test/helpers/pipelineFixtures.ts';
import { routeStage } from './routeStage.ts';

const root = routeTree({
  receiver: 'default',
  routes: [
    { matchers: ['severity="critical"'], receiver: 'oncall', continue: true },
    { matchers: ['scope="pos-1"'], receiver: 'pos' },
  ],
}, ['default', 'oncall', 'pos']);

test('route: firing alerts get every matching route, by labels plus alertname and severity', () => {
  const a = testAlert('failed_high', 'pos-1', 'firing');
  const b = testAlert('failed_high', 'all', 'firing', { severity: 'warning' });
  const out = routeStage(root).run(flowWith(T0, { changes: [a, b] }));
  assert.deepEqual(out.routed.map((r) => [r.alert.fingerprint, r.routes.map((n) => n.receiver)]), [
    ['failed_high:pos-1', ['oncall', 'pos']],
    ['failed_high:all', ['default']],
  ]);
  assert.equal(out.routed[1].labels.severity, 'warning');
  assert.equal(out.routed[1].labels.alertname, 'failed_high');
});

test('route: a resolved alert flows on with no route, a pending one does not flow on', () => {
  const out = routeStage(root).run(flowWith(T0, { changes: [testAlert('x', 'all', 'resolved'), testAlert('y', 'all', 'pending')] }));
  assert.deepEqual(out.routed.map((r) => [r.alert.fingerprint, r.routes.length]), [['x:all', 0]]);
});
