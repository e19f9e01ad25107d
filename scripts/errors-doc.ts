/**
 * The table of docs/errors.md, generated from the one declaration of every error code
 * (src/domain/errors.ts). `node scripts/errors-doc.ts` rewrites the section between the markers;
 * test/errors-doc.test.ts fails when the document differs from what this would write.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { errorStatuses } from '../src/domain/errors.ts';

export const DOC = fileURLToPath(new URL('../docs/errors.md', import.meta.url));
export const BEGIN = '<!-- errors:begin (generated from src/domain/errors.ts by `node scripts/errors-doc.ts`; do not edit) -->';
export const END = '<!-- errors:end -->';

/** The markdown table: one row per code, and one per named variant with its own status. */
export function errorTable(): string {
  const cell = (s: string) => s.replaceAll('|', '\\|');
  const rows = errorStatuses().map((e) => {
    const name = e.variant ? `\`${e.code}\` (${e.variant})` : `\`${e.code}\``;
    const status = e.cliOnly ? `${e.status} (CLI)` : String(e.status);
    return `| ${name} | ${status} | ${cell(e.meaning)} |`;
  });
  return ['| code | HTTP status | meaning |', '|---|---|---|', ...rows].join('\n');
}

/** The document with its generated section replaced by the current table. */
export function withTable(doc: string): string {
  const a = doc.indexOf(BEGIN);
  const b = doc.indexOf(END);
  if (a === -1 || b < a) throw new Error(`${DOC}: markers ${BEGIN} … ${END} not found`);
  return `${doc.slice(0, a + BEGIN.length)}\n${errorTable()}\n${doc.slice(b)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const doc = readFileSync(DOC, 'utf8');
  const next = withTable(doc);
  if (next !== doc) writeFileSync(DOC, next);
  console.log(next === doc ? `${DOC}: up to date` : `${DOC}: table rewritten`);
}
