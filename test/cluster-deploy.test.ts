/**
 * The clustered deployment files (docs/scaling.md) parse and say what the docs say: compose with
 * PostgreSQL, three NATS servers routed into one JetStream cluster, three txmon instances with
 * distinct node ids on the project's own image, and a load balancer; the shared config file is a
 * valid txmon config; the systemd template sets the node id from the instance name. (No container
 * engine can run them on this machine: docs/scaling.md says what was and was not verified.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../src/config/config.ts';

const path = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));
const read = (p: string) => readFileSync(path(p), 'utf8');

test('packaging/cluster/compose.yaml: PostgreSQL, a 3-node NATS cluster, 3 txmon on the project image, a load balancer', () => {
  const doc = parseYaml(read('packaging/cluster/compose.yaml'), { merge: true }) as { services: Record<string, any> };
  assert.deepEqual(Object.keys(doc.services).sort(), ['lb', 'nats1', 'nats2', 'nats3', 'postgres', 'txmon1', 'txmon2', 'txmon3']);
  for (const n of ['nats1', 'nats2', 'nats3']) {
    const cmd = doc.services[n].command.join(' ');
    assert.match(cmd, /--jetstream/);
    assert.match(cmd, /--cluster_name txmon/);
    assert.equal((cmd.match(/nats:\/\/nats\d:6222/g) ?? []).length, 2, `${n} routes to the two others`);
  }
  const ids = ['txmon1', 'txmon2', 'txmon3'].map((t) => {
    const s = doc.services[t];
    assert.equal(s.build, '../..', 'the image is the project\'s own Dockerfile');
    assert.match(s.environment.TXMON_DATABASE_URL, /^postgres:\/\//);
    assert.equal(s.environment.TXMON_CLUSTER_SERVERS, 'nats://nats1:4222,nats://nats2:4222,nats://nats3:4222');
    assert.equal(s.depends_on.postgres.condition, 'service_healthy');
    return s.environment.TXMON_NODE_ID;
  });
  assert.deepEqual(ids, ['txmon1', 'txmon2', 'txmon3']);
  assert.deepEqual(doc.services.lb.depends_on, ['txmon1', 'txmon2', 'txmon3']);
  const nginx = read('packaging/cluster/nginx.conf');
  for (const t of ['txmon1', 'txmon2', 'txmon3']) assert.match(nginx, new RegExp(`server ${t}:8080`));
  assert.match(nginx, /proxy_buffering off/, 'SSE passes through');
});

test('packaging/cluster/txmon-cluster.yaml with the environment of a compose instance is a valid clustered config', () => {
  const cfg = loadConfig(path('packaging/cluster/txmon-cluster.yaml'), {
    TXMON_CLUSTER_SERVERS: 'nats://nats1:4222,nats://nats2:4222,nats://nats3:4222', TXMON_NODE_ID: 'txmon2', TXMON_DATABASE_URL: 'postgres://txmon@postgres/txmon',
  });
  assert.deepEqual(cfg.cluster, {
    servers: ['nats://nats1:4222', 'nats://nats2:4222', 'nats://nats3:4222'], nodeId: 'txmon2', partitions: 16, name: 'txmon',
    leaseTtlMs: 6000, replyWaitMs: 5000, replicas: 3,
  });
});

test('packaging/systemd/txmon@.service: the instance name is the node id; shared and per-instance environment files', () => {
  const unit = read('packaging/systemd/txmon@.service');
  assert.match(unit, /^Environment=TXMON_NODE_ID=%i$/m);
  assert.match(unit, /^EnvironmentFile=\/etc\/txmon\/txmon\.env$/m);
  assert.match(unit, /^EnvironmentFile=-\/etc\/txmon\/txmon-%i\.env$/m);
  assert.match(unit, /^ExecStart=\/opt\/txmon\/scripts\/txmon serve --config \/etc\/txmon\/txmon\.yaml$/m);
  // Everything else as the single-instance unit (same hardening, same restart policy).
  const single = read('packaging/systemd/txmon.service');
  for (const line of single.split('\n').filter((l) => /^(User|Group|Restart|RestartSec|RestartPreventExitStatus|NoNewPrivileges|ProtectSystem|ReadWritePaths)=/.test(l))) {
    assert.ok(unit.includes(line), `txmon@.service keeps "${line}"`);
  }
});
