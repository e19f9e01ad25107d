/**
 * The folders of src/ form floors (issue #14 item 2, docs/architecture.md): a module may import
 * its own folder, a folder on a lower floor, and nothing above. Every import statement of every
 * src/**\/*.ts file counts — type-only imports, re-exports and dynamic import() included, since
 * a type that lives on the wrong floor is the first step of a cycle. Test files are held to the
 * same rule: a test that needs a higher floor belongs one floor up (or in test/).
 *
 * Folders on the same floor do not import each other unless the pair is listed in SIDEWAYS with
 * the reason; that keeps each floor a set of independent concepts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** From the bottom. `service` is src/service.ts; `cluster` is the NATS scale-out (issue #16). */
export const FLOORS: readonly (readonly string[])[] = [
  ['domain'],
  ['ingest', 'detect', 'alerting'],
  ['store', 'sources', 'config', 'metrics'],
  ['engine'],
  ['notify', 'report', 'checkout'],
  ['cluster'],
  ['api'],
  ['service'],
  ['simulate', 'eval'],
  ['cli'],
];

/** Same-floor imports that are allowed, importer → imported, each with its reason. */
const SIDEWAYS: Readonly<Record<string, string>> = {
  // The configuration file embeds the store's connection settings (kind, path/URL) and reuses
  // the store's own validation of them, so `config` reads `store` and never the reverse.
  // The retention section of the configuration is typed by the store's retention policy.
  'config -> store': 'config types its retention section with store/retention.ts',
  // Evaluation measures the detectors on labelled synthetic traffic: it reads the simulator's
  // incident labels and runs it; the simulator knows nothing of evaluation.
  // The checkout analysis draws its chart in the monitoring charts' palette and its tests render
  // it with report/render.ts; the monitoring report knows nothing of checkout.
  'checkout -> report': 'checkout charts use the report palette and renderer',
  'eval -> simulate': 'eval scores detection on simulated traffic with known incidents',
};

const SRC = resolve(import.meta.dirname, '..', 'src');

function floorOf(folder: string): number {
  return FLOORS.findIndex((floor) => floor.includes(folder));
}

/** The top folder of a path under src/ ('service' for src/service.ts), or null outside src/. */
function folderOf(path: string): string | null {
  const rel = relative(SRC, path);
  if (rel.startsWith('..')) return null;
  const parts = rel.split(sep);
  return parts.length === 1 ? parts[0].replace(/\.ts$/, '') : parts[0];
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** Relative module specifiers of a file: imports, `import type`, re-exports, import(). */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map((f) => f.fileName).filter((s) => s.startsWith('.'));
}

test('every folder under src/ has a floor', () => {
  const folders = new Set(tsFiles(SRC).map((f) => folderOf(f)!));
  for (const folder of folders) assert.notEqual(floorOf(folder), -1, `src/${folder} is not in FLOORS (test/layering.test.ts, docs/architecture.md)`);
});

test('no module under src/ imports a folder above its own, nor a same-floor folder not listed', () => {
  const violations: string[] = [];
  for (const file of tsFiles(SRC)) {
    const from = folderOf(file)!;
    for (const spec of importsOf(file)) {
      const to = folderOf(resolve(dirname(file), spec));
      if (to === null || to === from) continue;
      const [a, b] = [floorOf(from), floorOf(to)];
      if (b > a) violations.push(`${relative(SRC, file)} imports ${spec}: ${from} (floor ${a}) must not import ${to} (floor ${b})`);
      else if (a === b && !SIDEWAYS[`${from} -> ${to}`]) violations.push(`${relative(SRC, file)} imports ${spec}: ${from} and ${to} share floor ${a}; list the pair in SIDEWAYS with a reason or move the import`);
    }
  }
  assert.deepEqual(violations, []);
});

test('the rule catches what it claims to: a type import one floor up is reported', () => {
  // The parser the check relies on sees type-only imports, re-exports and import().
  const src = "import type { A } from '../store/x.ts';\nexport { B } from './b.ts';\nconst c = await import('../api/c.ts');\n";
  const specs = ts.preProcessFile(src, true, true).importedFiles.map((f) => f.fileName);
  assert.deepEqual(specs, ['../store/x.ts', './b.ts', '../api/c.ts']);
  assert.ok(floorOf('store') > floorOf('alerting') && floorOf('api') > floorOf('notify'));
});
