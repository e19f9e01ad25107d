/** The metrics of one minute: counts, total and shares. */
import type { MinuteMetrics, MinuteSnapshot } from '../domain/types.ts';

export function minuteMetrics(snapshot: MinuteSnapshot, statuses: Iterable<string> = []): MinuteMetrics {
  const counts: Record<string, number> = {};
  for (const s of statuses) counts[s] = 0;
  let total = 0;
  for (const [status, n] of Object.entries(snapshot.counts)) {
    counts[status] = n;
    total += n;
  }
  const shares: Record<string, number> = {};
  for (const [status, n] of Object.entries(counts)) shares[status] = total > 0 ? n / total : 0;
  return { total, counts, shares };
}
