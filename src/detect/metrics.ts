/** The metrics of one minute: counts, total and shares. */
import type { MinuteMetrics, MinuteSnapshot } from '../domain/types.ts';

/**
 * Counts of every known status (0 when the minute lacks one, known ones first in their order),
 * the total, and each status's share of it. Runs for every scope-minute (the backtest hot path).
 */
export function minuteMetrics(snapshot: MinuteSnapshot, statuses: readonly string[] = []): MinuteMetrics {
  const observed = snapshot.counts;
  const counts = sameKeysInOrder(observed, statuses) ? { ...observed } : withKnownFirst(observed, statuses);
  let total = 0;
  for (const status in counts) total += counts[status];
  const shares: Record<string, number> = {};
  for (const status in counts) shares[status] = total > 0 ? counts[status] / total : 0;
  return { total, counts, shares };
}

/** Does the minute report exactly the known statuses, in their order? (The usual case: a copy will do.) */
function sameKeysInOrder(observed: Record<string, number>, statuses: readonly string[]): boolean {
  let i = 0;
  for (const status in observed) {
    if (i === statuses.length || statuses[i] !== status) return false;
    i++;
  }
  return i === statuses.length;
}

function withKnownFirst(observed: Record<string, number>, statuses: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of statuses) counts[s] = 0;
  for (const status in observed) counts[status] = observed[status];
  return counts;
}
