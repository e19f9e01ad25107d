import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { TxmonError } from '../domain/errors.ts';
import { checkoutRowsToCsv, synthesizeCheckout } from '../../test/helpers/checkoutSynthetic.ts';
import { openStore } from '../store/open.ts';
import { checkoutSourceName, checkoutStoreDeps, register, runCheckoutAnalyze } from './checkout.ts';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'txmon-checkout-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('txmon checkout analyze writes PNG, SVG and the report and prints the conclusion', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'pos_7.csv');
  writeFileSync(file, checkoutRowsToCsv(synthesizeCheckout({ seed: 11, episodes: [{ start: 12, end: 13, factor: 0 }] })));
  const out = join(dir, 'out');
  const program = new Command().exitOverride();
  register(program);
  const printed: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => (printed.push(String(chunk)), true)) as typeof process.stdout.write;
  try {
    await program.parseAsync(['node', 'txmon', 'checkout', 'analyze', file, '--out', out, '--format', 'html', '--db', ':memory:']);
  } finally {
    process.stdout.write = write;
  }
  assert.deepEqual(readdirSync(out).sort(), ['pos_7.html', 'pos_7.png', 'pos_7.svg']);
  const png = readFileSync(join(out, 'pos_7.png'));
  assert.deepEqual(png.subarray(0, 8), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  assert.ok(png.length > 10_000);
  assert.match(readFileSync(join(out, 'pos_7.svg'), 'utf8'), /^<svg/);
  assert.match(readFileSync(join(out, 'pos_7.html'), 'utf8'), /<svg/);
  // --db: the stored hours come back through checkout_hourly as a table in the report.
  assert.match(readFileSync(join(out, 'pos_7.html'), 'utf8'), /Stored hours \(named query <code>checkout_hourly<\/code>\)[\s\S]*<tbody>\n<tr><td>0<\/td>/);
  assert.match(printed.join(''), /pos_7: ANOMALOUS \(critical\)\. CRITICAL outage 1[12]h–1[34]h/);
});

test('runCheckoutAnalyze: several files, markdown and json, store seam called per file', async (t) => {
  const dir = tempDir(t);
  const a = join(dir, 'a.csv');
  const b = join(dir, 'b.csv');
  writeFileSync(a, checkoutRowsToCsv(synthesizeCheckout({ seed: 1 })));
  writeFileSync(b, checkoutRowsToCsv(synthesizeCheckout({ seed: 2, episodes: [{ start: 18, end: 20, factor: 2.5 }] })));
  const loaded: Array<[string, number]> = [];
  const lines: string[] = [];
  const results = await runCheckoutAnalyze([a, b], { out: join(dir, 'md'), format: 'md' }, {
    loadIntoStore: async (source, rows) => void loaded.push([source, rows.length]),
    print: (s) => lines.push(s),
  });
  assert.deepEqual(loaded, [['a', 24], ['b', 24]]);
  assert.equal(results.length, 2);
  assert.equal(results[0].analysis.day.anomalous, false);
  assert.equal(results[1].analysis.episodes.some((e) => e.kind === 'surge' && e.severity === 'warning'), true);
  assert.match(readFileSync(join(dir, 'md', 'a.md'), 'utf8'), /!\[.*\]\(a\.png\)/);
  assert.match(lines[0], /^a: no anomaly/);
  await runCheckoutAnalyze([b], { out: join(dir, 'json'), format: 'json' }, { print: () => {} });
  assert.equal(JSON.parse(readFileSync(join(dir, 'json', 'b.json'), 'utf8')).source, 'b');
});

test('a bad file fails the command before anything is written, naming file, row and field', async (t) => {
  const dir = tempDir(t);
  const good = join(dir, 'good.csv');
  const bad = join(dir, 'bad.csv');
  writeFileSync(good, checkoutRowsToCsv(synthesizeCheckout({ seed: 1 })));
  writeFileSync(bad, checkoutRowsToCsv(synthesizeCheckout({ seed: 1 })).replace('\n05h,', '\n05h,-'));
  const out = join(dir, 'out');
  await assert.rejects(runCheckoutAnalyze([good, bad], { out, format: 'md' }, { print: () => {} }), (err: unknown) => {
    assert.ok(err instanceof TxmonError);
    assert.equal(err.code, 'TXMON_ERR_VALIDATION');
    assert.match(err.message, /bad\.csv: row 6: field "today"/);
    return true;
  });
  assert.equal(existsSync(out), false);
  await assert.rejects(runCheckoutAnalyze([join(dir, 'missing.csv')], { out, format: 'md' }), { code: 'TXMON_ERR_NOT_FOUND' });
  await assert.rejects(runCheckoutAnalyze([good], { out, format: 'pdf' as 'md' }), { code: 'TXMON_ERR_BAD_PARAMETER' });
  await assert.rejects(runCheckoutAnalyze([good, join(dir, 'x', 'good.csv')], { out, format: 'md' }), /both write "good\.\*"/);
});

test('checkoutSourceName', () => {
  assert.equal(checkoutSourceName('/data/checkout_1.csv'), 'checkout_1');
  assert.equal(checkoutSourceName('pos.7.csv'), 'pos.7');
  assert.equal(checkoutSourceName('noext'), 'noext');
});

test('with a store: each file is written under its source and the JSON report carries checkout_hourly rows', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'pos_9.csv');
  const rows = synthesizeCheckout({ seed: 5 });
  writeFileSync(file, checkoutRowsToCsv(rows));
  const store = await openStore(':memory:');
  t.after(() => store.close());
  await store.writeCheckout('pos_9', synthesizeCheckout({ seed: 6 }).slice(0, 3)); // replaced below
  const [result] = await runCheckoutAnalyze([file], { out: join(dir, 'out'), format: 'json' }, { ...checkoutStoreDeps(store), print: () => {} });
  const doc = JSON.parse(readFileSync(result.outputs.report, 'utf8'));
  assert.equal(doc.schema, 'txmon.checkout.v1');
  assert.equal(doc.storeQuery.query, 'checkout_hourly');
  assert.equal(doc.storeQuery.rows.length, 24);
  assert.deepEqual(doc.storeQuery.rows.map((r: { today: number }) => r.today), rows.map((r) => r.today));
  assert.deepEqual(result.storeQuery, doc.storeQuery.rows);
  const md = await runCheckoutAnalyze([file], { out: join(dir, 'md'), format: 'md' }, { ...checkoutStoreDeps(store), print: () => {} });
  assert.match(readFileSync(md[0].outputs.report, 'utf8'), /## Stored hours[\s\S]*\| 23 \| /);
});
