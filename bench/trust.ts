/**
 * Alert trust, measured the way issue #12 states its targets:
 *
 *   node bench/trust.ts [--config F.yaml] [--seeds 1-4] [--only cloudwalk|day|multi]
 *
 * 1. cloudwalk: ../shared/data/cloudwalk/transactions.csv (+ auth codes) replayed one minute per
 *    ingest — what posting each minute over HTTP does — against the incidents judged by eye in
 *    bench/labels/cloudwalk-transactions.json: incidents caught within 3 minutes, self-
 *    contradicting findings, alerting minutes outside incidents (more than 5 min after any),
 *    most alerts per status per incident. Skipped when the file is absent.
 * 2. day: one-day exports from a cold start (`txmon simulate --days 1 --rhythm strong --format
 *    export`-like traffic: strong daily rhythm, evening rise of the denied share, sparse minutes),
 *    false-alarm episodes per day and incidents caught.
 * 3. multi: 14-day simulations (retail rhythm), 7 days at ten times the volume, 7 days of strong
 *    rhythm with every incident kind including lasting level shifts — false-alarm episodes per day.
 * Targets: 0 contradictions, ≤ 60 alerting minutes outside incidents, every incident caught in its
 * first 3 minutes, ≤ 1 alert per status per incident; ≤ 2 false-alarm episodes per one-day export.
 * stdout is deterministic; run time goes to stderr.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSimulate } from '../src/cli/simulate.ts';
import { readMinutes, rowsOf, type MinuteRows } from '../src/sources/stream.ts';
import { ALL_INCIDENT_KINDS } from '../src/simulate/incidents.ts';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/config.ts';
import { Simulator, type SimulateOptions } from '../src/simulate/simulator.ts';
import { labelsJson } from '../src/simulate/write.ts';
import { runBacktest, runEngine, simulatedMinutes, table, type EngineRunOptions } from '../src/eval/backtest.ts';
import { parseLabels } from '../src/eval/labels.ts';
import { TrustRecorder, type TrustReport } from '../src/eval/trust.ts';

const argv = process.argv.slice(2);
const get = (flag: string): string | undefined => {
  const i = argv.indexOf(flag);
  return i === -1 ? undefined : argv[i + 1];
};
const seeds = (get('--seeds') ?? '1-4').split(',').flatMap((part) => {
  const [a, b] = part.split('-').map(Number);
  return b === undefined ? [a] : Array.from({ length: b - a + 1 }, (_, i) => a + i);
});
const only = get('--only');
const out = (line = ''): void => void process.stdout.write(line + '\n');
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

const config = loadConfig(get('--config'));
const engineOpts: EngineRunOptions = { detect: config.detect, lifecycle: config.lifecycle, graceMs: config.graceMs, maxGapMinutes: config.maxGapMinutes };

function describe(name: string, r: TrustReport, days: number): string[] {
  const late = r.incidents.filter((i) => !i.caughtInTime).map((i) => `${i.id}${i.kind ? ' ' + i.kind : ''}(${i.delay ?? 'missed'})`);
  return [
    name, String(r.incidents.length), `${r.caughtInTime}/${r.caught}`, String(r.contradictions), String(r.alertingMinutes), String(r.alertingOutside),
    String(Math.max(0, ...r.incidents.map((i) => i.maxAlertsPerStatus))), String(r.alertsCreated), String(r.falseEpisodes), (r.falseEpisodes / days).toFixed(2),
    late.join(' ') || '-',
  ];
}
const HEAD = ['run', 'incidents', 'in 3 min/caught', 'contradict', 'alert-min', 'outside', 'max/status', 'alerts', 'false ep', 'false/day', 'late or missed'];

async function simulated(opts: SimulateOptions): Promise<{ report: TrustReport; days: number }> {
  const sim = new Simulator(opts);
  const rec = new TrustRecorder();
  await runEngine(simulatedMinutes(sim, { authCodes: true }), { ...engineOpts, onEvaluated: rec.onEvaluated });
  return { report: rec.report(parseLabels(labelsJson(sim))), days: opts.days ?? 14 };
}

/**
 * A one-day export written by `txmon simulate --format export` and replayed the way a client posts
 * it over HTTP, one minute per request: a minute with no row (no transaction at all) is never
 * posted, so the engine sees a gap there — unlike a whole-file backtest, where the export's
 * zero-fill closes it.
 */
async function oneDayExport(seed: number, volumeScale: number): Promise<TrustReport> {
  const dir = mkdtempSync(join(tmpdir(), 'txmon-trust-'));
  try {
    const file = join(dir, 'day.csv');
    const labels = join(dir, 'day.json');
    await runSimulate({ days: '1', seed: String(seed), rhythm: 'strong', format: 'export', volumeScale: String(volumeScale), incidentsPerDay: '3', out: file, labelsOut: labels });
    const rec = new TrustRecorder();
    await runEngine(postedMinutes(readMinutes(file, { date: '2025-07-14' })), { ...engineOpts, onEvaluated: rec.onEvaluated });
    return rec.report(parseLabels(readFileSync(labels, 'utf8')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The minute groups a client posting the file minute by minute sends: those with at least one row. */
async function* postedMinutes(groups: AsyncIterable<MinuteRows>): AsyncGenerator<MinuteRows> {
  for await (const g of groups) if (rowsOf(g) > 0) yield g;
}

async function main(): Promise<void> {
  const started = performance.now();
  const rows: string[][] = [HEAD];
  const falseExamples: string[] = [];
  const cw = here('../../shared/data/cloudwalk/transactions.csv');
  if ((!only || only === 'cloudwalk') && existsSync(cw)) {
    const rec = new TrustRecorder();
    await runBacktest({ ...engineOpts, file: cw, authCodes: here('../../shared/data/cloudwalk/transactions_auth_codes.csv'), order: 'buffer', onEvaluated: rec.onEvaluated });
    const r = rec.report(parseLabels(readFileSync(here('./labels/cloudwalk-transactions.json'), 'utf8')));
    rows.push(describe('cloudwalk 3 days', r, 3));
    for (const e of r.contradictionExamples) falseExamples.push(`cloudwalk contradiction ${e}`);
    for (const e of r.falseEpisodeExamples) falseExamples.push(`cloudwalk false ${e}`);
  } else if (!only || only === 'cloudwalk') out(`cloudwalk: skipped (${cw} not found)`);
  if (!only || only === 'day') {
    for (const scale of [0.05, 0.3, 1]) {
      for (const seed of seeds) {
        const report = await oneDayExport(seed, scale);
        rows.push(describe(`day ×${scale} seed ${seed}`, report, 1));
        for (const e of report.falseEpisodeExamples) falseExamples.push(`day ×${scale} ${seed} false ${e}`);
      }
    }
  }
  if (!only || only === 'multi') {
    for (const seed of seeds) {
      const { report, days } = await simulated({ days: 14, seed });
      rows.push(describe(`14 days seed ${seed}`, report, days));
      for (const e of report.falseEpisodeExamples.slice(0, 3)) falseExamples.push(`14d ${seed} false ${e}`);
      const big = await simulated({ days: 7, seed, volumeScale: 10 });
      rows.push(describe(`7 days ×10 volume ${seed}`, big.report, big.days));
      const strong = await simulated({ days: 7, seed, rhythm: 'strong', incidentKinds: [...ALL_INCIDENT_KINDS] });
      rows.push(describe(`7 days strong + shifts ${seed}`, strong.report, strong.days));
      for (const e of strong.report.falseEpisodeExamples.slice(0, 3)) falseExamples.push(`7d strong ${seed} false ${e}`);
    }
  }
  for (const line of table(rows)) out(line);
  out();
  for (const e of falseExamples) out('  ' + e);
  process.stderr.write(`trust bench took ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

await main();
