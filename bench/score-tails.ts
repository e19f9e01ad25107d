/**
 * How often the top scores of `txmon score` fire where nothing is labelled: rows scoring ≥ 0.5,
 * ≥ 0.8 and ≥ 0.999 over a labelled corpus, how many of them lie outside every event's catch zone
 * (the event and the 3 rows after it), and those per day of data.
 *
 *   node bench/score-tails.ts DATA_DIR [path/to/score.ts]
 *
 * The optional second argument measures another version of the scorer module (docs/scoring.md).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseLabelledCsv } from '../src/eval/labelled.ts';
import { catchZones, findEvents } from '../src/eval/composite.ts';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node bench/score-tails.ts DATA_DIR [path/to/score.ts]');
  process.exit(2);
}
const modulePath = process.argv[3] ? resolve(process.argv[3]) : fileURLToPath(new URL('../src/eval/score.ts', import.meta.url));
const mod = (await import(pathToFileURL(modulePath).href)) as typeof import('../src/eval/score.ts');
const walk = (d: string): string[] => readdirSync(d).sort().flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : f.endsWith('.csv') ? [join(d, f)] : []));

const levels = [0.5, 0.8, 0.999];
const rows = levels.map(() => 0);
const outside = levels.map(() => 0);
let hours = 0;
for (const f of walk(dir)) {
  const s = parseLabelledCsv(readFileSync(f, 'utf8'), f);
  const zones = catchZones(s.values.length, findEvents(s.labels));
  const scorer = new mod.StreamScorer();
  hours += (s.times[s.times.length - 1] - s.times[0]) / 3_600_000;
  for (let i = 0; i < s.values.length; i++) {
    const v = scorer.push(s.values[i], s.times[i]);
    levels.forEach((t, k) => {
      if (v >= t) {
        rows[k]++;
        if (!zones[i]) outside[k]++;
      }
    });
  }
}
console.log(`scorer ${modulePath}`);
levels.forEach((t, k) => console.log(`≥ ${t}: ${rows[k]} rows, ${outside[k]} outside events (${((outside[k] / hours) * 24).toFixed(3)} per day)`));
