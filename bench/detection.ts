/**
 * Detection quality, measured the way issue #3 states its targets:
 *
 *   node bench/detection.ts [--config F.yaml] [--days 14] [--seeds 1-5] [--match scope|status]
 *
 * For each seed: a `txmon simulate --days 14 --seed S` simulation (one scope, labelled incidents),
 * generated in process (the same rows its files would hold), run through the backtest engine and
 * compared with its labels: recall, precision, false-alert episodes per day, median / max detection
 * delay, alerts on legitimate surges; then recall per incident kind over all seeds and every missed
 * incident. Then the backtest summary of ../shared/data/cloudwalk/transactions.csv (with its auth
 * codes) listing every episode — skipped when the file is absent.
 *
 * Targets (issue #3): recall ≥ 0.95, false-alert episodes ≤ 1 per day, median delay ≤ 3 min, no
 * alert on surges. Definitions: src/eval/metrics.ts. stdout is deterministic (diff it between two
 * versions of the model); the run time goes to stderr.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/config.ts';
import { Simulator } from '../src/simulate/simulator.ts';
import { labelsJson } from '../src/simulate/write.ts';
import { formatSummary, runBacktest, runEngine, simulatedMinutes, table, type EngineRunOptions } from '../src/eval/backtest.ts';
import { parseLabels, type LabelledIncident } from '../src/eval/labels.ts';
import { evaluateDetection, median, type IncidentOutcome } from '../src/eval/metrics.ts';
import { minuteToIso } from '../src/domain/time.ts';

function args(): { config?: string; days: number; seeds: number[]; match: 'scope' | 'status' } {
  const argv = process.argv.slice(2);
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i === -1 ? undefined : argv[i + 1];
  };
  for (const a of argv) if (a.startsWith('--') && !['--config', '--days', '--seeds', '--match'].includes(a)) throw new Error(`unknown option ${a}`);
  const days = Number(get('--days') ?? '14');
  if (!(days > 0 && days <= 366)) throw new Error(`--days must be in (0, 366], got ${get('--days')}`);
  const range = (get('--seeds') ?? '1-5').split(',').flatMap((part) => {
    const [a, b] = part.split('-').map(Number);
    if (!Number.isInteger(a) || (b !== undefined && !Number.isInteger(b))) throw new Error(`--seeds takes e.g. 1-5 or 1,3,7, got ${get('--seeds')}`);
    return b === undefined ? [a] : Array.from({ length: b - a + 1 }, (_, i) => a + i);
  });
  const match = get('--match') ?? 'scope';
  if (match !== 'scope' && match !== 'status') throw new Error(`--match must be scope or status, got ${match}`);
  return { config: get('--config'), days, seeds: range, match };
}

const f3 = (x: number | null): string => (x === null ? 'n/a' : x.toFixed(3));
const f1 = (x: number | null): string => (x === null ? '-' : Number.isInteger(x) ? String(x) : x.toFixed(1));
const out = (line = ''): void => void process.stdout.write(line + '\n');

async function main(): Promise<void> {
  const started = performance.now();
  const a = args();
  const config = loadConfig(a.config);
  const engineOpts: EngineRunOptions = { detect: config.detect, lifecycle: config.lifecycle, graceMs: config.graceMs, maxGapMinutes: config.maxGapMinutes };

  out(`detection — simulate --days ${a.days}, seeds ${a.seeds.join(',')}; match ${a.match}; config ${a.config ?? '(defaults)'}`);
  out();
  const rows: string[][] = [['seed', 'incidents', 'detected', 'recall', 'precision', 'episodes', 'false', 'false/day', 'median delay', 'max delay', 'surge alerts']];
  const all: IncidentOutcome[] = [];
  const missed: Array<[number, IncidentOutcome]> = [];
  let falseTotal = 0, surgeTotal = 0, daysTotal = 0, episodesTotal = 0, matchedTotal = 0;
  for (const seed of a.seeds) {
    const sim = new Simulator({ days: a.days, seed });
    const incidents: LabelledIncident[] = parseLabels(labelsJson(sim));
    const run = await runEngine(simulatedMinutes(sim, { authCodes: true }), engineOpts);
    const ev = evaluateDetection(run.alerts, incidents, { match: a.match });
    const days = (sim.end - sim.start) / 1440;
    rows.push([
      String(seed), String(ev.expected), String(ev.detected), f3(ev.recall), f3(ev.precision), String(ev.episodes.length), String(ev.falseEpisodes),
      (ev.falseEpisodes / days).toFixed(2), f1(ev.medianDelay), f1(ev.maxDelay), String(ev.surgeEpisodes),
    ]);
    all.push(...ev.incidents);
    for (const o of ev.incidents) if (o.incident.expectAlert && !o.detected) missed.push([seed, o]);
    falseTotal += ev.falseEpisodes; surgeTotal += ev.surgeEpisodes; daysTotal += days; episodesTotal += ev.episodes.length; matchedTotal += ev.matchedEpisodes;
  }
  const expected = all.filter((o) => o.incident.expectAlert);
  const detected = expected.filter((o) => o.detected);
  const delays = detected.map((o) => o.delay!);
  rows.push([
    'all', String(expected.length), String(detected.length), f3(expected.length ? detected.length / expected.length : null),
    f3(episodesTotal ? matchedTotal / episodesTotal : null), String(episodesTotal), String(falseTotal), (falseTotal / daysTotal).toFixed(2),
    f1(median(delays)), f1(delays.length ? Math.max(...delays) : null), String(surgeTotal),
  ]);
  out(table(rows, [], '').join('\n'));
  out();
  out('targets: recall ≥ 0.95, false/day ≤ 1, median delay ≤ 3 min, surge alerts 0');
  out(`         ${expected.length && detected.length / expected.length >= 0.95 ? 'met' : 'NOT met'}, ${falseTotal / daysTotal <= 1 ? 'met' : 'NOT met'}, ${(median(delays) ?? Infinity) <= 3 ? 'met' : 'NOT met'}, ${surgeTotal === 0 ? 'met' : 'NOT met'}`);

  out();
  out('per kind, all seeds');
  const kinds = [...new Set(all.map((o) => o.incident.kind))].sort();
  out(table([
    ['kind', 'incidents', 'detected', 'recall', 'median delay', 'max delay', 'alerted (no alert expected)'],
    ...kinds.map((k) => {
      const of = all.filter((o) => o.incident.kind === k);
      const exp = of.filter((o) => o.incident.expectAlert);
      const det = exp.filter((o) => o.detected);
      const d = det.map((o) => o.delay!);
      return [k, String(of.length), String(det.length), f3(exp.length ? det.length / exp.length : null), f1(median(d)), f1(d.length ? Math.max(...d) : null),
        String(of.filter((o) => !o.incident.expectAlert && o.detected).length)];
    }),
  ]).join('\n'));

  if (missed.length > 0) {
    out();
    out('missed incidents');
    out(table([
      ['seed', 'id', 'kind', 'start', 'minutes', 'severity', 'description'],
      ...missed.map(([seed, o]) => [String(seed), o.incident.id, o.incident.kind, minuteToIso(o.incident.start).slice(0, 16) + 'Z', String(o.incident.end - o.incident.start),
        o.incident.severity ?? '-', o.incident.description]),
    ], [1, 2, 3, 5, 6]).join('\n'));
  }

  const real = fileURLToPath(new URL('../../shared/data/cloudwalk/transactions.csv', import.meta.url));
  const realCodes = fileURLToPath(new URL('../../shared/data/cloudwalk/transactions_auth_codes.csv', import.meta.url));
  out();
  if (!existsSync(real)) {
    out(`real data: ${real} absent — skipped`);
  } else {
    const run = await runBacktest({ file: real, authCodes: existsSync(realCodes) ? realCodes : undefined, timeZone: config.timeZone, ...engineOpts });
    out(formatSummary({ ...run, file: 'transactions.csv', authCodesFile: run.authCodesFile ? 'transactions_auth_codes.csv' : null }, null, { maxEpisodes: Infinity }).trimEnd());
  }
  process.stderr.write(`bench/detection took ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

await main();
