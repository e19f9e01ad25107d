/**
 * Speed of `txmon score` on the largest series of the Microsoft cloud-monitoring corpus
 * (../shared/data/ms-cloud-monitoring, 67 680 rows in four minute-level files), in process:
 * parse + validate + score + format, best of 5 runs per file, and the whole `txmon score`
 * command (file in, file out) once per file.
 *
 *   node bench/score.ts [path/to/score.ts]
 *
 * The optional argument measures another version of the scorer module (e.g. a checkout of an
 * older commit) on the same rows, for before/after comparisons (docs/scoring.md).
 */
import { readFileSync } from 'node:fs';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DATA = join(ROOT, '../shared/data/ms-cloud-monitoring/data');
const FILES = ['mongodb-machine-rps/machine-01.csv', 'mongodb-application-rps/mongo-01.csv', 'data-ingress-rate/ingress-01.csv', 'service-unavailable/unavail-01.csv'];
if (!existsSync(DATA)) {
  console.log(`skipped: no ${DATA}`);
  process.exit(0);
}
const modulePath = process.argv[2] ? resolve(process.argv[2]) : join(ROOT, 'src/eval/score.ts');
const mod = (await import(pathToFileURL(modulePath).href)) as typeof import('../src/eval/score.ts');

let rows = 0;
let ms = 0;
for (const f of FILES) {
  const lines = readFileSync(join(DATA, f), 'utf8').split('\n').filter((l) => l.trim() !== '');
  let best = Infinity;
  for (let rep = 0; rep < 5; rep++) {
    const t0 = performance.now();
    const csv = new mod.CsvStreamScorer();
    csv.header(lines[0]);
    for (let i = 1; i < lines.length; i++) csv.line(lines[i]);
    best = Math.min(best, performance.now() - t0);
  }
  rows += lines.length - 1;
  ms += best;
}
console.log(`scorer ${modulePath}`);
console.log(`in process: ${rows} rows in ${ms.toFixed(0)} ms = ${Math.round((rows / ms) * 1000).toLocaleString('en')} rows/s (best of 5 per file)`);

if (!process.argv[2]) {
  const { scoreFile } = await import('../src/cli/score.ts');
  const dir = mkdtempSync(join(tmpdir(), 'txmon-bench-score-'));
  try {
    const t0 = performance.now();
    let n = 0;
    for (const f of FILES) n += await scoreFile(join(DATA, f), join(dir, 'out.csv'));
    const t = performance.now() - t0;
    console.log(`txmon score (file to file): ${n} rows in ${t.toFixed(0)} ms = ${Math.round((n / t) * 1000).toLocaleString('en')} rows/s`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
