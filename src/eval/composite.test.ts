import { test } from 'node:test';
import assert from 'node:assert/strict';
import { candidateThresholds, catchZones, compositeAt, daysCovered, eventMetricsAt, findEvents, sweepComposite } from './composite.ts';

//               0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15
const labels = [0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0];
const scores = [0, 0, 0, 0, 0.9, 0, 0, 0, 0.6, 0.7, 0, 0, 0, 0, 0, 0.55];
const HOUR = 3_600_000;
const times = labels.map((_, i) => Date.UTC(2020, 0, 1) + i * HOUR);
const series = { name: 'hand', labels, scores, times };

test('events are runs of labelled points; catch zones add 3 points after each', () => {
  assert.deepEqual(findEvents(labels), [
    [2, 3],
    [10, 10],
  ]);
  assert.deepEqual(findEvents([1, 1, 0, 1]), [
    [0, 1],
    [3, 3],
  ]);
  assert.deepEqual(Array.from(catchZones(16, findEvents(labels))), [0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0, 0]);
  assert.deepEqual(Array.from(catchZones(5, [[3, 4]])), [0, 0, 0, 1, 1]); // clipped at the end
});

test('composite F at a threshold: point precision × event recall', () => {
  const r = compositeAt([series], 0.5);
  // flagged 4 (in event 1's zone), 8, 9, 15 (outside): precision 1/4; event 2 missed: recall 1/2
  assert.equal(r.flaggedNear, 1);
  assert.equal(r.flaggedFar, 3);
  assert.equal(r.pointPrecision, 0.25);
  assert.equal(r.eventRecall, 0.5);
  assert.ok(Math.abs(r.compositeF - 1 / 3) < 1e-12);
  const high = compositeAt([series], 0.8);
  assert.equal(high.pointPrecision, 1);
  assert.ok(Math.abs(high.compositeF - 2 / 3) < 1e-12);
  const none = compositeAt([series], 0.95);
  assert.equal(none.compositeF, 0);
});

test('the sweep keeps the best F over the reference candidates (ties: the lowest threshold)', () => {
  const c = candidateThresholds([series]);
  assert.ok(c.includes(0.005) && c.includes(0.995) && c.includes(0.7) && !c.includes(0));
  assert.deepEqual(c, [...c].sort((a, b) => a - b));
  const best = sweepComposite([series]);
  assert.ok(Math.abs(best.compositeF - 2 / 3) < 1e-12);
  assert.equal(best.threshold, 0.705); // the first candidate above 0.7 that flags only the hit
});

test('event metrics: episodes bridge gaps of up to 2 points; precision, recall, F1, delay, false alarms per day', () => {
  const e = eventMetricsAt([series], 0.5);
  assert.equal(e.events, 2);
  assert.equal(e.caught, 1);
  assert.equal(e.episodes, 3); // [4], [8, 9], [15]
  assert.equal(e.falseEpisodes, 2);
  assert.ok(Math.abs((e.eventPrecision ?? 0) - 1 / 3) < 1e-12);
  assert.equal(e.eventRecall, 0.5);
  assert.ok(Math.abs((e.eventF1 ?? 0) - 0.4) < 1e-12);
  assert.deepEqual(e.delaysPoints, [2]); // flagged at 4, the event starts at 2
  assert.deepEqual(e.delaysMinutes, [120]);
  assert.ok(Math.abs(e.days - 16 / 24) < 1e-12);
  assert.ok(Math.abs((e.falseAlarmsPerDay ?? 0) - 2 / (16 / 24)) < 1e-12);
  const gap = (flags: number[]): number => eventMetricsAt([{ name: 'g', labels: new Array(10).fill(0), scores: flags }], 1).episodes;
  assert.equal(gap([1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), 1); // two unflagged points bridged
  assert.equal(gap([1, 0, 0, 0, 1, 0, 0, 0, 0, 0]), 2); // three are not
  // An episode that only bridges into a zone still touches it.
  const touching = eventMetricsAt([{ name: 't', labels: [0, 0, 1, 0, 0, 0, 0, 0, 0, 0], scores: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0] }], 1);
  assert.equal(touching.falseEpisodes, 1);
  assert.equal(touching.caught, 0);
});

test('no events, nothing flagged, no timestamps: nulls instead of made-up numbers', () => {
  const e = eventMetricsAt([{ name: 'quiet', labels: [0, 0, 0], scores: [0, 0, 0] }], 0.5);
  assert.equal(e.eventPrecision, null);
  assert.equal(e.eventRecall, null);
  assert.equal(e.eventF1, null);
  assert.equal(e.falseAlarmsPerDay, null);
  assert.equal(e.medianDelayPoints, null);
  assert.equal(e.delaysMinutes, null);
  assert.equal(daysCovered(undefined), 0);
  assert.equal(daysCovered([0, 86_400_000]), 2); // one day between, plus one step
  assert.equal(daysCovered([86_400_000, 0]), 2); // out of order: never negative
});
