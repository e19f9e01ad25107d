/**
 * The trust targets of issue #12, pinned on the data we have:
 *   - the challenge file replayed one minute per ingest: every incident (judged by eye,
 *     bench/labels/cloudwalk-transactions.json) caught in its first 3 minutes, no
 *     self-contradicting finding, at most 60 alerting minutes outside incidents, at most one alert
 *     per status per incident (skipped when ../shared is absent);
 *   - one-day exports with a strong daily rhythm from a cold start, posted minute by minute (the
 *     simulator, no files needed): at most 2 false-alarm episodes a day.
 * `node bench/trust.ts` prints the same measures for more runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runBacktest, runEngine } from '../src/eval/backtest.ts';
import { parseLabels } from '../src/eval/labels.ts';
import { TrustRecorder, contradicts } from '../src/eval/trust.ts';
import { Simulator } from '../src/simulate/simulator.ts';
import { labelsJson } from '../src/simulate/write.ts';
import type { MinuteRows } from '../src/sources/stream.ts';

const FILE = fileURLToPath(new URL('../../shared/data/cloudwalk/transactions.csv', import.meta.url));
const LABELS = fileURLToPath(new URL('../bench/labels/cloudwalk-transactions.json', import.meta.url));
const absent = existsSync(FILE) ? false : `${FILE} absent: challenge-file trust check skipped`;

test('challenge file, one minute per ingest: coherent, caught early, no tails, one alert per status per incident', { skip: absent }, async () => {
  const rec = new TrustRecorder();
  await runBacktest({ file: FILE, order: 'buffer', onEvaluated: rec.onEvaluated });
  const r = rec.report(parseLabels(readFileSync(LABELS, 'utf8')));
  assert.equal(r.contradictions, 0, r.contradictionExamples.join('\n'));
  const late = r.incidents.filter((i) => !i.caughtInTime).map((i) => `${i.id}: ${i.delay ?? 'missed'}`);
  assert.deepEqual(late, [], 'every incident alerts within its first 3 minutes');
  assert.ok(r.alertingOutside <= 60, `${r.alertingOutside} alerting minutes outside incidents`);
  const twins = r.incidents.filter((i) => i.maxAlertsPerStatus > 1).map((i) => i.id);
  assert.deepEqual(twins, [], 'at most one alert per status per incident');
  assert.equal(r.falseEpisodes, 0, r.falseEpisodeExamples.join('\n'));
});

/** The minute groups of a simulated one-scope day as a client posts them: empty minutes are not sent. */
function* posted(sim: Simulator): Generator<MinuteRows> {
  for (let m = sim.start; m < sim.end; m++) {
    const x = sim.minute('all', m);
    if (!x.present) continue;
    const counts = sim.statuses.filter((s) => x.counts[s] > 0).map((status) => ({ scope: 'all', minute: m, status, count: x.counts[status] }));
    if (counts.length > 0) yield { minute: m, counts, authCodes: [] };
  }
}

for (const seed of [1, 2]) {
  test(`one-day export, strong daily rhythm, cold start (seed ${seed}): at most 2 false-alarm episodes and no contradiction`, async () => {
    const sim = new Simulator({ days: 1, seed, rhythm: 'strong', incidentsPerDay: 3, volumeScale: 0.3 });
    const rec = new TrustRecorder();
    await runEngine(posted(sim), { onEvaluated: rec.onEvaluated });
    const r = rec.report(parseLabels(labelsJson(sim)));
    assert.ok(r.falseEpisodes <= 2, `false episodes: ${r.falseEpisodeExamples.join(' | ')}`);
    assert.equal(r.contradictions, 0, r.contradictionExamples.join('\n'));
  });
}

test('contradicts: a rise with observed ≤ expected, a drop with observed ≥ expected; numbers missing → not judged', () => {
  assert.equal(contradicts({ rule: 'failed_high', message: 'failed share 0.00% vs expected 0.02%: sustained rise', observed: 0, expected: 0.0002 }), true);
  assert.equal(contradicts({ rule: 'failed_high', message: 'failed count 8 vs expected 0.1', observed: 8, expected: 0.1 }), false);
  assert.equal(contradicts({ rule: 'sales_low', message: 'approved count 130 vs expected 120 (below)', observed: 130, expected: 120 }), true);
  assert.equal(contradicts({ rule: 'failed_high', message: 'static rule', observed: 8, expected: null }), false);
});
