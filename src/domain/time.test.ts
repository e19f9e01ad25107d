import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isValidTimeZone, minuteOfDay, minuteOfWeek, minuteToIso, parseHourMinute, parseTimestamp, toMinute, zonedToEpochMs,
} from './time.ts';

const utc = (s: string) => Date.parse(s);

test('parseTimestamp: ISO-8601 with a zone, "T" or space separator, any offset form', () => {
  const want = utc('2025-07-12T13:45:00Z');
  for (const text of [
    '2025-07-12T13:45:00Z', '2025-07-12T13:45:00z', '2025-07-12T13:45Z', '2025-07-12 13:45:00Z',
    '2025-07-12T10:45:00-03:00', '2025-07-12T10:45:00-0300', '2025-07-12T10:45:00-03', '2025-07-12 10:45:00-03',
    '2025-07-12T19:15:00+05:30', '2025-07-12T13:45:00+00:00', '  2025-07-12T13:45:00Z  ',
  ]) {
    assert.equal(parseTimestamp(text), want, text);
  }
  assert.equal(parseTimestamp('2025-07-12T13:45:00.123Z'), want + 123);
  assert.equal(parseTimestamp('2025-07-12T13:45:00.123456789Z'), want + 123);
  // A zone in the text wins over the configured zone.
  assert.equal(parseTimestamp('2025-07-12T13:45:00Z', 'America/Sao_Paulo'), want);
});

test('parseTimestamp: naive timestamps are read in the configured zone', () => {
  assert.equal(parseTimestamp('2025-07-12 13:45:00'), utc('2025-07-12T13:45:00Z'));
  assert.equal(parseTimestamp('2025-07-12T13:45'), utc('2025-07-12T13:45:00Z'));
  assert.equal(parseTimestamp('2025-07-12 13:45:00.5'), utc('2025-07-12T13:45:00.500Z'));
  // São Paulo is UTC-3 all year (no DST since 2019).
  assert.equal(parseTimestamp('2025-07-12 10:45:00', 'America/Sao_Paulo'), utc('2025-07-12T13:45:00Z'));
  assert.equal(parseTimestamp('2025-01-12 10:45:00', 'America/Sao_Paulo'), utc('2025-01-12T13:45:00Z'));
  // Berlin: UTC+2 in summer, UTC+1 in winter.
  assert.equal(parseTimestamp('2025-07-01 10:00:00', 'Europe/Berlin'), utc('2025-07-01T08:00:00Z'));
  assert.equal(parseTimestamp('2025-01-15 10:00:00', 'Europe/Berlin'), utc('2025-01-15T09:00:00Z'));
  // Around the autumn change (03:00 CEST → 02:00 CET on 2025-10-26 at 01:00Z).
  assert.equal(parseTimestamp('2025-10-26 04:00:00', 'Europe/Berlin'), utc('2025-10-26T03:00:00Z'));
  assert.equal(parseTimestamp('2025-10-25 23:00:00', 'Europe/Berlin'), utc('2025-10-25T21:00:00Z'));
  // Date only: midnight in the zone.
  assert.equal(parseTimestamp('2025-07-12'), utc('2025-07-12T00:00:00Z'));
  assert.equal(parseTimestamp('2025-07-12', 'America/Sao_Paulo'), utc('2025-07-12T03:00:00Z'));
});

test('parseTimestamp: epoch seconds and milliseconds, as numbers or digit strings', () => {
  const ms = utc('2025-07-12T13:45:00Z');
  assert.equal(parseTimestamp(ms / 1000), ms);
  assert.equal(parseTimestamp(ms), ms);
  assert.equal(parseTimestamp(String(ms / 1000)), ms);
  assert.equal(parseTimestamp(String(ms)), ms);
  assert.equal(parseTimestamp(ms / 1000 + 0.5), ms + 500);
});

test('parseTimestamp: rejects what cannot be read, never rolls impossible values over', () => {
  for (const bad of [
    '', '   ', 'yesterday', '12/07/2025 13:45', '2025-13-01 00:00:00', '2025-02-30 10:00:00', '2025-02-30T10:00:00Z',
    '2025-07-12T24:00:00Z', '2025-07-12 13:60:00', '2025-07-12T13:45:00+25:00', '2025-07-12T13:45:00 UTC', '1969-12-31T23:59:59Z',
    '2025-07-12T13:45:00ZZ', '14h 05',
  ]) {
    assert.equal(parseTimestamp(bad), null, JSON.stringify(bad));
  }
  for (const bad of [Number.NaN, Infinity, -1, 9e15, null, undefined, true, {}, []]) assert.equal(parseTimestamp(bad), null, String(bad));
  assert.equal(parseTimestamp('2024-02-29T10:00:00Z'), utc('2024-02-29T10:00:00Z'), 'leap day');
  assert.equal(parseTimestamp('2025-02-29 10:00:00'), null, 'not a leap year');
  assert.equal(parseTimestamp('2000-02-29T00:00:00z'), utc('2000-02-29T00:00:00Z'), 'a leap year divisible by 400; lower-case z');
  assert.equal(parseTimestamp('2100-02-29T00:00:00Z'), null, 'divisible by 100, not by 400: not a leap year');
  assert.equal(parseTimestamp('2025-04-31 00:00:00'), null, 'April has 30 days');
  assert.equal(parseTimestamp('2025-12-31T23:59:59Z'), utc('2025-12-31T23:59:59Z'));
  assert.equal(parseTimestamp('2025-07-12 13:45:00Z '), utc('2025-07-12T13:45:00Z'), 'trailing space after the zone');
});

test('parseHourMinute: "HHh MM" export times', () => {
  assert.equal(parseHourMinute('14h 05'), 14 * 60 + 5);
  assert.equal(parseHourMinute('00h 00'), 0);
  assert.equal(parseHourMinute('00h'), 0);
  assert.equal(parseHourMinute('9h5'), 9 * 60 + 5);
  assert.equal(parseHourMinute(' 23h 59 '), 23 * 60 + 59);
  for (const bad of ['24h 00', '14h 60', '14:05', 'h 05', '14 05', '', '14h 5x']) assert.equal(parseHourMinute(bad), null, bad);
});

test('minute helpers', () => {
  const ms = utc('2025-07-14T00:00:30Z'); // a Monday
  const m = toMinute(ms);
  assert.equal(minuteToIso(m), '2025-07-14T00:00:00.000Z');
  assert.equal(minuteOfDay(m), 0);
  assert.equal(minuteOfWeek(m), 0, 'Monday 00:00 is minute 0 of the week');
  assert.equal(minuteOfWeek(m + 6 * 1440 + 1439), 10079);
  assert.equal(minuteOfWeek(m + 7 * 1440), 0);
  assert.equal(minuteOfDay(toMinute(utc('2025-07-12T13:45:00Z'))), 13 * 60 + 45);
  assert.equal(toMinute(-1), -1, 'floor, not truncation');
  assert.equal(minuteOfDay(-1), 1439);
});

test('time zones', () => {
  assert.equal(isValidTimeZone('UTC'), true);
  assert.equal(isValidTimeZone('America/Sao_Paulo'), true);
  assert.equal(isValidTimeZone('Mars/Olympus'), false);
  assert.equal(zonedToEpochMs(2025, 7, 12, 10, 45, 0, 0, 'America/Sao_Paulo'), utc('2025-07-12T13:45:00Z'));
});
