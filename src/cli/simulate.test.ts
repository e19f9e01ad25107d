import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { TxmonError } from '../domain/errors.ts';
import { parseSimulateOptions, register, runSimulate, type RawSimulateOptions } from './simulate.ts';

const OUT = join(tmpdir(), 'x.csv');

function rejects(raw: RawSimulateOptions, message: RegExp): void {
  assert.throws(() => parseSimulateOptions(raw), (err: unknown) => {
    assert.ok(err instanceof TxmonError, String(err));
    assert.equal(err.code, 'TXMON_ERR_BAD_PARAMETER');
    assert.match(err.message, message);
    return true;
  });
}

test('bad options are rejected with a message naming the flag, the expectation and the value', () => {
  rejects({ days: '0', out: OUT }, /^--days must be a number > 0 and ≤ 366, got "0"$/);
  rejects({ days: '367', out: OUT }, /--days .* got "367"/);
  rejects({ days: 'abc', out: OUT }, /--days .* got "abc"/);
  rejects({ days: '-2', out: OUT }, /--days/);
  rejects({ seed: '1.5', out: OUT }, /^--seed must be an integer from 0 to 4294967295, got "1.5"$/);
  rejects({ seed: '4294967296', out: OUT }, /--seed/);
  rejects({ scopes: '0', out: OUT }, /^--scopes must be an integer from 1 to 1000, got "0"$/);
  rejects({ scopes: '2.5', out: OUT }, /--scopes/);
  rejects({ start: '2025-02-30', out: OUT }, /^--start must be a UTC date YYYY-MM-DD/);
  rejects({ start: 'yesterday', out: OUT }, /--start/);
  rejects({ incidentsPerDay: '30', out: OUT }, /--incidents-per-day must be a number ≥ 0 and ≤ 24/);
  rejects({ volumeScale: '0', out: OUT }, /--volume-scale must be a number > 0/);
  rejects({ rhythm: 'daily', out: OUT }, /--rhythm must be "retail", "flat" or "strong", got "daily"/);
  rejects({}, /^--out must be a file path/);
  rejects({ out: join(tmpdir(), 'no-such-dir-txmon', 'x.csv') }, /--out must be a file in an existing directory/);
  rejects({ out: OUT, authCodesOut: OUT }, /--auth-codes-out must be a different file from --out/);
  rejects({ out: OUT, labelsOut: '-' }, /--labels-out/);
});

test('good options become simulator options', () => {
  const { options, files } = parseSimulateOptions({
    days: '2.5', seed: '42', scopes: '3', out: OUT, start: '2025-01-06', incidents: false, volumeScale: '0.5', rhythm: 'flat', incidentsPerDay: '6',
  });
  assert.deepEqual(options, {
    days: 2.5, seed: 42, scopes: 3, incidents: false, start: Date.UTC(2025, 0, 6) / 60_000, volumeScale: 0.5, rhythm: 'flat', incidentsPerDay: 6,
  });
  assert.deepEqual(files, { counts: OUT });
  assert.deepEqual(parseSimulateOptions({ out: '-' }).options, { days: 14, seed: 1, scopes: 1, incidents: true });
});

test('runSimulate writes the files and summarises rows and incidents by kind', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'txmon-cli-sim-'));
  try {
    const raw = { days: '1', seed: '7', scopes: '2', out: join(dir, 'c.csv'), authCodesOut: join(dir, 'a.csv'), labelsOut: join(dir, 'l.json'), start: '2025-03-03' };
    const { summary, lines } = await runSimulate(raw);
    const csv = readFileSync(raw.out, 'utf8').split('\n');
    assert.equal(csv[0], 'timestamp,status,count,scope');
    assert.match(csv[1], /^2025-03-03 00:00:00,approved,\d+,pos-01$/);
    assert.equal(summary.countRows, csv.length - 2);
    const labels = JSON.parse(readFileSync(raw.labelsOut, 'utf8')) as { incidents: unknown[] };
    assert.equal(labels.incidents.length, 4);
    const text = lines.join('\n');
    assert.match(text, new RegExp(`counts +${summary.countRows} rows`));
    assert.match(text, /incidents +4 \(failed_spike \d, denied_burst \d, backend_reversed_storm \d, outage \d, slow_drift \d, silent_scope \d, volume_surge \d;/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the command is registered and rejects bad input with a TxmonError', async () => {
  const program = new Command().exitOverride();
  register(program);
  const cmd = program.commands.find((c) => c.name() === 'simulate');
  assert.ok(cmd);
  await assert.rejects(
    program.parseAsync(['node', 'txmon', 'simulate', '--days', '0', '--out', OUT]),
    (err: unknown) => err instanceof TxmonError && /--days must be/.test(err.message),
  );
});

test('new options: --rhythm strong, --format, --incident-kinds, --rare-statuses, low --volume-scale', () => {
  const a = parseSimulateOptions({ out: OUT, rhythm: 'strong', format: 'export', volumeScale: '0.05', incidentsPerDay: '3', seed: '4' });
  assert.equal(a.format, 'export');
  assert.deepEqual(a.options, { days: 1, seed: 4, scopes: 1, incidents: true, incidentsPerDay: 3, volumeScale: 0.05, rhythm: 'strong' }, 'an export defaults to one day');
  assert.equal(parseSimulateOptions({ out: OUT }).format, 'csv');
  const b = parseSimulateOptions({ out: OUT, incidentKinds: 'level_shift, denied_burst', rareStatuses: 'chargeback,dispute:0.0005' });
  assert.deepEqual(b.options.incidentKinds, ['level_shift', 'denied_burst']);
  assert.deepEqual(b.options.rareStatuses, [{ status: 'chargeback', perMinute: 0.002 }, { status: 'dispute', perMinute: 0.0005 }]);
  assert.equal(parseSimulateOptions({ out: OUT, format: 'export', days: '0.5', start: '2025-07-14T12:00' }).options.days, 0.5);
});

test('new options are rejected with the flag, the expectation and the value', () => {
  rejects({ format: 'tsv', out: OUT }, /^--format must be "csv" or "export", got "tsv"$/);
  rejects({ format: 'export', days: '2', out: OUT }, /^--days must be at most 1 with --format export \(an export holds one day\), got "2"$/);
  rejects({ format: 'export', scopes: '3', out: OUT }, /^--scopes must be 1 with --format export \(an export holds one scope\), got "3"$/);
  rejects({ format: 'export', start: '2025-07-14T12:00', out: OUT }, /^--start must be a time that leaves --days 1 inside one UTC day with --format export .*, got "2025-07-14T12:00"$/);
  rejects({ incidentKinds: 'level_shift,spike', out: OUT }, /^--incident-kinds must be a comma list of distinct incident kinds from failed_spike, .*level_shift, got "spike"$/);
  rejects({ incidentKinds: '', out: OUT }, /--incident-kinds .* got ""/);
  rejects({ incidentKinds: 'outage,outage', out: OUT }, /--incident-kinds .*\(outage is listed twice\), got "outage,outage"/);
  rejects({ rareStatuses: 'Charge back', out: OUT }, /^--rare-statuses must be a comma list of name\[:rate\] .*, got "Charge back"$/);
  rejects({ rareStatuses: 'chargeback:2', out: OUT }, /^--rare-statuses must be a rate in \(0, 1\] events per minute, got "chargeback:2"$/);
  rejects({ rareStatuses: 'chargeback:0', out: OUT }, /--rare-statuses must be a rate/);
  rejects({ rareStatuses: 'failed', out: OUT }, /^--rare-statuses must be names other than the simulated statuses and each other \(failed is taken\), got "failed"$/);
  rejects({ rareStatuses: 'a,a', out: OUT }, /\(a is taken\)/);
  rejects({ volumeScale: '-0.05', out: OUT }, /--volume-scale/);
});

test('runSimulate --format export: a one-day export and the date to read it with', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'txmon-cli-sim-'));
  try {
    const raw = { rhythm: 'strong', format: 'export', volumeScale: '0.3', incidentsPerDay: '3', seed: '5', out: join(dir, 'day.csv'), labelsOut: join(dir, 'day.json') };
    const { summary, lines } = await runSimulate(raw);
    const csv = readFileSync(raw.out, 'utf8').split('\n');
    assert.equal(csv[0], 'time,status,f0_');
    assert.match(csv[1], /^00h 00,approved,\d+$/);
    assert.equal(summary.countRows, csv.length - 2);
    assert.equal(summary.minutes, 1440);
    const text = lines.join('\n');
    assert.match(text, /one-day export of 2025-07-14: read it with --date 2025-07-14/);
    assert.match(text, /incidents +3 /);
    const kinds = await runSimulate({ days: '2', seed: '3', incidentKinds: 'level_shift,failed_spike', out: join(dir, 'ls.csv') });
    assert.match(kinds.lines.join('\n'), /incidents +8 \(level_shift \d, failed_spike \d; level_shift expects alerts only in its first 30 min\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
