/**
 * Partition ownership through leases in a JetStream key-value bucket (no home-made consensus):
 * key `p.<partition>` holds the owner's node id. A lease is taken with a revision-checked create
 * (fails if anyone holds it), renewed with a revision-checked update (fails if anyone else wrote
 * it), and expires by itself through the bucket's TTL when its owner stops renewing (kill -9).
 * Members announce themselves the same way (`m.<node>`), so every instance knows how many share
 * the work and takes about P/N partitions: joining makes the others release their surplus,
 * leaving (or dying) frees leases that the survivors pick up.
 *
 * The owner stops working on a partition before its lease can have expired (fencing by time:
 * `holds` turns false one renewal period before the TTL counted from the last successful
 * renewal), so two instances never process one partition at once unless clocks run at very
 * different speeds — docs/scaling.md discusses what that would cost.
 */
import type { KV } from '@nats-io/kv';

export interface LeaseHandlers {
  /** Partitions now leased to us: load their state, then start consuming. */
  acquired(partitions: number[]): Promise<void>;
  /** Partitions we stop owning: stop consuming and drop their state before returning. */
  released(partitions: number[]): Promise<void>;
}

export interface LeaseOptions {
  kv: KV;
  nodeId: string;
  partitions: number;
  ttlMs: number;
  handlers: LeaseHandlers;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
  /** Counts every lease this instance gained or lost (the /metrics counter). */
  onChange?: (kind: 'acquired' | 'released' | 'lost', partition: number) => void;
}

interface Held { revision: number; renewedAt: number }

/** This instance's share when `members` (sorted) split `partitions`: the first P mod N take one more. */
export function targetShare(members: readonly string[], self: string, partitions: number): number {
  const n = Math.max(1, members.length);
  const i = Math.max(0, members.indexOf(self));
  return Math.floor(partitions / n) + (i < partitions % n ? 1 : 0);
}

export class LeaseManager {
  private readonly o: LeaseOptions;
  private readonly held = new Map<number, Held>();
  /** Members seen in the last balance round, sorted. */
  members: string[] = [];
  private timers: NodeJS.Timeout[] = [];
  /** Acquire / release work, one at a time (state loads must not interleave). */
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;
  private balancing = false;

  constructor(opts: LeaseOptions) {
    this.o = opts;
  }

  private key(p: number): string {
    return `p.${p}`;
  }

  /** Partitions leased to us right now. */
  owned(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b);
  }

  /** Is our lease on `p` certainly still valid (renewed recently enough that it cannot have expired)? */
  holds(p: number, now = Date.now()): boolean {
    const h = this.held.get(p);
    return h !== undefined && now - h.renewedAt < this.o.ttlMs - this.renewMs();
  }

  private renewMs(): number {
    return Math.max(200, Math.floor(this.o.ttlMs / 3));
  }

  async start(): Promise<void> {
    await this.balance();
    const renew = setInterval(() => void this.renew(), this.renewMs());
    const balance = setInterval(() => void this.balance(), Math.max(200, Math.floor(this.o.ttlMs / 6)));
    renew.unref();
    balance.unref();
    this.timers = [renew, balance];
  }

  private serial(fn: () => Promise<void>): Promise<void> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch((err) => this.o.log.warn({ err: String(err) }, 'cluster: lease hand-over step failed'));
    return run;
  }

  /** Renews every lease we hold; a lease someone else wrote (or that expired) is lost at once. */
  private async renew(): Promise<void> {
    if (this.stopped) return;
    // Membership is renewed here too, not in balance(): a long state load must not make us look gone.
    await this.announce().catch(() => undefined);
    const lost: number[] = [];
    await Promise.all([...this.held].map(async ([p, h]) => {
      try {
        const revision = await this.o.kv.update(this.key(p), this.o.nodeId, h.revision);
        if (this.held.get(p) === h) this.held.set(p, { revision, renewedAt: Date.now() });
      } catch (err) {
        if (isConflict(err)) lost.push(p);
        // Otherwise NATS is unreachable: keep trying; holds() turns false before the lease can expire.
      }
    }));
    // A lease we could not renew for a whole TTL has expired: someone else may own it now.
    for (const [p] of this.held) if (!lost.includes(p) && !this.holds(p)) lost.push(p);
    if (lost.length === 0) return;
    for (const p of lost) this.held.delete(p);
    this.o.log.warn({ partitions: lost }, 'cluster: leases lost (not renewed in time, or taken over): stopping their partitions');
    for (const p of lost) this.o.onChange?.('lost', p);
    await this.serial(() => this.o.handlers.released(lost));
  }

  /**
   * The members' names, sorted. Bounded in time: a listing cut off by a NATS server going away
   * can wait forever, and a balance round that never ends would never hand a partition over again.
   */
  private async listMembers(): Promise<string[]> {
    // A Set: a key written while the listing runs can be listed twice.
    const members = new Set<string>([this.o.nodeId]);
    const keys = await this.o.kv.keys('m.*');
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; keys.stop(); }, Math.max(1000, Math.floor(this.o.ttlMs / 2)));
    try {
      for await (const k of keys) members.add(k.slice(2));
    } finally {
      clearTimeout(timer);
    }
    if (timedOut) throw new Error('listing the members timed out');
    return [...members].sort();
  }

  private announce(): Promise<number> {
    return this.o.kv.put(`m.${this.o.nodeId}`, String(Date.now()));
  }

  /** Announces us, reads the leases, releases our surplus or takes free partitions up to our share. */
  async balance(): Promise<void> {
    if (this.stopped || this.balancing) return;
    this.balancing = true;
    try {
      if (this.members.length === 0) await this.announce();
      this.members = await this.listMembers();
      const target = targetShare(this.members, this.o.nodeId, this.o.partitions);
      const mine = this.owned();
      if (mine.length > target) {
        await this.serial(() => this.releaseSome(mine.slice(target)));
        return;
      }
      if (mine.length === target) return;
      const gained: number[] = [];
      // Start looking at our own slice of the ring: instances starting together rarely collide.
      const offset = Math.floor((Math.max(0, this.members.indexOf(this.o.nodeId)) * this.o.partitions) / Math.max(1, this.members.length));
      for (let i = 0; i < this.o.partitions && mine.length + gained.length < target; i++) {
        const p = (offset + i) % this.o.partitions;
        if (this.held.has(p)) continue;
        try {
          const revision = await this.o.kv.create(this.key(p), this.o.nodeId);
          this.held.set(p, { revision, renewedAt: Date.now() });
          gained.push(p);
        } catch {
          // Held by someone: not ours to take.
        }
      }
      if (gained.length === 0) return;
      this.o.log.info({ partitions: gained, members: this.members.length }, 'cluster: partitions acquired');
      for (const p of gained) this.o.onChange?.('acquired', p);
      await this.serial(async () => {
        try {
          await this.o.handlers.acquired(gained);
        } catch (err) {
          // Their state could not be loaded (the database is down?): give them back rather than
          // hold partitions nobody consumes; the next round tries again.
          await this.drop(gained);
          throw err;
        }
      });
    } catch (err) {
      this.o.log.warn({ err: String((err as Error)?.message ?? err) }, 'cluster: balance round failed (NATS unreachable?); retried');
    } finally {
      this.balancing = false;
    }
  }

  /** Stops the partitions first, then frees their leases for the instance that takes them. */
  private async releaseSome(ps: number[]): Promise<void> {
    await this.o.handlers.released(ps);
    await this.drop(ps);
    this.o.log.info({ partitions: ps }, 'cluster: partitions released to other members');
  }

  /** Forgets the leases and deletes them (revision-checked: never someone else's). */
  private async drop(ps: number[]): Promise<void> {
    for (const p of ps) {
      const h = this.held.get(p);
      this.held.delete(p);
      if (!h) continue;
      this.o.onChange?.('released', p);
      await this.o.kv.delete(this.key(p), { previousSeq: h.revision }).catch(() => undefined);
    }
  }

  /** Graceful stop: release everything (others take over without waiting for the TTL) and leave. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    await this.serial(async () => {
      const mine = this.owned();
      if (mine.length > 0) await this.releaseSome(mine);
      await this.o.kv.delete(`m.${this.o.nodeId}`).catch(() => undefined);
    });
  }
}

/** A revision-checked write refused (someone else wrote the key, or it expired and was re-created). */
function isConflict(err: unknown): boolean {
  const msg = String((err as Error)?.message ?? err);
  return /wrong last sequence|key exists|10071/i.test(msg);
}
