import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterSettingsChecked } from './settings.ts';
import { clusterSettings, resolveConfig } from '../config/config.ts';

const base = clusterSettings(resolveConfig({}, {}).raw.cluster);

test('clustered mode needs NATS URLs, a node id and a PostgreSQL store, each with a precise error', () => {
  const pgUrl = 'postgres://u@h/db';
  assert.throws(() => clusterSettingsChecked({ ...base, nodeId: 'a' }, pgUrl), /at least one NATS server/);
  assert.throws(() => clusterSettingsChecked({ ...base, servers: ['http://x:1'], nodeId: 'a' }, pgUrl), /not a NATS URL/);
  assert.throws(() => clusterSettingsChecked({ ...base, servers: ['nats://x:1'] }, pgUrl), /needs a node id/);
  assert.throws(() => clusterSettingsChecked({ ...base, servers: ['nats://x:1'], nodeId: 'a b' }, pgUrl), /node_id must be/);
  assert.throws(() => clusterSettingsChecked({ ...base, servers: ['nats://x:1'], nodeId: 'a' }, './data/txmon.db'), /PostgreSQL store.*SQLite/);
  assert.equal(clusterSettingsChecked({ ...base, servers: ['nats://x:1'], nodeId: 'a' }, pgUrl).nodeId, 'a');
});

test('the YAML section: defaults, and clustered mode only when servers are given', () => {
  assert.equal(resolveConfig({}, {}).cluster, undefined);
  const c = resolveConfig({ cluster: { servers: ['nats://127.0.0.1:4222'], node_id: 'n1', partitions: 8 } }, {}).cluster!;
  assert.deepEqual(c, { servers: ['nats://127.0.0.1:4222'], nodeId: 'n1', partitions: 8, name: 'txmon', leaseTtlMs: 6000, replyWaitMs: 5000, replicas: 1 });
  const fromEnv = resolveConfig({ cluster: { node_id: 'file' } }, { TXMON_CLUSTER_SERVERS: 'nats://a:1, nats://b:2', TXMON_NODE_ID: 'env' }).cluster!;
  assert.deepEqual([fromEnv.servers, fromEnv.nodeId], [['nats://a:1', 'nats://b:2'], 'env']);
  assert.equal(resolveConfig({}, { TXMON_NODE_ID: 'x' }).cluster, undefined, 'a node id alone is not clustered mode');
  assert.throws(() => resolveConfig({ cluster: { partitions: 0 } }, {}), /cluster\/partitions|partitions/);
  assert.throws(() => resolveConfig({ cluster: { replicas: 2 } }, {}), /replicas/);
});
