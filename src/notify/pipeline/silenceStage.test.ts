import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSilencer, type Silence } from '../../alerting/silences.ts';
import { flowWith, T0, testAlert } from '../../../test/helpers/pipelineFixtures.ts';
import { silenceStage } from './silenceStage.ts';

function silence(id: string, scope: string, startsAt: number, endsAt: number): Silence {
  return { id, matchers: [{ name: 'scope', value: scope, isRegex: false, isEqual: true }], startsAt, endsAt, createdBy: 'a', comment: 'c', createdAt: startsAt, updatedAt: startsAt };
}
const stage = silenceStage(() => createSilencer([silence('s1', 'quiet', T0, T0 + 60_000), silence('s2', 'quiet', T0 - 120_000, T0 - 60_000)]));

test('silence: an active matching silence mutes, an expired one does not, other alerts pass', () => {
  const quiet = testAlert('x', 'quiet', 'firing');
  const loud = testAlert('x', 'loud', 'firing');
  const out = stage.run(flowWith(T0 + 1000, { candidates: [quiet, loud] }));
  assert.deepEqual([...out.mutes.values()], [{ fingerprint: 'x:quiet', silencedBy: ['s1'], inhibitedBy: undefined }]);
  const later = stage.run(flowWith(T0 + 60_000, { candidates: [quiet] }));
  assert.equal(later.mutes.size, 0, 'the silence ended');
});

test('silence: an alert an earlier stage muted keeps that reason and gains the silences', () => {
  const quiet = testAlert('x', 'quiet', 'firing');
  const loud = testAlert('y', 'loud', 'firing');
  const earlier = new Map([
    [quiet.fingerprint, { fingerprint: quiet.fingerprint, silencedBy: [], inhibitedBy: 'src' }],
    [loud.fingerprint, { fingerprint: loud.fingerprint, silencedBy: [], inhibitedBy: 'src' }],
  ]);
  const out = stage.run(flowWith(T0, { candidates: [quiet, loud], mutes: earlier }));
  assert.deepEqual(out.mutes.get(quiet.fingerprint), { fingerprint: quiet.fingerprint, silencedBy: ['s1'], inhibitedBy: 'src' });
  assert.deepEqual(out.mutes.get(loud.fingerprint), { fingerprint: loud.fingerprint, silencedBy: [], inhibitedBy: 'src' });
});

test('silence: no candidates, the flow passes unchanged', () => {
  const flow = flowWith(T0);
  assert.equal(stage.run(flow), flow);
});
