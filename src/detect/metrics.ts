/** The metrics of one minute: counts, total and shares. */
import type { MinuteMetrics, MinuteSnapshot } from '../domain/types.ts';

/**
 * Counts of every known status (0 when the minute lacks one, known ones first in their order),
 * the total, and each status's share of it. Runs for every scope-minute (the backtest hot path).
 * @param coversAll the minute's keys are all among `statuses` (the model's case)
 * @param values with `coversAll`: receives the counts by position in `statuses`
 */
export function minuteMetrics(snapshot: MinuteSnapshot, statuses: readonly string[] = [], coversAll = false, values?: number[]): MinuteMetrics {
  const observed = snapshot.counts;
  // The engine hands over null-prototype count maps (a status may be called __proto__), which
  // V8 keeps in dictionary mode: walking their keys (for…in sorts them every time) cost ≈ 5 % of
  // a backtest. When the caller's statuses cover every key of the minute, read them by name.
  if (coversAll) return byName(observed, statuses, values);
  const counts = sameKeysInOrder(observed, statuses) ? { ...observed } : withKnownFirst(observed, statuses);
  let total = 0;
  for (const status in counts) total += counts[status];
  const shares: Record<string, number> = {};
  for (const status in counts) {
    const share = total > 0 ? counts[status] / total : 0;
    if (status === '__proto__') put(shares, status, share);
    else shares[status] = share;
  }
  return { total, counts, shares };
}

/**
 * The metrics of a minute whose keys are all among `statuses`: counts (0 when absent) in their
 * order, total and shares, walking `statuses` rather than the objects' keys (no keyed reads of
 * what was just written). `values[i]` receives the count of `statuses[i]` (the model reads them
 * by position). Same objects as the general path: for…in lists integer-like keys first in any
 * object whatever the insertion order, and counts are integers, so the total does not depend on
 * the order of the sum.
 */
function byName(observed: Record<string, number>, statuses: readonly string[], values: number[] = []): MinuteMetrics {
  const counts: Record<string, number> = {};
  let total = 0;
  for (let i = 0; i < statuses.length; i++) {
    const s = statuses[i];
    // A null-prototype map has no inherited keys to guard against: read it directly.
    const v = observed[s];
    let c: number;
    if (s === '__proto__') put(counts, s, (c = Object.hasOwn(observed, s) ? v : 0));
    else counts[s] = c = typeof v === 'number' ? v : 0;
    total += c;
    values[i] = c;
  }
  const shares: Record<string, number> = {};
  for (let i = 0; i < statuses.length; i++) {
    const s = statuses[i];
    const share = total > 0 ? values[i] / total : 0;
    if (s === '__proto__') put(shares, s, share);
    else shares[s] = share;
  }
  return { total, counts, shares };
}

/** Sets a key on a plain object, `__proto__` included (as data, not as the prototype setter). */
function put(o: Record<string, number>, key: string, value: number): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
  else o[key] = value;
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
  for (const s of statuses) put(counts, s, 0);
  for (const status in observed) put(counts, status, observed[status]);
  return counts;
}
