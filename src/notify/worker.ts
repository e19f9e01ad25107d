/**
 * The delivery worker: drains the durable outbox. It leases due rows atomically (two workers,
 * even in two processes, never send the same row), sends each through its integration's channel,
 * then marks it delivered, schedules a retry (exponential backoff with full jitter, Retry-After
 * honoured: planRetry) or marks it failed (permanent 4xx, or attempts / time used up).
 *
 * Rows still pending after a restart are simply due again; a row whose worker died mid-send
 * becomes due when its lease runs out. A retry re-sends the same notification id, which every
 * channel turns into the receiver's idempotency key (webhook Idempotency-Key, PagerDuty
 * dedup_key, email Message-ID), so a receiver never acts on one notification twice.
 *
 * Rows of one receiver and alert group go out one at a time, oldest first: the store only leases
 * the oldest pending row of a group (claimDue), so a "resolved" never overtakes the "firing"
 * still being retried, while other groups keep flowing.
 *
 * `wake()` makes the worker look at once (the engine calls it when it wrote outbox rows), so
 * delivery latency is a few ms, not a poll interval.
 *
 * With `retentionMs`, the worker also prunes rows that finished (delivered or failed) longer ago
 * than that, every `pruneEveryMs`, when a round found nothing to send, so pruning never delays a
 * delivery.
 */
import { randomUUID } from 'node:crypto';
import type { NotifyStore, OutboxRow } from '../store/notifyStore.ts';
import { planRetry, type RetryPolicy } from './backoff.ts';
import type { DeliveryResult, Notification } from './types.ts';
import type { ReceiverIntegration } from './channels/index.ts';
import { shortDetail } from './channels/http.ts';

export type DeliveryOutcome = 'delivered' | 'retry' | 'failed' | 'released';

export interface WorkerOptions {
  store: NotifyStore;
  /** Integrations by name ("<receiver>/<type>[<n>]", the outbox receiver column). */
  integrations: ReadonlyMap<string, Pick<ReceiverIntegration, 'name' | 'channel'>>;
  policy: RetryPolicy;
  /** Clock of delivery times (leases, retries); default Date.now. */
  now?: () => number;
  /** Rows leased per round. Default 32. */
  batch?: number;
  /** Lease of a claimed row: longer than the slowest send. Default 60 s. */
  leaseMs?: number;
  /** Longest sleep between looks at the outbox. Default 1 s. */
  pollMs?: number;
  /** On stop, how long in-flight sends may finish before they are aborted and released. Default 5 s. */
  drainMs?: number;
  /** Called after each attempt (metrics, logs). */
  onAttempt?: (row: OutboxRow, result: DeliveryResult, outcome: DeliveryOutcome) => void;
  /** Keep finished rows this long (by the worker's clock); null = never prune. Default null. */
  retentionMs?: number | null;
  /** How often to prune, when retentionMs is set. Default 1 h. */
  pruneEveryMs?: number;
  /** Called when a round fails (store error); the worker carries on. */
  onError?: (err: unknown) => void;
  /** Called after each round with the number of pending rows (gauge). */
  onPending?: (n: number) => void;
  /** Called after each prune with the number of rows deleted. */
  onPruned?: (n: number) => void;
}

type Callbacks = 'onAttempt' | 'onError' | 'onPending' | 'onPruned';

export class DeliveryWorker {
  private readonly o: Required<Omit<WorkerOptions, Callbacks>> & Pick<WorkerOptions, Callbacks>;
  private readonly token = randomUUID();
  private readonly abort = new AbortController();
  private stopped = true;
  private woken = false;
  private wakeUp: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  /** When the loop last pruned (worker clock), null before the first prune. */
  private lastPruneAt: number | null = null;

  constructor(opts: WorkerOptions) {
    this.o = { now: Date.now, batch: 32, leaseMs: 60_000, pollMs: 1000, drainMs: 5000, retentionMs: null, pruneEveryMs: 3_600_000, ...opts };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  /** Look at the outbox now (new rows were written). */
  wake(): void {
    this.woken = true;
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }

  /**
   * Stops: no new claims; in-flight sends get `drainMs` to finish, then are aborted and their
   * rows released (due again at once for the next worker, the attempt not counted).
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.wake();
    const drained = Promise.all([...this.inFlight]);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => { timer = setTimeout(resolve, this.o.drainMs); });
    await Promise.race([drained, timeout]);
    clearTimeout(timer);
    this.abort.abort(new Error('txmon is shutting down'));
    await Promise.all([...this.inFlight]);
    await this.loop;
  }

  /** One round: lease due rows and deliver them (concurrently). Returns how many were leased. */
  async runOnce(): Promise<number> {
    const rows = await this.o.store.claimDue(this.o.now(), this.o.batch, this.o.leaseMs, this.token);
    const work = rows.map((r) => this.track(this.deliver(r)));
    await Promise.all(work);
    return rows.length;
  }

  /** Deletes finished rows older than `retentionMs` now; returns how many (0 when retention is off). */
  async prune(): Promise<number> {
    if (this.o.retentionMs === null) return 0;
    const now = this.o.now();
    this.lastPruneAt = now;
    const n = await this.o.store.pruneOutbox(now - this.o.retentionMs);
    this.o.onPruned?.(n);
    return n;
  }

  private pruneDue(): boolean {
    return this.o.retentionMs !== null && (this.lastPruneAt === null || this.o.now() - this.lastPruneAt >= this.o.pruneEveryMs);
  }

  private track(p: Promise<void>): Promise<void> {
    const t = p.finally(() => this.inFlight.delete(t));
    this.inFlight.add(t);
    return t;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let leased = 0;
      try {
        leased = await this.runOnce();
        if (this.o.onPending) this.o.onPending(await this.o.store.countPending());
      } catch (err) {
        this.o.onError?.(err);
      }
      if (this.stopped) break;
      if (leased > 0) continue;
      if (this.pruneDue()) {
        try {
          await this.prune();
        } catch (err) {
          this.o.onError?.(err);
        }
        if (this.stopped) break;
      }
      let delay = this.o.pollMs;
      try {
        const next = await this.o.store.nextDueAt();
        if (next !== null) delay = Math.max(0, Math.min(delay, next - this.o.now()));
      } catch (err) {
        this.o.onError?.(err);
      }
      await this.sleep(delay);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken || this.stopped) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeUp = null;
        resolve();
      }, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        this.woken = false;
        resolve();
      };
    });
  }

  private async deliver(row: OutboxRow): Promise<void> {
    const { store } = this.o;
    const integration = this.o.integrations.get(row.receiver);
    if (!integration) {
      const result: DeliveryResult = { ok: false, retryable: false, detail: `no integration "${row.receiver}" in the current config` };
      await store.markFailed(row.id, this.token, result.detail, this.o.now());
      this.o.onAttempt?.(row, result, 'failed');
      return;
    }
    let result: DeliveryResult;
    try {
      result = await integration.channel.send(row.payload as Notification, this.abort.signal);
    } catch (err) {
      // Channels should not throw; if one does, treat it like a network failure.
      result = { ok: false, retryable: true, detail: shortDetail(`${integration.name}: ${(err as Error).message}`) };
    }
    const now = this.o.now();
    if (!result.ok && this.abort.signal.aborted) {
      await store.release(row.id, this.token, now);
      this.o.onAttempt?.(row, result, 'released');
      return;
    }
    const decision = planRetry(result, row.attempts, row.firstAttemptAt ?? now, now, this.o.policy);
    if (decision.action === 'done') {
      await store.markDelivered(row.id, this.token, now);
      this.o.onAttempt?.(row, result, 'delivered');
    } else if (decision.action === 'retry') {
      await store.markRetry(row.id, this.token, decision.nextAttemptAt, result.detail);
      this.o.onAttempt?.(row, result, 'retry');
    } else {
      await store.markFailed(row.id, this.token, decision.reason, now);
      this.o.onAttempt?.(row, result, 'failed');
    }
  }
}
