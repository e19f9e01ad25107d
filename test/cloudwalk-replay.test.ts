/**
 * Replays the real cloudwalk export (3 days, one row per minute and status) through the engine,
 * minute by minute on a virtual clock, and checks what anyone sees by eye in the data:
 *   - the failed + backend_reversed storm of 2025-07-13 00:30–01:30 UTC alerts;
 *   - the denied bursts alert on denied, within minutes of their start;
 *   - stretches with nothing visible (checked hour by hour in the file) raise no alert.
 * Skipped with a message when the data directory is absent.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { batchesByMinute, readBatchFile } from '../src/sources/file.ts';
import { sqliteStore } from '../src/store/open.ts';
import { Engine } from '../src/engine/engine.ts';
import { VirtualClock } from '../src/domain/clock.ts';
import type { Alert } from '../src/domain/types.ts';

const FILE = fileURLToPath(new URL('../../shared/data/cloudwalk/transactions.csv', import.meta.url));
const absent = existsSync(FILE) ? false : `${FILE} absent: cloudwalk replay skipped`;

const at = (s: string) => Date.parse(s.replace(' ', 'T') + ':00Z');
const hhmm = (ms: number | null) => (ms === null ? 'open' : new Date(ms).toISOString().slice(5, 16).replace('T', ' '));
const describeAlert = (a: Alert) =>
  `${a.rule} ${a.severity} ${hhmm(a.startsAt)}→${hhmm(a.endsAt)} (observed ${a.observed} vs expected ${a.expected}): ${a.summary}`;

/** Denied bursts read off the file (minutes with denied ≥ 20 against a median of 6). */
const DENIED_BURSTS: Array<[string, string]> = [
  ['2025-07-12 17:09', '2025-07-12 17:26'],
  ['2025-07-13 08:48', '2025-07-13 09:17'],
  ['2025-07-13 11:32', '2025-07-13 11:51'],
  ['2025-07-13 21:30', '2025-07-13 21:59'],
  ['2025-07-15 03:04', '2025-07-15 03:32'],
];

/**
 * Hours with nothing visible: approved ≈ 7 000–7 300/h, denied ≈ 330–390/h, no failed and no
 * backend_reversed at all, no single-minute dip below 90 approved.
 */
const QUIET: Array<[string, string]> = [
  ['2025-07-12 18:00', '2025-07-13 00:00'],
  ['2025-07-14 06:00', '2025-07-14 11:00'],
  ['2025-07-15 05:00', '2025-07-15 12:00'],
];

describe('cloudwalk transactions.csv replayed through the engine', { skip: absent }, () => {
  let alerts: Alert[] = [];
  let evaluatedMinutes: number[] = [];
  let minutesInFile = 0;

  before(async () => {
    const { kind, batch } = readBatchFile(FILE);
    assert.equal(kind, 'counts');
    const store = sqliteStore(':memory:');
    await store.migrate();
    const clock = new VirtualClock(0);
    const engine = new Engine({ store, clock });
    await engine.start();
    const minutes = batchesByMinute(batch);
    minutesInFile = minutes.length;
    for (const { minute, batch: b } of minutes) {
      // A live feed: each minute arrives as it ends; the engine decides when it is complete.
      clock.set((minute + 1) * 60_000);
      const outcome = await engine.ingest(b);
      evaluatedMinutes.push(...outcome.evaluated.map((a) => a.minute));
    }
    evaluatedMinutes.push(...(await engine.flush()).assessments.map((a) => a.minute));
    alerts = (await store.listAlerts({ limit: 100_000 })).reverse();
    await store.close();
  });

  test('every minute of the file is evaluated exactly once, in order', () => {
    assert.equal(minutesInFile, 4320);
    assert.equal(evaluatedMinutes.length, minutesInFile);
    for (let i = 1; i < evaluatedMinutes.length; i++) assert.equal(evaluatedMinutes[i], evaluatedMinutes[i - 1] + 1);
  });

  test('the failed + backend_reversed storm of 2025-07-13 00:30–01:30 alerts', () => {
    const from = at('2025-07-13 00:28'), to = at('2025-07-13 01:30');
    const hits = alerts.filter((a) => ['failed', 'backend_reversed'].includes(a.labels.status) && a.startsAt >= from && a.startsAt <= to);
    assert.ok(hits.length > 0, 'an alert on failed or backend_reversed during the storm');
    const first = Math.min(...hits.map((a) => a.startsAt));
    assert.ok(first <= at('2025-07-13 00:40'), `first storm alert at ${hhmm(first)}: within 10 min of its start`);
    assert.ok(hits.some((a) => a.severity === 'critical'), `a critical one among: ${hits.map(describeAlert).join(' | ')}`);
    assert.ok(hits.some((a) => a.labels.status === 'failed'), 'failed is named');
  });

  for (const [start, end] of DENIED_BURSTS) {
    test(`the denied burst ${start}–${end.slice(11)} alerts on denied`, () => {
      const s = at(start), e = at(end);
      const hits = alerts.filter((a) => a.labels.status === 'denied' && a.startsAt <= e && (a.endsAt === null || a.endsAt > s));
      assert.ok(hits.length > 0, 'a denied alert during the burst');
      const earliest = Math.min(...hits.map((a) => Math.max(a.startsAt, s)));
      assert.ok(earliest <= s + 10 * 60_000, `denied alert active within 10 min of the start (first at ${hhmm(earliest)})`);
    });
  }

  for (const [start, end] of QUIET) {
    test(`the quiet stretch ${start}–${end.slice(11)} raises no alert`, () => {
      const s = at(start), e = at(end);
      const inside = alerts.filter((a) => a.startsAt >= s && a.startsAt < e);
      const critical = inside.filter((a) => a.severity === 'critical');
      assert.deepEqual(critical.map(describeAlert), [], 'no critical alert in a quiet stretch');
      assert.deepEqual(inside.map(describeAlert), [], 'no alert at all in a quiet stretch');
    });
  }
});
