/**
 * Throw-away PostgreSQL for fault tests, never touching anything of other users of the shared
 * server:
 * - `ownDatabase(baseUrl)`: a database of its own on the server TXMON_TEST_PG_URL names, so a test
 *   may terminate every backend of *that* database (`terminateBackends`) and nothing else;
 * - `ownCluster()`: a whole cluster in a temporary directory on a free port (initdb and pg_ctl run
 *   as the `postgres` user, since both refuse root), which a test may stop and start at will.
 * Both return a reason to skip instead when this machine cannot provide them.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface OwnDatabase { url: string; name: string; drop(): Promise<void> }

/** Creates a fresh database on the server of `baseUrl`; `drop()` terminates its backends and drops it. */
export async function ownDatabase(baseUrl: string): Promise<OwnDatabase> {
  const name = `txmon_fault_${process.pid}_${randomBytes(3).toString('hex')}`;
  await adminQuery(baseUrl, `CREATE DATABASE ${name}`);
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    name,
    async drop() {
      // FORCE (PostgreSQL 13+) ends the sessions still connected to this database, and only those.
      await adminQuery(baseUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** Terminates every server connection to database `name` (only that one); returns how many. */
export async function terminateBackends(baseUrl: string, name: string): Promise<number> {
  const rows = await adminQuery(baseUrl,
    'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
  return rows.filter((r) => r.ok === true).length;
}

async function adminQuery(baseUrl: string, sql: string, params: unknown[] = []): Promise<Array<Record<string, unknown>>> {
  const c = new pg.Client({ connectionString: baseUrl });
  c.on('error', () => {});
  await c.connect();
  try {
    return (await c.query(sql, params)).rows;
  } finally {
    await c.end();
  }
}

export interface OwnCluster {
  url: string;
  port: number;
  /** pg_ctl stop (-m fast by default). */
  stop(mode?: 'fast' | 'immediate'): void;
  start(): void;
  /** Stops (immediate) and removes the directory. */
  destroy(): void;
}

/** Where initdb/pg_ctl live, or null. */
function pgBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0], 'bin') : null;
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** A new cluster on a free port, or a string saying why not (the test skips with it). */
export async function ownCluster(): Promise<OwnCluster | string> {
  const bin = pgBinDir();
  if (!bin) return 'no PostgreSQL server binaries under /usr/lib/postgresql';
  const asPostgres = process.getuid?.() === 0;
  if (asPostgres && !existsSync('/usr/sbin/runuser') && !existsSync('/sbin/runuser')) return 'running as root without runuser';
  let uid: number | undefined, gid: number | undefined;
  if (asPostgres) {
    try {
      uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    } catch {
      return 'no postgres user to run initdb as';
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'txmon-pgc-'));
  if (asPostgres) chownSync(dir, uid!, gid!);
  const data = join(dir, 'data');
  const run = (tool: string, args: string[]) => {
    const cmd = join(bin, tool);
    return asPostgres
      ? execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe', timeout: 60_000 })
      : execFileSync(cmd, args, { stdio: 'pipe', timeout: 60_000 });
  };
  const port = await freePort();
  try {
    run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return `initdb failed: ${String((err as { stderr?: Buffer }).stderr ?? err).slice(0, 200)}`;
  }
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40`;
  const cluster: OwnCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start: () => { run('pg_ctl', ['-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']); },
    stop: (mode = 'fast') => { run('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']); },
    destroy: () => {
      try { run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']); } catch { /* not running */ }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    cluster.start();
  } catch (err) {
    cluster.destroy();
    return `pg_ctl start failed: ${String((err as { stderr?: Buffer }).stderr ?? err).slice(0, 200)}`;
  }
  return cluster;
}
