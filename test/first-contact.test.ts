/**
 * What a new user hits first (issue #18): a CLI that fails well (exit 2 usage, 1 runtime, one
 * clear line), `serve` on a busy port, the Node version check, and notification links that follow
 * the address the server really listens on unless a public URL is configured.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './helpers/server.ts';
import { loadConfig, resolveConfig } from '../src/config/config.ts';
import { loggerOptions } from '../src/cli/serve.ts';
import { listenError, listenLinkBase } from '../src/service.ts';
import { hostname } from 'node:os';

const BIN = fileURLToPath(new URL('../bin/txmon.js', import.meta.url));

/** A port nothing listens on (taken, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

interface Run { code: number; stdout: string; stderr: string }

function txmon(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; node?: string } = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(opts.node ?? process.execPath, [BIN, ...args], {
      cwd: opts.cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_NO_WARNINGS: '1', ...opts.env }, timeout: 30_000,
    }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('a CLI that fails well', () => {
  let dir: string;
  let csv: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'txmon-first-'));
    csv = join(dir, 'c.csv');
    writeFileSync(csv, 'timestamp,status,count\n2025-07-01 10:00:00,approved,5\n2025-07-01 10:01:00,approved,6\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('usage errors exit 2: unknown option, missing argument, bad option value', async () => {
    const unknown = await txmon(['serve', '--bogus']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown option '--bogus'/);
    const missing = await txmon(['replay', csv]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /required option '--to <url>'/);
    const badPort = await txmon(['serve', '--port', 'eighty']);
    assert.equal(badPort.code, 2);
    assert.match(badPort.stderr, /--port must be an integer/);
    const help = await txmon(['--help']);
    assert.equal(help.code, 0);
  });

  test('replay to an unreachable URL says which URL and why, exit 1', async () => {
    const port = await closedPort();
    const r = await txmon(['replay', csv, '--to', `http://127.0.0.1:${port}`, '--speed', '0']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`TXMON_ERR_UNREACHABLE: cannot reach http://127\\.0\\.0\\.1:${port} \\(POST /api/v1/transactions\\): connection refused`));
    assert.doesNotMatch(r.stderr, /fetch failed\s*$/);
    const dns = await txmon(['replay', csv, '--to', 'http://no-such-host.invalid:8080', '--speed', '0']);
    assert.equal(dns.code, 1);
    assert.match(dns.stderr, /cannot reach http:\/\/no-such-host\.invalid:8080 .*host name "no-such-host\.invalid" does not resolve/);
  });

  test('query --db on a missing file is an error (exit 2) and creates nothing', async () => {
    const db = join(dir, 'missing.db');
    const r = await txmon(['query', 'minute_rates', '--db', db]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--db: no database file ".*missing\.db"/);
    assert.equal(existsSync(db), false, 'no new empty database');
  });

  test('a config with several errors reports them all at once (exit 2)', async () => {
    const cfg = join(dir, 'bad.yaml');
    writeFileSync(cfg, 'server:\n  port: "x"\n  time_zone: Mars/Olympus\n  public_url: ftp://x\n  colour: blue\nengine:\n  grace_seconds: -1\n');
    const r = await txmon(['serve', '--config', cfg, '--db', ':memory:']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /TXMON_ERR_CONFIG: .*bad\.yaml: \d+ problems:/);
    for (const re of [/server\.port/, /unknown key\(s\) colour/, /engine\.grace_seconds/, /server\.time_zone must be an IANA time zone/, /server\.public_url must be an http\(s\) URL/]) {
      assert.match(r.stderr, re);
    }
    assert.throws(() => resolveConfig({ server: { port: -1, body_limit_mb: 0 } }, {}), (e: Error) => /2 problems/.test(e.message));
  });

  test('notify test uses the only receiver when there is one; several need --receiver (exit 2)', async () => {
    const one = await txmon(['notify', 'test']);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, /^default\/log\[0\]: ok/m);
    const cfg = join(dir, 'two.yaml');
    writeFileSync(cfg, 'alerting:\n  receivers:\n    - { name: a, log_configs: [{}] }\n    - { name: b, log_configs: [{}] }\n  route: { receiver: a }\n');
    const two = await txmon(['notify', 'test', '--config', cfg]);
    assert.equal(two.code, 2);
    assert.match(two.stderr, /--receiver is required when several receivers are configured: a, b/);
  });

  test('checkout analyze writes to no store unless --db or --store is given', async () => {
    const file = join(dir, 'checkout_1.csv');
    const rows = ['time,today,yesterday,same_day_last_week,avg_last_week,avg_last_month'];
    for (let h = 0; h < 24; h++) rows.push(`${String(h).padStart(2, '0')}h,${10 + h},${10 + h},${10 + h},${10 + h},${10 + h}`);
    writeFileSync(file, rows.join('\n') + '\n');
    const r = await txmon(['checkout', 'analyze', file, '--out', join(dir, 'out')], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(existsSync(join(dir, 'data', 'txmon.db')), false, 'the default store was not touched');
  });

  test('logs: pino-pretty on a terminal, JSON otherwise', () => {
    assert.deepEqual(loggerOptions('info', 'auto', false), { level: 'info' });
    assert.equal((loggerOptions('info', 'auto', true) as { transport: { target: string } }).transport.target, 'pino-pretty');
    assert.deepEqual(loggerOptions('debug', 'json', true), { level: 'debug' });
    assert.equal((loggerOptions('info', 'pretty', false) as { transport: { target: string } }).transport.target, 'pino-pretty');
  });
});

describe('serve on a busy port', () => {
  test('exits 1 with a message naming the port, and does not stay up', async () => {
    const s = await startServer();
    try {
      const port = new URL(s.url).port;
      const started = Date.now();
      const r = await txmon(['serve', '--port', port, '--db', ':memory:', '--log-format', 'json']);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`TXMON_ERR_ADDRESS_IN_USE: port ${port} on 127\\.0\\.0\\.1 is already in use .*--port`));
      assert.ok(Date.now() - started < 25_000, 'the process ended by itself');
    } finally {
      await s.close();
    }
  });
});

describe('Node version', () => {
  // The machines here ship an older system Node; the check runs on it when present.
  const systemNode = ['/usr/bin/node', '/usr/local/bin/node'].find((p) => existsSync(p) && p !== process.execPath);
  const major = systemNode ? Number(spawnSync(systemNode, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).stdout) : NaN;
  test('an older Node prints what is needed and how to get it, not a stack', { skip: major < 24 ? false : 'no Node older than 24 on this machine' }, async () => {
    const r = await txmon(['--help'], { node: systemNode });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /txmon: needs Node\.js 24 or newer; this is Node\.js \d+/);
    assert.match(r.stderr, /scripts\/txmon --help/);
    assert.doesNotMatch(r.stderr, /ERR_UNKNOWN_FILE_EXTENSION|at .*\(node:/);
  });
  test('package.json engines, bin/txmon.js and scripts/node24.sh state the same minimum', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    assert.equal(pkg.engines.node, '>=24');
    assert.match(readFileSync(BIN, 'utf8'), /MIN_NODE_MAJOR = 24;/);
    assert.match(readFileSync(new URL('../scripts/node24.sh', import.meta.url), 'utf8'), />= 24/);
  });
});

describe('notification link base', () => {
  test('follows the port the server really listens on when no public URL is configured', async () => {
    const s = await startServer();
    try {
      assert.equal(s.config.publicUrl, undefined);
      assert.equal(s.service.ctx.notifications!.config.externalUrl, s.url);
    } finally {
      await s.close();
    }
  });

  test('the listen address as link base: loopback as is, a wildcard address by host name', () => {
    assert.equal(listenLinkBase('127.0.0.1', 18090), 'http://127.0.0.1:18090');
    assert.equal(listenLinkBase('0.0.0.0', 8080), `http://${hostname()}:8080`);
    assert.equal(listenLinkBase('::1', 8080), 'http://[::1]:8080');
    const busy = listenError(Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' }), '0.0.0.0', 8080) as Error & { code: string };
    assert.equal(busy.code, 'TXMON_ERR_ADDRESS_IN_USE');
    assert.match(busy.message, /port 8080 on 0\.0\.0\.0 is already in use/);
    assert.match(listenError(Object.assign(new Error('x'), { code: 'EACCES' }), '127.0.0.1', 80).message, /ports below 1024 need privileges/);
  });

  test('server.public_url (or TXMON_PUBLIC_URL) is the one setting; the old names are deprecated aliases', async () => {
    const s = await startServer({ config: { server: { public_url: 'https://txmon.example/' }, alerting: { external_url: 'http://old.example' } } });
    try {
      assert.equal(s.service.ctx.notifications!.config.externalUrl, 'https://txmon.example', 'public_url wins over the alias');
    } finally {
      await s.close();
    }
    const alias = resolveConfig({ alerting: { external_url: 'http://old.example' } }, {});
    assert.equal(alias.publicUrl, 'http://old.example');
    assert.match(alias.deprecations.join('\n'), /alerting\.external_url is deprecated: use server\.public_url/);
    const envAlias = resolveConfig({}, { TXMON_EXTERNAL_URL: 'http://env-old.example' });
    assert.equal(envAlias.publicUrl, 'http://env-old.example');
    assert.match(envAlias.deprecations.join('\n'), /TXMON_EXTERNAL_URL is deprecated: use TXMON_PUBLIC_URL/);
    assert.equal(resolveConfig({ server: { public_url: 'http://a.example' } }, { TXMON_PUBLIC_URL: 'http://b.example/' }).publicUrl, 'http://b.example');
  });
});

describe('packaging', () => {
  const read = (p: string) => readFileSync(new URL(`../${p}`, import.meta.url), 'utf8');
  test('examples/txmon.yaml is a valid config', () => {
    const cfg = loadConfig(fileURLToPath(new URL('../examples/txmon.yaml', import.meta.url)), {});
    assert.equal(cfg.port, 8080);
    assert.equal(cfg.publicUrl, undefined, 'no link base unless configured');
  });
  test('Dockerfile: two stages on a Node 24 slim base, non-root, health check on /health, data volume', () => {
    const df = read('Dockerfile');
    assert.match(df, /^ARG NODE_IMAGE=node:24-bookworm-slim$/m);
    assert.equal(df.match(/^FROM \$\{NODE_IMAGE\} AS \w+$/gm)?.length, 2);
    assert.match(df, /^USER txmon:txmon$/m);
    assert.match(df, /^VOLUME \["\/data"\]$/m);
    assert.match(df, /^HEALTHCHECK .*\n\s+CMD \["node", "-e", ".*\/health/m);
    assert.match(df, /TXMON_DATABASE_URL=\/data\/txmon\.db/);
  });
  test('compose.yaml: txmon and PostgreSQL, txmon waits for a healthy database', () => {
    const doc = parseYaml(read('compose.yaml')) as { services: Record<string, any> };
    assert.deepEqual(Object.keys(doc.services).sort(), ['postgres', 'txmon']);
    assert.equal(doc.services.txmon.depends_on.postgres.condition, 'service_healthy');
    assert.match(doc.services.txmon.environment.TXMON_DATABASE_URL, /^postgres:\/\/txmon:.*@postgres:5432\/txmon$/);
  });
  test('systemd unit runs the wrapper with the example config and does not restart on usage errors', () => {
    const unit = read('packaging/systemd/txmon.service');
    assert.match(unit, /^ExecStart=\/opt\/txmon\/scripts\/txmon serve --config \/etc\/txmon\/txmon\.yaml$/m);
    assert.match(unit, /^RestartPreventExitStatus=2$/m);
    assert.match(unit, /^User=txmon$/m);
  });
});
