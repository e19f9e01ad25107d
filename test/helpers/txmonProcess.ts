/**
 * `txmon serve` as a real child process (kill -9 tests, the cluster tests): started with the
 * given arguments, awaited until /health answers, killed by the test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/txmon.js', import.meta.url));

export interface TxmonProcess {
  child: ChildProcess;
  port: number;
  url: string;
  /** What it wrote to stderr so far (the last 20 000 characters). */
  stderr(): string;
}

export async function startTxmon(args: string[], port: number, opts: { env?: NodeJS.ProcessEnv; healthy?: (body: any) => boolean; timeoutMs?: number } = {}): Promise<TxmonProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--host', '127.0.0.1', '--log-level', 'warn', '--log-format', 'json', ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...opts.env }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d) => { err = (err + d).slice(-20_000); });
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    try {
      const res = await fetch(`${url}/health`);
      if (res.status === 200 && (!opts.healthy || opts.healthy(await res.json()))) break;
    } catch { /* not listening yet */ }
    if (child.exitCode !== null || Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`txmon serve ${args.join(' ')} did not start: ${err.slice(-1500)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, port, url, stderr: () => err };
}
