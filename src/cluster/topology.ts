/**
 * The JetStream objects a cluster shares, created by whichever instance comes first and checked
 * by the others: the ingest stream (one subject per partition, work-queue retention: a message
 * leaves once its partition's owner acknowledged it), one durable pull consumer per partition,
 * and the key-value bucket of leases and members.
 */
import { AckPolicy, DeliverPolicy, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { ClusterSettings } from '../config/config.ts';
import { TxmonError } from '../domain/errors.ts';

const NS = 1_000_000;

/** Names derived from cluster.name (several deployments can share one NATS). */
export interface Names {
  stream: string;
  subject(partition: number): string;
  consumer(partition: number): string;
  bucket: string;
  /** Live events fanned out to every instance (SSE, dashboard). */
  events: string;
}

export function namesOf(settings: Pick<ClusterSettings, 'name'>): Names {
  const n = settings.name;
  return {
    stream: `${n}_ingest`,
    subject: (p) => `${n}.ingest.${p}`,
    consumer: (p) => `${n}_p${p}`,
    bucket: `${n}_leases`,
    events: `${n}.events`,
  };
}

/**
 * How long JetStream remembers message ids to drop a re-published part (a client retry after a
 * timeout or a 503): two minutes, JetStream's default.
 */
export const DUPLICATE_WINDOW_MS = 120_000;

export async function ensureStream(jsm: JetStreamManager, settings: ClusterSettings): Promise<void> {
  const names = namesOf(settings);
  try {
    await jsm.streams.info(names.stream);
    return;
  } catch (err) {
    if (!/not found/i.test(String((err as Error).message))) throw err;
  }
  await jsm.streams.add({
    name: names.stream,
    subjects: [`${settings.name}.ingest.*`],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    num_replicas: settings.replicas,
    duplicate_window: DUPLICATE_WINDOW_MS * NS,
  }).catch(async (err) => {
    // Another instance created it between our look and our add.
    if (!/already in use|exists/i.test(String((err as Error).message))) throw err;
  });
}

/**
 * The partition's durable consumer. One message in flight at a time (max_ack_pending 1): minutes
 * must reach the engine in the order they were accepted, also across a change of owner, and a
 * message a dead owner held comes back (after ack_wait, shorter than the lease) before any later one.
 */
export async function ensureConsumer(jsm: JetStreamManager, settings: ClusterSettings, partition: number): Promise<void> {
  const names = namesOf(settings);
  const config = {
    durable_name: names.consumer(partition),
    filter_subject: names.subject(partition),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: ackWaitMs(settings) * NS,
    max_ack_pending: 1,
    max_deliver: -1,
    num_replicas: settings.replicas,
  };
  try {
    await jsm.consumers.info(names.stream, config.durable_name);
  } catch (err) {
    if (!/not found/i.test(String((err as Error).message))) throw err;
    await jsm.consumers.add(names.stream, config);
  }
}

/** Half the lease: a message held by a dead owner is redelivered before its lease is taken over. */
export function ackWaitMs(settings: Pick<ClusterSettings, 'leaseTtlMs'>): number {
  return Math.max(1000, Math.floor(settings.leaseTtlMs / 2));
}

/**
 * The leases bucket: entries live for one lease TTL after their last write (a lease or a
 * membership not renewed expires by itself). The partition count is recorded once: instances
 * started with another count would hash scopes to other partitions, so they refuse to start.
 */
export async function openLeaseBucket(nc: NatsConnection, settings: ClusterSettings): Promise<KV> {
  const kv = await new Kvm(nc).create(namesOf(settings).bucket, { history: 1, ttl: settings.leaseTtlMs, replicas: settings.replicas });
  return kv;
}

/**
 * The partition count is fixed for the life of the stream: the first instance records it in a
 * bucket without TTL, the others must agree (nats-server 2.9 has no stream metadata).
 */
export async function checkPartitionCount(nc: NatsConnection, settings: ClusterSettings): Promise<void> {
  const kv = await new Kvm(nc).create(`${settings.name}_meta`, { history: 1, replicas: settings.replicas });
  try {
    await kv.create('partitions', String(settings.partitions));
    return;
  } catch {
    // Already recorded (or recorded meanwhile): compare below.
  }
  const recorded = (await kv.get('partitions'))?.string();
  if (recorded !== undefined && Number(recorded) !== settings.partitions) {
    throw new TxmonError('TXMON_ERR_CONFIG', `cluster.partitions is ${settings.partitions} but the cluster "${settings.name}" was created with ${recorded} partitions: every instance must use the same count (scopes are hashed to partitions)`);
  }
}
