/** Clustered mode's preconditions, checked before anything starts (a clear error, exit code 1). */
import type { ClusterSettings } from '../config/config.ts';
import { TxmonError } from '../domain/errors.ts';

/**
 * The settings with a node id, or a TXMON_ERR_CONFIG saying what is missing. `store` is the store
 * URL (or the dialect of a store passed in): the instances share one PostgreSQL database.
 */
export function clusterSettingsChecked(settings: ClusterSettings, store: string): ClusterSettings & { nodeId: string } {
  if (settings.servers.length === 0) {
    throw new TxmonError('TXMON_ERR_CONFIG', 'clustered mode needs at least one NATS server: --cluster nats://HOST:PORT[,…] (cluster.servers)');
  }
  for (const s of settings.servers) {
    let ok = false;
    try {
      const u = new URL(s);
      ok = u.protocol === 'nats:' && u.hostname !== '';
    } catch { /* reported below */ }
    if (!ok) throw new TxmonError('TXMON_ERR_CONFIG', `--cluster / cluster.servers: "${s}" is not a NATS URL such as nats://127.0.0.1:4222`);
  }
  if (settings.nodeId === undefined) {
    throw new TxmonError('TXMON_ERR_CONFIG', 'clustered mode needs a node id, unique in the cluster: --node-id NAME (cluster.node_id)');
  }
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(settings.nodeId)) {
    throw new TxmonError('TXMON_ERR_CONFIG', `--node-id / cluster.node_id must be 1 to 64 letters, digits, "_" or "-", got ${JSON.stringify(settings.nodeId)}`);
  }
  if (store !== 'postgres' && !/^postgres(ql)?:\/\//.test(store)) {
    throw new TxmonError('TXMON_ERR_CONFIG', 'clustered mode needs a PostgreSQL store shared by every instance: --db postgres://… (store.url or TXMON_DATABASE_URL); ' +
      `got ${store === 'sqlite' || !/^[a-z]+:\/\//.test(store) ? 'a SQLite store' : 'an unsupported store URL'}`);
  }
  return { ...settings, nodeId: settings.nodeId };
}
