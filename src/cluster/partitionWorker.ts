/**
 * Consumes one owned partition: pulls its next message from the partition's durable consumer,
 * hands it to the engine (which stores, evaluates and commits to PostgreSQL), answers the
 * receiving instance, and only then acknowledges — a crash before the ack redelivers the message
 * to the next owner, and storing it again changes nothing (counts replace, raw rows are
 * deduplicated by id, minutes already evaluated are not judged again).
 */
import type { Consumer, JetStreamClient, JsMsg } from '@nats-io/jetstream';

export interface PartitionWorkerOptions {
  js: JetStreamClient;
  stream: string;
  consumer: string;
  partition: number;
  /** ack_wait of the consumer: a long message is kept ours with working() well within it. */
  ackWaitMs: number;
  /** Still safely ours? Checked before each message and before its ack. */
  holds: () => boolean;
  handle: (msg: JsMsg) => Promise<void>;
  log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export class PartitionWorker {
  private readonly o: PartitionWorkerOptions;
  private stopping = false;
  private loop: Promise<void> | null = null;
  /** Messages handled (and acknowledged) by this worker. */
  handled = 0;

  constructor(opts: PartitionWorkerOptions) {
    this.o = opts;
  }

  start(): void {
    this.loop = this.run();
  }

  /** Stops after the message in hand (acknowledged or handed back): the partition can move. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
  }

  private async run(): Promise<void> {
    let consumer: Consumer | null = null;
    while (!this.stopping) {
      let msg: JsMsg | null = null;
      try {
        consumer ??= await this.o.js.consumers.get(this.o.stream, this.o.consumer);
        msg = await consumer.next({ expires: 1000 });
      } catch (err) {
        this.o.log.warn({ partition: this.o.partition, err: String((err as Error)?.message ?? err) }, 'cluster: pull failed (NATS unreachable?); retrying');
        consumer = null;
        await sleep(500);
        continue;
      }
      if (msg === null) continue;
      if (this.stopping || !this.o.holds()) {
        // Not ours to process any more: hand it straight back (the next owner gets it first).
        msg.nak();
        break;
      }
      await this.process(msg);
    }
  }

  private async process(msg: JsMsg): Promise<void> {
    const keepalive = setInterval(() => msg.working(), Math.max(200, Math.floor(this.o.ackWaitMs / 3)));
    try {
      await this.o.handle(msg);
      if (!this.o.holds()) {
        // Committed, but our lease may have lapsed meanwhile: leave the ack to redelivery, which
        // stores nothing twice.
        return;
      }
      await msg.ackAck().catch((err) => {
        this.o.log.warn({ partition: this.o.partition, err: String(err) }, 'cluster: ack not confirmed; the message will be redelivered (idempotent)');
      });
      this.handled++;
    } catch (err) {
      // The store is down or the engine failed: the message stays in the stream and comes back.
      this.o.log.error({ partition: this.o.partition, err: String((err as Error)?.message ?? err) }, 'cluster: message not processed; redelivered in 2 s');
      msg.nak(2000);
      await sleep(500);
    } finally {
      clearInterval(keepalive);
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
