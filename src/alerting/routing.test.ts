import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAlertingConfig } from './config.ts';
import { buildRouteTree, findRoute, matchRoutes, walkRoutes } from './routing.ts';

const receivers = ['default', 'oncall', 'risk', 'pos-team', 'audit'].map((name) => ({ name }));

function tree(route: unknown) {
  return buildRouteTree(parseAlertingConfig({ receivers, route }).route);
}

const root = tree({
  receiver: 'default',
  group_by: ['alertname', 'scope'],
  group_wait: '30s',
  routes: [
    { matchers: ['alertname="audit"'], receiver: 'audit', continue: true },
    {
      matchers: ['severity="critical"'],
      receiver: 'oncall',
      group_wait: '10s',
      routes: [{ matchers: ['scope=~"pos-.*"'], receiver: 'pos-team', repeat_interval: '1h' }],
    },
    { matchers: ['alertname=~"auth_code_.*"'], receiver: 'risk', group_by: ['...'] },
    { matchers: ['severity="critical"'], receiver: 'risk' },
  ],
});

const names = (labels: Record<string, string>) => matchRoutes(root, labels).map((r) => r.receiver);

test('first matching child wins; deeper match wins over its parent; no match falls back to the root', () => {
  assert.deepEqual(names({ alertname: 'failed_high', severity: 'critical', scope: 'all' }), ['oncall']);
  assert.deepEqual(names({ alertname: 'failed_high', severity: 'critical', scope: 'pos-7' }), ['pos-team']);
  assert.deepEqual(names({ alertname: 'auth_code_51', severity: 'warning' }), ['risk']);
  assert.deepEqual(names({ alertname: 'x', severity: 'info' }), ['default']);
});

test('continue: true lets later siblings match too', () => {
  assert.deepEqual(names({ alertname: 'audit', severity: 'critical', scope: 'all' }), ['audit', 'oncall']);
  assert.deepEqual(names({ alertname: 'audit', severity: 'info' }), ['audit']);
});

test('options are inherited from the parent when unset', () => {
  const [pos] = matchRoutes(root, { severity: 'critical', scope: 'pos-1' });
  assert.equal(pos.groupWaitMs, 10_000, 'from the critical route');
  assert.equal(pos.repeatIntervalMs, 3_600_000, 'own');
  assert.equal(pos.groupIntervalMs, 300_000, 'root default');
  assert.deepEqual(pos.groupBy, ['alertname', 'scope']);
  const [risk] = matchRoutes(root, { alertname: 'auth_code_51' });
  assert.equal(risk.groupByAll, true);
  assert.deepEqual(risk.groupBy, []);
  assert.equal(risk.groupWaitMs, 30_000);
});

test('route ids are unique, keys follow Alertmanager', () => {
  const ids: string[] = [];
  walkRoutes(root, (n) => ids.push(n.id));
  assert.deepEqual(ids, ['0', '0/0', '0/1', '0/1/0', '0/2', '0/3']);
  assert.equal(root.key, '{}');
  assert.equal(findRoute(root, '0/1/0')!.key, '{}/{severity="critical"}/{scope=~"pos-.*"}');
  assert.equal(findRoute(root, '0/1')!.key, findRoute(root, '0/3')!.key, 'same matchers, same key (as in Alertmanager)');
  assert.equal(findRoute(root, 'nope'), undefined);
});

test('matcher order does not change the key', () => {
  const a = tree({ receiver: 'default', routes: [{ matchers: ['b="2"', 'a="1"'] }] });
  const b = tree({ receiver: 'default', routes: [{ matchers: ['a="1"', 'b="2"'] }] });
  assert.equal(a.routes[0].key, b.routes[0].key);
  assert.equal(a.routes[0].key, '{}/{a="1",b="2"}');
});
