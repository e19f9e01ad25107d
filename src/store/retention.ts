/**
 * Retention (issue #13 item 11): minute counts, auth-code counts, raw transactions, assessments
 * and resolved alerts (with their history) older than a per-kind window are deleted, in batches
 * of `batchSize` rows with a pause between batches, so pruning never holds the database (or
 * SQLite's single writer) for long and ingest keeps flowing. The outbox has its own retention
 * (alerting.outbox_retention, pruned by the delivery worker).
 *
 * Both dialects implement `Store.prune(kind, before, limit)`: delete at most `limit` rows older
 * than `before` (an epoch minute; epoch ms of `ends_at` for alerts) and say how many went.
 */
import type { Store } from './store.ts';

export type RetentionKind = 'minute_counts' | 'auth_code_counts' | 'raw_transactions' | 'assessments' | 'alerts';

export const RETENTION_KINDS: readonly RetentionKind[] = ['minute_counts', 'auth_code_counts', 'raw_transactions', 'assessments', 'alerts'];

export interface RetentionPolicy {
  /** Days to keep per kind; 0 = keep forever. */
  days: Record<RetentionKind, number>;
  /** Rows deleted per statement. */
  batchSize: number;
  /** Pause between batches (ms), so other writers get the database. */
  pauseMs: number;
}

export interface PruneReport { kind: RetentionKind; deleted: number; batches: number }

/** Prunes every kind once, up to `now` (epoch ms). */
export async function pruneAll(store: Pick<Store, 'prune'>, policy: RetentionPolicy, now: number, stopped: () => boolean = () => false): Promise<PruneReport[]> {
  const out: PruneReport[] = [];
  for (const kind of RETENTION_KINDS) {
    const days = policy.days[kind];
    if (!(days > 0)) continue;
    const cutoffMs = now - days * 86_400_000;
    const before = kind === 'alerts' ? cutoffMs : Math.floor(cutoffMs / 60_000);
    let deleted = 0, batches = 0;
    for (;;) {
      if (stopped()) break;
      const n = await store.prune(kind, before, policy.batchSize);
      deleted += n;
      batches++;
      if (n < policy.batchSize) break;
      await new Promise((resolve) => setTimeout(resolve, policy.pauseMs));
    }
    out.push({ kind, deleted, batches });
  }
  return out;
}
