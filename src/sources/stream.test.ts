import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TxmonError } from '../domain/errors.ts';
import type { MinuteCount } from '../domain/types.ts';
import { batchesByMinute, readBatchFile } from './file.ts';
import { mergeMinutes, NotInTimeOrderError, readMinutes, type MinuteRows, type StreamOptions } from './stream.ts';

const dir = mkdtempSync(join(tmpdir(), 'txmon-stream-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(text: string, ext = 'csv'): string {
  const p = join(dir, `f${n++}.${ext}`);
  writeFileSync(p, text);
  return p;
}
async function all(path: string, opts: StreamOptions = {}): Promise<MinuteRows[]> {
  const out: MinuteRows[] = [];
  for await (const g of readMinutes(path, opts)) out.push(g);
  return out;
}
const M = (iso: string): number => Date.parse(iso) / 60_000;
const rows = (cs: MinuteCount[]): string[] => cs.map((c) => `${c.scope}|${c.status}|${c.count}`).sort();
const same = (groups: MinuteRows[], path: string, opts: { date?: string } = {}): void => {
  const ref = batchesByMinute(readBatchFile(path, opts).batch);
  assert.deepEqual(groups.map((g) => g.minute), ref.map((r) => r.minute));
  groups.forEach((g, i) => assert.deepEqual(rows(g.counts), rows(ref[i].batch.counts), `minute ${g.minute}`));
};
async function rejects(path: string, opts: StreamOptions, code: string, message: RegExp): Promise<void> {
  await assert.rejects(all(path, opts), (err: unknown) => {
    assert.ok(err instanceof TxmonError, String(err));
    assert.equal(err.code, code);
    assert.match(err.message, message);
    return true;
  });
}

test('counts CSV: minute groups in order, absent statuses of a present scope-minute zero-filled, same as the whole-file parser', async () => {
  const p = file('\ufefftimestamp,status,count\r\n2025-07-12 13:45:00,approved,116\r\n2025-07-12 13:45:00,failed,1\r\n\r\n2025-07-12 13:46:00,Approved,120\r\n2025-07-12 13:48:00,approved,3\r\n');
  const groups = await all(p);
  assert.deepEqual(groups.map((g) => g.minute), [M('2025-07-12T13:45Z'), M('2025-07-12T13:46Z'), M('2025-07-12T13:48Z')]);
  assert.deepEqual(rows(groups[1].counts), ['all|approved|120', 'all|failed|0']);
  assert.equal(groups[1].counts[0].scope, 'all');
  same(groups, p);
});

test('read size does not matter: lines longer than the buffer, multi-byte names across reads, a BOM and no final newline', async () => {
  const lines = ['\ufefftimestamp,status,count,scope'];
  for (let m = 0; m < 40; m++) {
    const ts = `2025-07-12 13:${String(m).padStart(2, '0')}:00`;
    lines.push(`${ts},approved,${m + 1},loja-são-joão`, `${ts},failed,${m % 3},${'ç'.repeat(60)}`, `${ts},approved,7,${'ç'.repeat(60)}`);
  }
  const p = file(lines.join('\r\n'));
  const whole = await all(p);
  assert.equal(whole.length, 40);
  assert.deepEqual(rows(whole[39].counts), ['loja-são-joão|approved|40', `${'ç'.repeat(60)}|approved|7`, `${'ç'.repeat(60)}|failed|0`]);
  same(whole, p);
  // 16 bytes: every line is longer than a read; 17 and 61: reads end inside 2-byte characters.
  for (const chunkBytes of [16, 17, 61, 4096]) assert.deepEqual(await all(p, { chunkBytes }), whole, `chunkBytes ${chunkBytes}`);
});

test('exports: time + HHh MM need --date; gaps between minutes are filled with zeros; f0_ is count', async () => {
  const p = file('time,status,f0_\n00h 00,approved,10\n00h 00,denied,1\n00h 03,approved,12\n');
  await rejects(p, {}, 'TXMON_ERR_VALIDATION', /row 2: field "timestamp" must be .*"HHh MM" times need the date/);
  const groups = await all(p, { date: '2025-07-12' });
  assert.deepEqual(groups.map((g) => g.minute - M('2025-07-12T00:00Z')), [0, 1, 2, 3]);
  assert.deepEqual(rows(groups[1].counts), ['all|approved|0', 'all|denied|0']);
  assert.deepEqual(rows(groups[3].counts), ['all|approved|12', 'all|denied|0']);
  same(groups, p, { date: '2025-07-12' });
  await rejects(p, { date: '2025-13-01' }, 'TXMON_ERR_BAD_PARAMETER', /--date must be YYYY-MM-DD/);
});

test('a file not in time order: stream order throws NotInTimeOrderError, buffer order sorts it and zero-fills like the whole-file parser', async () => {
  const p = file('timestamp,status,count\n2025-07-12 00:00:00,approved,5\n2025-07-12 00:01:00,approved,6\n2025-07-12 00:00:00,failed,1\n2025-07-12 00:02:00,failed,2\n');
  await assert.rejects(all(p), (err: unknown) => err instanceof NotInTimeOrderError && /line 4: minute 2025-07-12T00:00:00.000Z comes after 2025-07-12T00:01:00.000Z/.test(err.message) && err.path === p);
  const groups = await all(p, { order: 'buffer' });
  same(groups, p);
  assert.deepEqual(rows(groups[1].counts), ['all|approved|6', 'all|failed|0'], 'failed is zero-filled before its first row too');
});

test('the real export (sorted by status) reads in buffer order like the whole-file parser', async (t) => {
  const real = new URL('../../../shared/data/cloudwalk/transactions.csv', import.meta.url).pathname;
  try {
    readBatchFile(real);
  } catch {
    t.skip('../shared/data/cloudwalk/transactions.csv absent');
    return;
  }
  same(await all(real, { order: 'buffer' }), real);
});

test('auth codes and raw transactions', async () => {
  const a = file('timestamp,auth_code,count,scope\n2025-07-12T00:00:00Z,00,5,p1\n2025-07-12T00:00:00Z,51,1,p1\n2025-07-12T00:01:00Z,00,4,p1\n');
  const ga = await all(a);
  assert.deepEqual(ga.map((g) => g.authCodes.map((c) => `${c.scope}|${c.authCode}|${c.count}`)), [['p1|00|5', 'p1|51|1'], ['p1|00|4']]);
  const r = file('id,timestamp,status,auth_code,amount\nt1,2025-07-12T00:00:10Z,approved,00,10.5\nt2,2025-07-12T00:00:50Z,approved,00,\nt1,2025-07-12T00:00:10Z,approved,00,10.5\nt3,2025-07-12T00:01:05Z,DENIED,51,3\n');
  const gr = await all(r);
  assert.deepEqual(gr.map((g) => rows(g.counts)), [['all|approved|2'], ['all|denied|1']]);
  assert.deepEqual(gr[0].authCodes.map((c) => [c.authCode, c.count]), [['00', 2]]);
  const conflict = file('id,timestamp,status\nt1,2025-07-12T00:00:10Z,approved\nt1,2025-07-12T00:00:20Z,denied\n');
  await rejects(conflict, {}, 'TXMON_ERR_CONFLICT', /row 3: transaction id "t1" appears twice/);
  await rejects(file('id,timestamp,status,amount\nt1,2025-07-12T00:00:10Z,approved,abc\n'), {}, 'TXMON_ERR_VALIDATION', /row 2: field "amount" must be a finite number/);
});

test('quoted fields take the RFC 4180 path', async () => {
  const p = file('timestamp,status,count,scope\n"2025-07-12 00:00:00",approved,5,"pos ""a"""\n2025-07-12 00:00:00,"failed",1,"pos ""a"""\n');
  const [g] = await all(p);
  assert.deepEqual(rows(g.counts), ['pos "a"|approved|5', 'pos "a"|failed|1']);
});

test('bad input: errors name the file, the line and the field', async () => {
  await rejects(join(dir, 'missing.csv'), {}, 'TXMON_ERR_BAD_PARAMETER', /cannot read file ".*missing\.csv"/);
  await rejects(file(''), {}, 'TXMON_ERR_EMPTY_BODY', /CSV is empty/);
  await rejects(file('timestamp,status,count\n\n'), {}, 'TXMON_ERR_EMPTY_BODY', /header but no data rows/);
  await rejects(file('timestamp,state,count\n2025-07-12 00:00:00,approved,1\n'), {}, 'TXMON_ERR_BAD_CSV', /missing column\(s\) status; unknown column\(s\) state/);
  await rejects(file('timestamp,status,count\n2025-07-12 00:00:00,approved\n'), {}, 'TXMON_ERR_BAD_CSV', /f\d+\.csv: line 2: expected 3 fields \(timestamp,status,count\), got 2/);
  await rejects(file('timestamp,status,count\n2025-07-12 00:00:00,approved,-1\n'), {}, 'TXMON_ERR_VALIDATION', /row 2: field "count" must be a non-negative integer, got "-1"/);
  await rejects(file('timestamp,status,count\n2025-07-12 00:00:00,approved,99999999\n'), {}, 'TXMON_ERR_VALIDATION', /row 2: field "count" must be at most 16777216/);
  await rejects(file('timestamp,status,count\n2025-07-12 25:00:00,approved,1\n'), {}, 'TXMON_ERR_VALIDATION', /row 2: field "timestamp"/);
  await rejects(file('timestamp,status,count\n,approved,1\n'), {}, 'TXMON_ERR_VALIDATION', /row 2: field "timestamp"/);
  await rejects(file('timestamp,status,count\n2025-07-12 00:00:00,approved,1\n,approved,1\n'), {}, 'TXMON_ERR_VALIDATION', /row 3: field "timestamp"/);
  await rejects(file('timestamp,status,count\n2025-07-12 00:00:00,,1\n'), {}, 'TXMON_ERR_VALIDATION', /row 2: field "status" must be a non-empty string/);
  await rejects(file('timestamp,status,count\n2025-07-12 00:00:00,approved,1\n2025-07-12 00:00:30,APPROVED,2\n'), {}, 'TXMON_ERR_VALIDATION', /row 3: duplicate \(scope, minute, status\) = \(all, 2025-07-12T00:00:00.000Z, approved\); first given on row 2/);
  await rejects(file('timestamp,status,count\n2025-07-12 00:00:00,approved,1\n2025-07-12 00:01:00,approved,1\n2025-07-12 00:00:00,approved,2\n'), { order: 'buffer' }, 'TXMON_ERR_VALIDATION', /row 4: duplicate/);
});

test('JSON and NDJSON files go through the whole-file parsers', async () => {
  const p = file('[{"timestamp":"2025-07-12T00:01:00Z","status":"approved","count":3},{"timestamp":"2025-07-12T00:00:00Z","status":"failed","count":1}]', 'json');
  const g = await all(p);
  assert.deepEqual(g.map((x) => rows(x.counts)), [['all|failed|1'], ['all|approved|3']]);
  const nd = file('{"id":"a","timestamp":"2025-07-12T00:00:00Z","status":"approved","auth_code":"00"}\n{"id":"b","timestamp":"2025-07-12T00:00:05Z","status":"approved","auth_code":"00"}\n', 'ndjson');
  const [r] = await all(nd);
  assert.deepEqual([rows(r.counts), r.authCodes.map((c) => [c.authCode, c.count])], [['all|approved|2'], [['00', 2]]]);
});
