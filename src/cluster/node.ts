/**
 * One txmon instance's membership in a cluster (docs/scaling.md): connects to NATS, makes sure
 * the stream, consumers and lease bucket exist, leases its share of the partitions, consumes them
 * into the engine, publishes ingest requests for any partition, and fans live events out to every
 * instance. The service (src/service.ts) wires it to the engine and the notification pipeline.
 */
import { connect, createInbox, headers, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import type { ClusterSettings } from '../config/config.ts';
import type { MinuteBatch } from '../domain/types.ts';
import { TxmonError } from '../domain/errors.ts';
import type { IngestOutcome } from '../engine/engine.ts';
import { ackWaitMs, checkPartitionCount, ensureConsumer, ensureStream, namesOf, openLeaseBucket, type Names } from './topology.ts';
import { LeaseManager } from './leases.ts';
import { PartitionWorker } from './partitionWorker.ts';
import { decodePart, encodePart, mergeOutcomes, partMessageId, splitByPartition, type PartReply } from './messages.ts';
import { partitionOf } from './partition.ts';

type Log = { warn(obj: object, msg: string): void; info(obj: object, msg: string): void; error(obj: object, msg: string): void };

export interface ClusterNodeOptions {
  settings: ClusterSettings & { nodeId: string };
  /** Runs one partition's part of a request through the engine (store, evaluate, commit). */
  process: (batch: MinuteBatch, complete: boolean) => Promise<IngestOutcome>;
  /**
   * The set of partitions whose state the engine must hold changed: rebuild it from the store
   * (called with the new set in force, before a gained partition is consumed and after a lost one
   * stopped).
   */
  ownershipChanged: () => Promise<void>;
  /** A live event from any instance (this one included), to publish on the local hub. */
  event: (type: string, data: unknown) => void;
  log: Log;
  /** Lease changes and lag for /metrics. */
  onLeaseChange?: (kind: 'acquired' | 'released' | 'lost', partition: number) => void;
}

/** What an ingest request became in the cluster. */
export interface ClusterIngestResult {
  /** The owners' outcomes merged (parts that answered within the wait). */
  outcome: IngestOutcome;
  /** Some part was not answered within cluster.reply_wait_ms (or was a duplicate of an earlier publish). */
  pending: boolean;
  parts: number;
  /** Parts whose owner answered with an outcome in time. */
  answered: number;
  /** Parts JetStream had already (an earlier try of the same request). */
  duplicates: number;
}

export class ClusterNode {
  readonly settings: ClusterSettings & { nodeId: string };
  readonly names: Names;
  private readonly nc: NatsConnection;
  private readonly js: JetStreamClient;
  private readonly jsm: JetStreamManager;
  private readonly o: ClusterNodeOptions;
  private leases!: LeaseManager;
  private readonly workers = new Map<number, PartitionWorker>();
  /** Partitions whose scopes the engine holds (a superset of the running workers). */
  private readonly active = new Set<number>();
  private eventsSub: Subscription | null = null;

  private constructor(o: ClusterNodeOptions, nc: NatsConnection, jsm: JetStreamManager) {
    this.o = o;
    this.settings = o.settings;
    this.names = namesOf(o.settings);
    this.nc = nc;
    this.jsm = jsm;
    this.js = jetstream(nc);
  }

  /**
   * Connects and makes sure the stream, consumers and buckets exist; owns nothing yet. The caller
   * keeps the node (its `owns` is what the engine's store view asks) before calling join().
   */
  static async connect(o: ClusterNodeOptions): Promise<ClusterNode> {
    let nc: NatsConnection;
    try {
      nc = await connect({ servers: o.settings.servers, name: `txmon-${o.settings.nodeId}`, maxReconnectAttempts: -1, reconnectTimeWait: 500 });
    } catch (err) {
      throw new TxmonError('TXMON_ERR_CLUSTER_UNAVAILABLE', `cannot connect to NATS at ${o.settings.servers.join(', ')}: ${(err as Error).message}`);
    }
    try {
      const jsm = await jetstreamManager(nc);
      await ensureStream(jsm, o.settings);
      await checkPartitionCount(nc, o.settings);
      for (let p = 0; p < o.settings.partitions; p++) await ensureConsumer(jsm, o.settings, p);
      const node = new ClusterNode(o, nc, jsm);
      node.eventsSub = nc.subscribe(node.names.events, {
        callback: (err, msg) => {
          if (err) return;
          try {
            const { type, data } = msg.json<{ type: string; data: unknown }>();
            o.event(type, data);
          } catch { /* not ours */ }
        },
      });
      const kv = await openLeaseBucket(nc, o.settings);
      node.leases = new LeaseManager({
        kv, nodeId: o.settings.nodeId, partitions: o.settings.partitions, ttlMs: o.settings.leaseTtlMs, log: o.log,
        onChange: o.onLeaseChange,
        handlers: { acquired: (ps) => node.acquired(ps), released: (ps) => node.released(ps) },
      });
      return node;
    } catch (err) {
      await nc.close().catch(() => undefined);
      throw err;
    }
  }

  /** Joins: announces this instance, takes its share of the partitions and starts consuming them. */
  async join(): Promise<void> {
    await this.leases.start();
  }

  /** Does this instance hold (and has loaded) the partition of `scope`? The engine's store view asks. */
  owns(scope: string): boolean {
    return this.active.has(partitionOf(scope, this.settings.partitions));
  }

  private async acquired(ps: number[]): Promise<void> {
    for (const p of ps) this.active.add(p);
    try {
      await this.o.ownershipChanged();
    } catch (err) {
      for (const p of ps) this.active.delete(p);
      throw err;
    }
    for (const p of ps) {
      if (!this.leases.holds(p)) continue;
      const worker = new PartitionWorker({
        js: this.js, stream: this.names.stream, consumer: this.names.consumer(p), partition: p,
        ackWaitMs: ackWaitMs(this.settings), holds: () => this.leases.holds(p),
        handle: (msg) => this.handle(p, msg), log: this.o.log,
      });
      this.workers.set(p, worker);
      worker.start();
    }
  }

  private async released(ps: number[]): Promise<void> {
    await Promise.all(ps.map(async (p) => {
      await this.workers.get(p)?.stop();
      this.workers.delete(p);
    }));
    for (const p of ps) this.active.delete(p);
    await this.o.ownershipChanged();
  }

  private async handle(partition: number, msg: JsMsg): Promise<void> {
    const { batch, complete } = decodePart(msg.data);
    const replyTo = msg.headers?.get('Txmon-Reply');
    let reply: PartReply;
    try {
      reply = { partition, outcome: await this.o.process(batch, complete) };
    } catch (err) {
      if (replyTo) this.nc.publish(replyTo, JSON.stringify({ partition, error: { code: (err as TxmonError).code ?? 'TXMON_ERR_INTERNAL', message: String((err as Error).message) } } satisfies PartReply));
      throw err;
    }
    if (replyTo) this.nc.publish(replyTo, JSON.stringify(reply));
  }

  /**
   * Publishes a validated request, one message per partition it touches, and waits for every
   * publish to be acknowledged by JetStream (then it is durable): one refused → 503, and a retry
   * of the same request publishes only what is missing (message ids). Then waits up to
   * cluster.reply_wait_ms for the owners' outcomes.
   */
  async ingest(batch: MinuteBatch, opts: { complete: boolean; idempotencyKey?: string }): Promise<ClusterIngestResult> {
    const parts = splitByPartition(batch, this.settings.partitions, opts.complete);
    const inbox = createInbox();
    const replies: PartReply[] = [];
    let expected = 0;
    let wake: (() => void) | null = null;
    const sub = this.nc.subscribe(inbox, {
      callback: (err, msg) => {
        if (err) return;
        replies.push(msg.json<PartReply>());
        if (replies.length >= expected) wake?.();
      },
    });
    try {
      const h = headers();
      h.set('Txmon-Reply', inbox);
      h.set('Txmon-Origin', this.settings.nodeId);
      const acks = await Promise.allSettled([...parts].map(([p, part]) => {
        const body = encodePart(part);
        return this.js.publish(this.names.subject(p), body, { msgID: partMessageId(p, body, opts.idempotencyKey), headers: h, timeout: 5000 });
      }));
      const failed = acks.filter((a) => a.status === 'rejected');
      if (failed.length > 0) {
        throw new TxmonError('TXMON_ERR_CLUSTER_UNAVAILABLE', `${failed.length} of ${acks.length} partition(s) of this request were not acknowledged by JetStream (${String((failed[0] as PromiseRejectedResult).reason?.message ?? failed[0])}); ` +
          'the others are stored: send the same request again, it completes without duplicates');
      }
      const duplicates = acks.filter((a) => a.status === 'fulfilled' && a.value.duplicate).length;
      expected = acks.length - duplicates;
      if (replies.length < expected && this.settings.replyWaitMs > 0) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, this.settings.replyWaitMs).unref();
        });
      }
      const outcomes = replies.flatMap((r) => ('outcome' in r ? [r.outcome] : []));
      return { outcome: mergeOutcomes(outcomes), pending: outcomes.length < acks.length, parts: acks.length, answered: outcomes.length, duplicates };
    } finally {
      sub.unsubscribe();
    }
  }

  /** Sends a live event to every instance (each publishes it on its own SSE hub). */
  publishEvent(type: string, data: unknown): void {
    this.nc.publish(this.names.events, JSON.stringify({ type, data }));
  }

  /** For /health. */
  status(): { node_id: string; members: string[]; partitions: number; partitions_owned: number[]; nats: string } {
    return {
      node_id: this.settings.nodeId,
      members: [...this.leases.members],
      partitions: this.settings.partitions,
      partitions_owned: this.leases.owned(),
      nats: this.nc.isClosed() ? 'closed' : 'connected',
    };
  }

  /** Messages waiting per partition (not yet delivered + delivered, not acknowledged): /metrics. */
  async lag(): Promise<Array<{ partition: number; pending: number }>> {
    const out: Array<{ partition: number; pending: number }> = [];
    for (let p = 0; p < this.settings.partitions; p++) {
      const info = await this.jsm.consumers.info(this.names.stream, this.names.consumer(p));
      out.push({ partition: p, pending: info.num_pending + info.num_ack_pending });
    }
    return out;
  }

  /** Graceful leave: stop consuming, free the leases (others take over at once), close NATS. */
  async close(): Promise<void> {
    await this.leases.stop();
    this.eventsSub?.unsubscribe();
    await this.nc.drain().catch(() => undefined);
  }
}
