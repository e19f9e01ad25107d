import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAlertingConfig } from './config.ts';
import { createInhibitor, isInhibited } from './inhibit.ts';

const rules = parseAlertingConfig({
  receivers: [{ name: 'd' }],
  route: { receiver: 'd' },
  inhibit_rules: [
    { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['alertname', 'scope'] },
    { source_matchers: ['alertname="no_data"'], target_matchers: ['alertname=~".+"'], equal: ['scope'] },
  ],
}).inhibitRules;

const crit = { fingerprint: 'c1', labels: { alertname: 'failed_high', scope: 'all', severity: 'critical' } };
const warn = { fingerprint: 'w1', labels: { alertname: 'failed_high', scope: 'all', severity: 'warning' } };
const warnOther = { fingerprint: 'w2', labels: { alertname: 'failed_high', scope: 'pos-1', severity: 'warning' } };

test('a firing source mutes a target with equal labels', () => {
  assert.deepEqual(isInhibited(warn, [crit], rules), { inhibited: true, rule: 0, by: 'c1' });
  assert.equal(isInhibited(warnOther, [crit], rules).inhibited, false, 'different scope');
  assert.equal(isInhibited(crit, [crit, warn], rules).inhibited, false, 'sources are not targets');
  assert.equal(isInhibited(warn, [], rules).inhibited, false, 'no firing source');
});

test('equal labels absent on both sides count as equal; absent on one side do not', () => {
  const src = { fingerprint: 's', labels: { alertname: 'a', severity: 'critical' } };
  const tgt = { fingerprint: 't', labels: { alertname: 'a', severity: 'warning' } };
  assert.equal(isInhibited(tgt, [src], rules).inhibited, true);
  assert.equal(isInhibited({ ...tgt, labels: { ...tgt.labels, scope: 'all' } }, [src], rules).inhibited, false);
});

test('an alert cannot inhibit itself, and two alerts matching both sides do not mute each other', () => {
  const noData = { fingerprint: 'n1', labels: { alertname: 'no_data', scope: 'all', severity: 'critical' } };
  // no_data matches rule 1 on both sides; it must not mute itself.
  assert.equal(isInhibited(noData, [noData], rules).inhibited, false);
  const noData2 = { fingerprint: 'n2', labels: { alertname: 'no_data', scope: 'all', severity: 'critical' } };
  assert.equal(isInhibited(noData2, [noData], rules).inhibited, false, 'both match source and target of rule 1');
  // But it mutes every other alert of the scope.
  const inh = createInhibitor(rules, [noData]);
  assert.deepEqual(inh.mutes(warn), { inhibited: true, rule: 1, by: 'n1' });
  assert.deepEqual(inh.mutes(crit), { inhibited: true, rule: 1, by: 'n1' });
  assert.equal(inh.mutes(warnOther).inhibited, false);
});

test('rules are checked in order; the first muting rule is reported', () => {
  const noDataWarn = { fingerprint: 'n3', labels: { alertname: 'no_data', scope: 'all', severity: 'warning' } };
  const noDataCrit = { fingerprint: 'n4', labels: { alertname: 'no_data', scope: 'all', severity: 'critical' } };
  // Rule 0 (critical mutes warning of the same alertname and scope) applies before rule 1.
  assert.deepEqual(isInhibited(noDataWarn, [noDataCrit], rules), { inhibited: true, rule: 0, by: 'n4' });
});
