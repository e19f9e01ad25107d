import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Alert } from '../../domain/types.ts';
import { emptyState, flowWith, routeTree, T0, testAlert } from '../../../test/helpers/pipelineFixtures.ts';
import { alertLabels, type Notification } from '../types.ts';
import { dedupStage, needsUpdate } from './dedupStage.ts';
import type { Flow, MuteInfo } from './flow.ts';
import { groupFor } from './groupStage.ts';

test('needsUpdate follows Alertmanager', () => {
  assert.equal(needsUpdate(undefined, [], [], true, false), false);
  assert.equal(needsUpdate(undefined, ['a'], [], true, false), true);
  const last = { at: 0, firing: ['a'], resolved: [] };
  assert.equal(needsUpdate(last, ['a'], [], true, false), false, 'same content');
  assert.equal(needsUpdate(last, ['a', 'b'], [], true, false), true, 'new firing alert');
  assert.equal(needsUpdate(last, ['a'], [], true, true), true, 'repeat');
  assert.equal(needsUpdate(last, [], ['a'], false, false), true, 'all resolved is recorded even without send_resolved');
  assert.equal(needsUpdate({ at: 0, firing: ['a', 'b'], resolved: [] }, ['a'], ['b'], true, false), true);
  assert.equal(needsUpdate({ at: 0, firing: ['a', 'b'], resolved: [] }, ['a'], ['b'], false, false), false);
});

const root = routeTree({ receiver: 'r', group_by: ['scope'], repeat_interval: '1h' });
const URL = 'http://txmon.example';

/** A flow at `now` in which one group (scope s1, holding `alerts`) is due, with `mutes`. */
function dueFlow(state: ReturnType<typeof emptyState>, alerts: Alert[], now: number, mutes: Map<string, MuteInfo> = new Map()): Flow {
  const group = groupFor(state, root, alertLabels(alerts[0]), T0);
  group.alerts = Object.fromEntries(alerts.map((a) => [a.fingerprint, a]));
  return flowWith(now, { state, due: [{ mapKey: Object.keys(state.groups)[0], group, route: root }], candidates: alerts, mutes });
}
const stage = (sendResolved: boolean) => dedupStage({
  integrations: new Map([['r', [{ receiver: 'r', name: 'r/webhook[0]', sendResolved }, { receiver: 'r', name: 'r/slack[0]', sendResolved }]]]),
  config: { externalUrl: URL },
});
const shown = (f: Flow) => f.entries.map((e) => [e.receiver, (e.payload as Notification).alerts.map((a) => `${a.fingerprint}=${a.status}`).join(',')]);

test('dedup: one entry per integration for news, nothing for the same content, a repeat after repeat_interval', () => {
  const state = emptyState();
  const a = testAlert('x', 's1', 'firing');
  const first = stage(true).run(dueFlow(state, [a], T0));
  assert.deepEqual(shown(first), [['r/webhook[0]', 'x:s1=firing'], ['r/slack[0]', 'x:s1=firing']]);
  assert.deepEqual(first.entries.map((e) => [e.state, e.attempts, e.createdAt, e.nextAttemptAt, e.id === (e.payload as Notification).id]), [
    ['pending', 0, T0, T0, true], ['pending', 0, T0, T0, true],
  ]);
  assert.deepEqual(Object.values(state.groups)[0].sent['r/webhook[0]'], { at: T0, firing: ['x:s1'], resolved: [] });
  assert.deepEqual(stage(true).run(dueFlow(state, [a], T0 + 60_000)).entries, [], 'told already');
  assert.equal(stage(true).run(dueFlow(state, [a], T0 + 3_600_000)).entries.length, 2, 'repeat_interval passed');
});

test('dedup: muted alerts are left out; a group with nothing unmuted sends nothing and records nothing', () => {
  const state = emptyState();
  const a = testAlert('x', 's1', 'firing');
  const b = testAlert('y', 's1', 'firing');
  const mutes = new Map([[b.fingerprint, { fingerprint: b.fingerprint, silencedBy: ['s'] }]]);
  assert.deepEqual(shown(stage(true).run(dueFlow(state, [a, b], T0, mutes)))[0], ['r/webhook[0]', 'x:s1=firing']);
  const allMuted = emptyState();
  assert.deepEqual(stage(true).run(dueFlow(allMuted, [b], T0, mutes)).entries, []);
  assert.deepEqual(Object.values(allMuted.groups)[0].sent, {});
});

test('dedup: resolved alerts only to integrations that heard them fire; send_resolved false records without sending', () => {
  const state = emptyState();
  const a = testAlert('x', 's1', 'firing');
  stage(false).run(dueFlow(state, [a], T0));
  const resolved = { ...a, state: 'resolved' as const };
  assert.deepEqual(stage(false).run(dueFlow(state, [resolved], T0 + 60_000)).entries, []);
  assert.deepEqual(Object.values(state.groups)[0].sent['r/webhook[0]'], { at: T0 + 60_000, firing: [], resolved: ['x:s1'] });
  const fresh = emptyState();
  assert.deepEqual(stage(true).run(dueFlow(fresh, [resolved], T0)).entries, [], 'never heard it fire');
});

test('dedup: a new alert (id 0) links by fingerprint; entries of earlier stages are kept', () => {
  const state = emptyState();
  const a = testAlert('x', 's1', 'firing', { id: 0 });
  const flow = dueFlow(state, [a], T0);
  const out = stage(true).run(flow);
  assert.equal((out.entries[0].payload as Notification).alerts[0].generatorURL, `${URL}/alerts?fingerprint=x:s1`);
  const again = stage(true).run({ ...dueFlow(emptyState(), [a], T0), entries: out.entries });
  assert.equal(again.entries.length, 4);
});

test('dedup: links use the externalUrl the config has at the run, not at construction', () => {
  const config = { externalUrl: 'http://localhost:8080' };
  const late = dedupStage({ integrations: new Map([['r', [{ receiver: 'r', name: 'r/webhook[0]', sendResolved: true }]]]), config });
  config.externalUrl = 'http://127.0.0.1:9999'; // what the service does once it listens
  const out = late.run(dueFlow(emptyState(), [testAlert('x', 's1', 'firing', { id: 0 })], T0));
  const n = out.entries[0].payload as Notification;
  assert.equal(n.externalUrl, 'http://127.0.0.1:9999');
  assert.equal(n.alerts[0].generatorURL, 'http://127.0.0.1:9999/alerts?fingerprint=x:s1');
});
