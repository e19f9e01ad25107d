/**
 * A NATS cluster of our own for tests: three `nats-server` processes with JetStream, on free
 * ports, each with its own store directory, routed to each other. A node can be stopped and
 * started again (same ports, same store) to test a NATS server restart mid-load; `destroy()`
 * kills them all and removes the directories.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { freePort } from './pgCluster.ts';

export interface NatsNode { name: string; port: number; url: string; process: ChildProcess | null }

export interface OwnNatsCluster {
  nodes: NatsNode[];
  /** Client URLs of every node, comma-separated (txmon serve --cluster). */
  urls: string;
  stop(i: number): Promise<void>;
  start(i: number): Promise<void>;
  /** Waits until JetStream answers through node i (meta leader elected). */
  ready(i?: number): Promise<void>;
  destroy(): Promise<void>;
}

/** Is a nats-server binary on PATH? Null when it is, else why not (the test skips with it). */
export function natsServerMissing(): string | null {
  const r = spawnSync('nats-server', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? null : 'no nats-server binary on PATH';
}

export async function ownNatsCluster(size = 3): Promise<OwnNatsCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'txmon-nats-'));
  const ports = await Promise.all(Array.from({ length: size }, async () => ({ client: await freePort(), route: await freePort() })));
  const nodes: NatsNode[] = ports.map((p, i) => ({ name: `n${i + 1}`, port: p.client, url: `nats://127.0.0.1:${p.client}`, process: null }));
  nodes.forEach((n, i) => {
    const routes = ports.filter((_, j) => j !== i).map((p) => `nats-route://127.0.0.1:${p.route}`);
    writeFileSync(join(dir, `${n.name}.conf`), [
      `server_name: ${n.name}`,
      `listen: 127.0.0.1:${n.port}`,
      `jetstream { store_dir: "${join(dir, n.name)}" }`,
      // One server alone runs JetStream standalone (no meta group to elect).
      size > 1 ? `cluster { name: txmontest, listen: 127.0.0.1:${ports[i].route}, routes: [${routes.join(', ')}] }` : '',
    ].join('\n'));
  });
  const start = async (i: number) => {
    const n = nodes[i];
    const child = spawn('nats-server', ['-c', join(dir, `${n.name}.conf`)], { stdio: ['ignore', 'ignore', 'ignore'] });
    n.process = child;
  };
  const stop = async (i: number) => {
    const child = nodes[i].process;
    if (!child || child.exitCode !== null) return;
    child.kill('SIGTERM');
    await once(child, 'exit');
    nodes[i].process = null;
  };
  const ready = async (i = 0) => {
    const end = Date.now() + 30_000;
    for (;;) {
      try {
        const nc = await connect({ servers: nodes[i].url, timeout: 1000 });
        try {
          const jsm = await jetstreamManager(nc, { timeout: 2000 });
          await jsm.getAccountInfo();
          return;
        } finally {
          await nc.close();
        }
      } catch (err) {
        if (Date.now() > end) throw new Error(`NATS node ${nodes[i].name} not ready: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  };
  for (let i = 0; i < size; i++) await start(i);
  for (let i = 0; i < size; i++) await ready(i);
  return {
    nodes, urls: nodes.map((n) => n.url).join(','), stop, start, ready,
    async destroy() {
      for (let i = 0; i < size; i++) nodes[i].process?.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
