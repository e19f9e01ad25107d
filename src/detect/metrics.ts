/** The metrics of one minute: counts, total and shares. */
import type { MinuteMetrics, MinuteSnapshot } from '../domain/types.ts';

export function minuteMetrics(snapshot: MinuteSnapshot, statuses: Iterable<string> = []): MinuteMetrics {
  // for-in rather than Object.entries: this runs for every scope-minute (backtest hot path).
  const counts: Record<string, number> = {};
  for (const s of statuses) counts[s] = 0;
  let total = 0;
  const observed = snapshot.counts;
  for (const status in observed) {
    const n = observed[status];
    counts[status] = n;
    total += n;
  }
  const shares: Record<string, number> = {};
  for (const status in counts) shares[status] = total > 0 ? counts[status] / total : 0;
  return { total, counts, shares };
}
