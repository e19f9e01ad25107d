/**
 * Real third-party programs in tests (Prometheus, Alertmanager, amtool from Debian's packages):
 * find the binary, pick a free port, start it, wait for it, stop it. Tests skip with a message
 * naming the package when a binary is missing (.ci/run installs them).
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The first executable among `candidates` (absolute paths or names on PATH), or null. */
export function findBinary(candidates: readonly string[]): string | null {
  const dirs = (process.env.PATH ?? '').split(':').filter(Boolean);
  for (const c of candidates) {
    const paths = c.includes('/') ? [c] : dirs.map((d) => `${d}/${c}`);
    for (const p of paths) {
      try {
        accessSync(p, constants.X_OK);
        return p;
      } catch { /* next */ }
    }
  }
  return null;
}

/** Debian's Prometheus (package `prometheus`): /usr/bin/prometheus, or TXMON_TEST_PROMETHEUS. */
export const PROMETHEUS = findBinary([process.env.TXMON_TEST_PROMETHEUS ?? '', '/usr/bin/prometheus', 'prometheus'].filter(Boolean));
export const PROMTOOL = findBinary(['/usr/bin/promtool', 'promtool']);
/** Debian's Alertmanager (package `prometheus-alertmanager`) installs the daemon as prometheus-alertmanager. */
export const ALERTMANAGER = findBinary([process.env.TXMON_TEST_ALERTMANAGER ?? '', '/usr/bin/prometheus-alertmanager', 'alertmanager'].filter(Boolean));
export const AMTOOL = findBinary(['/usr/bin/amtool', 'amtool']);

export function missing(binary: string | null, what: string, pkg: string): string | undefined {
  return binary ? undefined : `${what} not found: install the Debian package ${pkg} (apt-get install ${pkg}; .ci/run does)`;
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `fn` until it returns a value other than undefined/false, or throws after `timeoutMs` with the last error. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface Started {
  proc: ChildProcess;
  /** stdout + stderr so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/** Starts a program; its output is kept for diagnostics; stop() sends SIGTERM, then SIGKILL after 5 s. */
export function startProgram(bin: string, args: readonly string[]): Started {
  const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (b: Buffer) => {
    out += b.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  return {
    proc,
    output: () => out,
    stop: () => new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      const kill = setTimeout(() => proc.kill('SIGKILL'), 5000);
      proc.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      proc.kill('SIGTERM');
    }),
  };
}

/** Runs a command to completion; resolves with its output and exit code (never throws on a non-zero exit). */
export async function runCommand(bin: string, args: readonly string[], timeoutMs = 30_000): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(bin, [...args], { timeout: timeoutMs });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(err) };
  }
}

/** The version line a program prints for --version (for test names and reports). */
export async function versionOf(bin: string): Promise<string> {
  const r = await runCommand(bin, ['--version']);
  return (r.stdout || r.stderr).split('\n')[0].trim();
}
