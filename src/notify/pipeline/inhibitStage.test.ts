import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAlertingConfig } from '../../alerting/config.ts';
import { emptyState, flowWith, T0, testAlert } from '../../../test/helpers/pipelineFixtures.ts';
import { inhibitStage } from './inhibitStage.ts';

const config = parseAlertingConfig({
  receivers: [{ name: 'r' }],
  route: { receiver: 'r' },
  inhibit_rules: [{ source_matchers: ['alertname="no_data"'], target_matchers: ['alertname="sales_low"'], equal: ['scope'] }],
});
const stage = inhibitStage(config);

test('inhibit: every change enters or leaves the sources, with or without candidates', () => {
  const state = emptyState();
  const source = testAlert('no_data', 'pos-1', 'firing');
  const pending = testAlert('x', 'pos-1', 'pending');
  const flow = flowWith(T0, { state, changes: [source, pending] });
  assert.equal(stage.run(flow), flow, 'nothing due: the flow passes unchanged');
  assert.deepEqual(Object.keys(state.open), ['no_data:pos-1', 'x:pos-1']);
  stage.run(flowWith(T0, { state, changes: [{ ...source, state: 'resolved' }] }));
  assert.deepEqual(Object.keys(state.open), ['x:pos-1']);
});

test('inhibit: a firing source mutes the targets with equal labels, not others, and not while pending', () => {
  const state = emptyState();
  const target = testAlert('sales_low', 'pos-1', 'firing');
  const other = testAlert('sales_low', 'pos-2', 'firing');
  const source = testAlert('no_data', 'pos-1', 'firing');
  const out = stage.run(flowWith(T0, { state, changes: [source], candidates: [target, other, source] }));
  assert.deepEqual([...out.mutes.values()], [{ fingerprint: 'sales_low:pos-1', silencedBy: [], inhibitedBy: 'no_data:pos-1' }]);
  const quiet = stage.run(flowWith(T0, { state, changes: [{ ...source, state: 'pending' }], candidates: [target] }));
  assert.equal(quiet.mutes.size, 0, 'a pending source inhibits nothing');
});

test('inhibit: an earlier mute keeps its silences', () => {
  const state = emptyState();
  const target = testAlert('sales_low', 'pos-1', 'firing');
  const earlier = new Map([[target.fingerprint, { fingerprint: target.fingerprint, silencedBy: ['s1'] }]]);
  const out = stage.run(flowWith(T0, { state, changes: [testAlert('no_data', 'pos-1', 'firing')], candidates: [target], mutes: earlier }));
  assert.deepEqual(out.mutes.get(target.fingerprint), { fingerprint: target.fingerprint, silencedBy: ['s1'], inhibitedBy: 'no_data:pos-1' });
  assert.equal(earlier.get(target.fingerprint)?.silencedBy.length, 1, 'the earlier map is not changed');
});
