import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeasonalBaseline, DEFAULT_BASELINE } from './baseline.ts';
import { ZoneCalendar } from '../domain/time.ts';

// New York moved its clocks from 02:00 EST to 03:00 EDT on 2025-03-09 (07:00 UTC).
const DST = Date.UTC(2025, 2, 9, 7, 0) / 60_000;
const zone = 'America/New_York';

test('ZoneCalendar: local wall-clock minutes, UTC unchanged', () => {
  const ny = new ZoneCalendar(zone);
  const before = Date.UTC(2025, 2, 8, 12, 0) / 60_000; // 07:00 EST
  const after = Date.UTC(2025, 2, 10, 12, 0) / 60_000; // 08:00 EDT
  assert.equal((ny.local(before) % 1440) / 60, 7);
  assert.equal((ny.local(after) % 1440) / 60, 8);
  assert.equal(new ZoneCalendar().local(before), before);
  assert.throws(() => new ZoneCalendar('Mars/Olympus'), /IANA/);
});

test('seasonal buckets follow local time across a daylight-saving change', () => {
  // Busy from 20:00 to 21:00 local time every day (100/min), quiet otherwise (10/min).
  const cal = new ZoneCalendar(zone);
  const busy = (m: number) => ((cal.local(m) % 1440) >= 20 * 60 && (cal.local(m) % 1440) < 21 * 60 ? 100 : 10);
  const local = new SeasonalBaseline({ ...DEFAULT_BASELINE, calendar: cal });
  const utc = new SeasonalBaseline(DEFAULT_BASELINE);
  const start = DST - 6 * 1440;
  for (let m = start; m < DST + 2 * 1440; m++) {
    local.learn(m, busy(m));
    utc.learn(m, busy(m));
  }
  // Two days after the change: 20:30 local (00:30 UTC, an hour earlier in UTC than before).
  const at = Date.UTC(2025, 2, 12, 0, 30) / 60_000;
  assert.equal(busy(at), 100);
  const e = local.expected(at);
  assert.equal(e.source, 'seasonal-day');
  assert.ok(e.mean > 70, `local buckets expect the evening peak: ${e.mean}`);
  assert.ok(utc.expected(at).mean < e.mean, 'UTC buckets still half in the old hour');
});
