/** The `txmon` command line, run as a user runs it: `node bin/txmon.js …` in a child process. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sqliteStore } from '../src/store/open.ts';
import { minuteRows, normalMinute, startServer, warmupRows, type TestServer } from './helpers/server.ts';

const BIN = fileURLToPath(new URL('../bin/txmon.js', import.meta.url));

interface Run { code: number; stdout: string; stderr: string }

/** Runs the CLI without blocking the event loop (the test server lives in this process). */
function txmon(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A small counts file: 5 minutes, three statuses; one (minute, status) pair absent (= 0). */
function countsCsv(): string {
  const lines = ['timestamp,status,count'];
  for (let i = 0; i < 5; i++) {
    const ts = `2025-07-01 10:0${i}:00`;
    lines.push(`${ts},approved,${110 + i}`, `${ts},denied,${5 + (i % 2)}`);
    if (i !== 2) lines.push(`${ts},reversed,1`);
  }
  return lines.join('\n') + '\n';
}

describe('txmon CLI', () => {
  let dir: string;
  let csv: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'txmon-cli-'));
    csv = join(dir, 'counts.csv');
    writeFileSync(csv, countsCsv());
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('--help lists serve, replay and import', async () => {
    const r = await txmon(['--help']);
    assert.equal(r.code, 0, r.stderr);
    for (const cmd of ['serve', 'replay', 'import']) assert.match(r.stdout, new RegExp(`^\\s+${cmd} `, 'm'), `${cmd} listed`);
    const replay = await txmon(['replay', '--help']);
    for (const opt of ['--to', '--speed', '--shift-to-now']) assert.match(replay.stdout, new RegExp(opt));
  });

  test('import loads a CSV into a fresh database and prints the summary', async () => {
    const db = join(dir, 'import.db');
    const r = await txmon(['import', csv, '--db', db, '--no-progress']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^imported 15 counts rows over 5 minutes in [\d.]+ s \(\d+ rows\/s\); 5 minutes evaluated, 0 alert updates$/m);
    const store = sqliteStore(db);
    try {
      await store.migrate();
      const m0 = Date.UTC(2025, 6, 1, 10, 0) / 60_000;
      const rows = await store.readCounts('all', m0, m0 + 5);
      assert.equal(rows.length, 15);
      assert.equal(rows.find((x) => x.minute === m0 + 2 && x.status === 'reversed')?.count, 0, 'absent pair stored as 0');
      assert.equal((await store.stats()).assessments, 5);
    } finally {
      await store.close();
    }
  });

  test('import builds the service\'s engine from the config (engine.max_gap_minutes holds) and notifies nothing, on purpose', async () => {
    // 90 normal minutes, two with failures (an alert), then 30 silent minutes and one more minute.
    const T0 = Date.UTC(2025, 6, 1, 10, 0);
    const spike = { ...normalMinute(90), failed: 40, approved: 5 };
    const rows = [...warmupRows(T0, 90), ...minuteRows(T0 + 90 * 60_000, spike), ...minuteRows(T0 + 91 * 60_000, spike),
      ...minuteRows(T0 + 122 * 60_000, normalMinute(122))];
    const file = join(dir, 'gap.json');
    writeFileSync(file, JSON.stringify(rows));
    const config = join(dir, 'gap.yaml');
    writeFileSync(config, ['engine:', '  max_gap_minutes: 10', 'alerting:',
      '  receivers: [{name: hook, webhook_configs: [{url: "http://127.0.0.1:9/hook"}]}]',
      '  route: {receiver: hook, group_wait: 0s}', ''].join('\n'));
    const evaluated = (r: Run) => Number(/; (\d+) minutes evaluated, (\d+) alert updates/.exec(r.stdout)?.[1]);
    const whole = await txmon(['import', file, '--db', join(dir, 'gap-default.db'), '--no-progress']);
    assert.equal(whole.code, 0, whole.stderr);
    assert.equal(evaluated(whole), 93 + 30, 'default max_gap_minutes (1440): every silent minute judged');
    const db = join(dir, 'gap-10.db');
    const cut = await txmon(['import', file, '--db', db, '--config', config, '--no-progress']);
    assert.equal(cut.code, 0, cut.stderr);
    assert.equal(evaluated(cut), 93 + 10, 'engine.max_gap_minutes: 10 reaches the import engine');
    const store = sqliteStore(db);
    try {
      await store.migrate();
      assert.ok((await store.stats()).alerts > 0, 'the spike raised an alert');
      assert.deepEqual(await store.listOutbox({ limit: 10 }), [], 'history is imported silently: nothing planned');
    } finally {
      await store.close();
    }
  });

  test('import rejects bad input with a stable code and exit status 2', async () => {
    const missing = await txmon(['import', join(dir, 'nope.csv'), '--db', join(dir, 'x.db')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /TXMON_ERR_BAD_PARAMETER: cannot read file/);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'timestamp,status,count\n2025-07-01 10:00:00,approved,-4\n');
    const r = await txmon(['import', bad, '--db', join(dir, 'x.db')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /TXMON_ERR_VALIDATION: .*bad\.csv: row 2: field "count"/);
    const kind = await txmon(['import', csv, '--db', join(dir, 'x.db'), '--kind', 'bogus']);
    assert.equal(kind.code, 2);
    assert.match(kind.stderr, /--kind must be counts, auth-codes or raw, got "bogus"/);
  });

  describe('replay against a running server', () => {
    let srv: TestServer;
    before(async () => {
      srv = await startServer();
    });
    after(async () => srv?.close());

    test('replay FILE --to URL --speed 0 streams every minute', async () => {
      const r = await txmon(['replay', csv, '--to', srv.url, '--speed', '0']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^replayed 5 minutes to ${srv.url.replace(/[.]/g, '\\.')}; 0 answered should_alert$`, 'm'));
      assert.equal(r.stdout.trim().split('\n').length, 6, 'one line per minute and the summary');
      const store = srv.service.ctx.store;
      assert.equal((await store.stats()).countRows, 15);
      assert.equal(srv.service.ctx.engine.minutesEvaluated, 5, 'each streamed minute declared complete and evaluated');
    });

    test('replay to a server that is not there fails with a message', async () => {
      const r = await txmon(['replay', csv, '--to', 'not a url', '--speed', '0']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /--to must be a URL/);
    });
  });
});
