/**
 * Point/event metrics of anomaly scores against labelled points, for `txmon eval`. Pure.
 *
 * Definitions (docs/scoring.md quotes them):
 *
 * - An **event** is a maximal run of labelled points [a, b]. Its **catch zone** is [a, b + 3]
 *   (clipped to the file): a detector that fires on the point after an event ended still caught it.
 * - A point is **flagged** at threshold t when its score ≥ t (a missing score never is).
 * - **Point-wise precision** = flagged points inside some catch zone / all flagged points.
 * - **Event-wise recall** = events with a flagged point in their catch zone / all events.
 * - **Composite F** (Garg et al. 2021) = harmonic mean of the two. One threshold serves the whole
 *   corpus: the sweep tries 1/200, 2/200, …, 199/200 and the 400 quantiles of all scores
 *   (k/400, k = 0…399, lower order statistic) — the candidate set of the team's reference harness
 *   (shared/tools/ms-eval.mjs) — and keeps the best F (ties: the lowest threshold).
 * - An **alarm episode** is a run of flagged points in which gaps of at most 2 unflagged points are
 *   bridged. It is **false** when it touches no catch zone. **Event precision** = episodes that
 *   are not false / all episodes; **event F1** = 2PR/(P+R) with event-wise recall.
 * - **False alarms per day** = false episodes / days covered (latest − earliest timestamp + one
 *   median step).
 * - **Detection delay** of a caught event = first flagged point of its catch zone − a, in points
 *   and in minutes (from the timestamps).
 */

/** A scored, labelled series. */
export interface ScoredSeries {
  name: string;
  labels: ArrayLike<number>;
  scores: ArrayLike<number>;
  /** Epoch ms per row (for days and delays in minutes); optional. */
  times?: ArrayLike<number>;
}

/** Points after an event that still count for it. */
export const EVENT_TOLERANCE = 3;
/** Unflagged points an alarm episode bridges. */
export const EPISODE_GAP = 2;

/** Events as inclusive [start, end] index pairs. */
export function findEvents(labels: ArrayLike<number>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const n = labels.length;
  for (let i = 0; i < n; i++) {
    if (labels[i] !== 1) continue;
    let j = i;
    while (j + 1 < n && labels[j + 1] === 1) j++;
    out.push([i, j]);
    i = j;
  }
  return out;
}

/** 1 where a point lies in some event's catch zone [a, b + 3]. */
export function catchZones(n: number, events: ReadonlyArray<[number, number]>): Uint8Array {
  const near = new Uint8Array(n);
  for (const [a, b] of events) near.fill(1, a, Math.min(b + EVENT_TOLERANCE, n - 1) + 1);
  return near;
}

/** Counts behind point precision and event recall at one threshold. */
export interface CompositeCounts {
  flaggedNear: number;
  flaggedFar: number;
  caught: number;
  events: number;
}

export interface CompositeResult extends CompositeCounts {
  threshold: number;
  pointPrecision: number;
  eventRecall: number;
  compositeF: number;
}

function harmonic(p: number, r: number): number {
  return p + r > 0 ? (2 * p * r) / (p + r) : 0;
}

/** Composite F from counts (precision 0 when nothing is flagged, recall 0 when there are no events). */
export function compositeFrom(threshold: number, c: CompositeCounts): CompositeResult {
  const flagged = c.flaggedNear + c.flaggedFar;
  const p = flagged ? c.flaggedNear / flagged : 0;
  const r = c.events ? c.caught / c.events : 0;
  return { threshold, ...c, pointPrecision: p, eventRecall: r, compositeF: harmonic(p, r) };
}

/** Precomputed per-series facts that make each threshold O(events + log n). */
class Prepared {
  /** Sorted scores of points inside / outside catch zones. */
  readonly near: Float64Array;
  readonly far: Float64Array;
  /** Highest score in each event's catch zone. */
  readonly eventMax: Float64Array;
  constructor(s: ScoredSeries) {
    const n = s.labels.length;
    const events = findEvents(s.labels);
    const zones = catchZones(n, events);
    const near: number[] = [];
    const far: number[] = [];
    for (let i = 0; i < n; i++) {
      const v = s.scores[i];
      if (!(v === v)) continue; // NaN never flags
      (zones[i] ? near : far).push(v);
    }
    this.near = Float64Array.from(near).sort();
    this.far = Float64Array.from(far).sort();
    this.eventMax = new Float64Array(events.length);
    events.forEach(([a, b], k) => {
      let m = -Infinity;
      for (let i = a, end = Math.min(b + EVENT_TOLERANCE, n - 1); i <= end; i++) if (s.scores[i] > m) m = s.scores[i];
      this.eventMax[k] = m;
    });
  }
}

/** Number of values ≥ t in a sorted array. */
function countAtLeast(sorted: Float64Array, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return sorted.length - lo;
}

function countsAt(prepared: readonly Prepared[], t: number): CompositeCounts {
  const c: CompositeCounts = { flaggedNear: 0, flaggedFar: 0, caught: 0, events: 0 };
  for (const p of prepared) {
    c.flaggedNear += countAtLeast(p.near, t);
    c.flaggedFar += countAtLeast(p.far, t);
    c.events += p.eventMax.length;
    for (let k = 0; k < p.eventMax.length; k++) if (p.eventMax[k] >= t) c.caught++;
  }
  return c;
}

/** Composite F of one or more series at a given threshold. */
export function compositeAt(series: readonly ScoredSeries[], threshold: number): CompositeResult {
  return compositeFrom(threshold, countsAt(series.map((s) => new Prepared(s)), threshold));
}

/** The candidate thresholds of the sweep, ascending, all > 0 (see the module comment). */
export function candidateThresholds(series: readonly ScoredSeries[]): number[] {
  let total = 0;
  for (const s of series) for (let i = 0; i < s.scores.length; i++) if (Number.isFinite(s.scores[i])) total++;
  const all = new Float64Array(total);
  let k = 0;
  for (const s of series) for (let i = 0; i < s.scores.length; i++) if (Number.isFinite(s.scores[i])) all[k++] = s.scores[i];
  all.sort();
  const set = new Set<number>();
  for (let j = 1; j < 200; j++) set.add(j / 200);
  if (total > 0) for (let j = 0; j < 400; j++) set.add(all[Math.min(total - 1, Math.floor((j / 400) * total))]);
  return [...set].filter((t) => t > 0).sort((a, b) => a - b);
}

/** The threshold with the best composite F over the whole corpus. */
export function sweepComposite(series: readonly ScoredSeries[]): CompositeResult {
  const prepared = series.map((s) => new Prepared(s));
  let best: CompositeResult | null = null;
  for (const t of candidateThresholds(series)) {
    const r = compositeFrom(t, countsAt(prepared, t));
    if (best === null || r.compositeF > best.compositeF) best = r;
  }
  return best ?? compositeFrom(1, { flaggedNear: 0, flaggedFar: 0, caught: 0, events: prepared.reduce((n, p) => n + p.eventMax.length, 0) });
}

/** Event-level measurements at one threshold. */
export interface EventMetrics {
  events: number;
  caught: number;
  missed: number;
  episodes: number;
  falseEpisodes: number;
  /** null when there are no episodes / no events. */
  eventPrecision: number | null;
  eventRecall: number | null;
  eventF1: number | null;
  days: number;
  falseAlarmsPerDay: number | null;
  /** Delays of caught events, in points and in minutes (null without timestamps). */
  delaysPoints: number[];
  delaysMinutes: number[] | null;
  medianDelayPoints: number | null;
  meanDelayPoints: number | null;
  medianDelayMinutes: number | null;
}

/** Days a series covers: latest − earliest timestamp plus one median step (0 without timestamps). */
export function daysCovered(times: ArrayLike<number> | undefined): number {
  if (!times || times.length === 0) return 0;
  const n = times.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    if (times[i] < lo) lo = times[i];
    if (times[i] > hi) hi = times[i];
  }
  let step = 0;
  if (n > 1) {
    const d = new Float64Array(n - 1);
    for (let i = 1; i < n; i++) d[i - 1] = Math.abs(times[i] - times[i - 1]);
    d.sort();
    step = d[(n - 1) >> 1];
  }
  return (hi - lo + step) / 86_400_000;
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length & 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Raw event counts of one series at threshold t (summable over files). */
export function eventCounts(s: ScoredSeries, t: number): { caught: number; events: number; episodes: number; falseEpisodes: number; delaysPoints: number[]; delaysMinutes: number[] | null; days: number } {
  const n = s.labels.length;
  const events = findEvents(s.labels);
  const zones = catchZones(n, events);
  const flagged = (i: number): boolean => i < n && s.scores[i] >= t;
  let caught = 0;
  const delaysPoints: number[] = [];
  const delaysMinutes: number[] | null = s.times ? [] : null;
  for (const [a, b] of events) {
    for (let i = a, end = Math.min(b + EVENT_TOLERANCE, n - 1); i <= end; i++) {
      if (!flagged(i)) continue;
      caught++;
      delaysPoints.push(i - a);
      if (delaysMinutes && s.times) delaysMinutes.push((s.times[i] - s.times[a]) / 60_000);
      break;
    }
  }
  let episodes = 0;
  let falseEpisodes = 0;
  for (let i = 0; i < n; i++) {
    if (!flagged(i)) continue;
    let j = i;
    let touches = zones[i] === 1;
    for (;;) {
      let next = -1;
      for (let g = 1; g <= EPISODE_GAP + 1; g++) if (flagged(j + g)) { next = j + g; break; }
      if (next === -1) break;
      j = next;
      if (zones[j]) touches = true;
    }
    // An episode touches an event when any of its points (flagged or bridged) lies in a zone.
    if (!touches) for (let k = i; k <= j; k++) if (zones[k]) { touches = true; break; }
    episodes++;
    if (!touches) falseEpisodes++;
    i = j;
  }
  return { caught, events: events.length, episodes, falseEpisodes, delaysPoints, delaysMinutes, days: daysCovered(s.times) };
}

/** Event metrics of one or more series at threshold t. */
export function eventMetricsAt(series: readonly ScoredSeries[], t: number): EventMetrics {
  let caught = 0;
  let events = 0;
  let episodes = 0;
  let falseEpisodes = 0;
  let days = 0;
  const dp: number[] = [];
  let dm: number[] | null = [];
  for (const s of series) {
    const c = eventCounts(s, t);
    caught += c.caught;
    events += c.events;
    episodes += c.episodes;
    falseEpisodes += c.falseEpisodes;
    days += c.days;
    dp.push(...c.delaysPoints);
    if (c.delaysMinutes && dm) dm.push(...c.delaysMinutes);
    else dm = null;
  }
  const p = episodes ? (episodes - falseEpisodes) / episodes : null;
  const r = events ? caught / events : null;
  return {
    events,
    caught,
    missed: events - caught,
    episodes,
    falseEpisodes,
    eventPrecision: p,
    eventRecall: r,
    eventF1: p === null || r === null ? null : harmonic(p, r),
    days,
    falseAlarmsPerDay: days > 0 ? falseEpisodes / days : null,
    delaysPoints: dp,
    delaysMinutes: dm,
    medianDelayPoints: median(dp),
    meanDelayPoints: dp.length ? dp.reduce((a, b) => a + b, 0) / dp.length : null,
    medianDelayMinutes: dm ? median(dm) : null,
  };
}
