/**
 * Windowed scoring with an early-detection reward, implemented from the published description of
 * the Numenta Anomaly Benchmark (Lavin & Ahmad, "Evaluating real-time anomaly detection
 * algorithms — the Numenta Anomaly Benchmark", ICMLA 2015) and the way its open scorer computes
 * it (NAB's nab/labeler.py, nab/sweeper.py, config/profiles.json). Pure; no NAB code or data.
 *
 * Per file of n rows with k events:
 *
 * - **Windows.** Each event gets a window of ⌊0.10·n / k⌋ rows (10 % of the file shared equally
 *   among its events) centred on it: [c − ⌊w/2⌋, c + ⌊w/2⌋] clipped to the file, where c is the
 *   event's middle point. NAB labels single points; our events are runs, so a window is also
 *   widened to hold its whole run. Overlapping windows merge into one.
 * - **Probation.** The first min(⌊0.15·n⌋, 750) rows are not scored (a detector is learning);
 *   a window lying wholly inside them does not count.
 * - **Detections.** A row is a detection when its score ≥ the threshold.
 * - **A window** scores the reward of its *first* detection: for the row at index i of a window
 *   [l, r] (width W = r − l + 1) the relative position is −(r − i + 1)/W ∈ [−1, 0) and the reward
 *   A_TP · σ̃(position) / σ̃(−1), with the scaled sigmoid σ̃(x) = 2/(1 + e^{5x}) − 1; so the first
 *   row of a window earns A_TP and a detection at the last row little. A window without a
 *   detection costs −A_FN.
 * - **A detection outside every window** costs A_FP · σ̃(d) with d = (i − r)/(W − 1) measured
 *   from the preceding window [l, r] (a detection just after a window is a small penalty, one a
 *   window-length later almost the full −A_FP); with no preceding window it costs −A_FP.
 *   σ̃(x) = −1 for x ≥ 3.
 * - **Profiles** (A_TP, A_FN, A_FP), as NAB publishes them: standard (1, 1, 0.11), reward low FP
 *   (1, 1, 0.22), reward low FN (1, 2, 0.11).
 * - **Threshold**: one per profile for the whole corpus, the one that maximises the summed raw
 *   score (every distinct score value is tried; ties go to the highest threshold).
 * - **Normalised score** = 100 · (raw − null) / (perfect − null): perfect = A_TP per window (a
 *   detection on each window's first row and nowhere else), null = the best a constant score can
 *   do (flag nothing: −A_FN per window, or flag everything), as NAB's null detector.
 */

/** A cost profile. */
export interface CostProfile {
  name: string;
  tp: number;
  fn: number;
  fp: number;
}

export const NAB_PROFILES: readonly CostProfile[] = Object.freeze([
  { name: 'standard', tp: 1, fn: 1, fp: 0.11 },
  { name: 'reward_low_FP_rate', tp: 1, fn: 1, fp: 0.22 },
  { name: 'reward_low_FN_rate', tp: 1, fn: 2, fp: 0.11 },
]);

/** Share of a file covered by windows. */
export const WINDOW_FRACTION = 0.1;
/** Share of a file in probation, and its cap in rows. */
export const PROBATION_FRACTION = 0.15;
export const PROBATION_CAP = 750;

/** NAB's scaled sigmoid. */
export function scaledSigmoid(x: number): number {
  if (x >= 3) return -1;
  return 2 / (1 + Math.exp(5 * x)) - 1;
}

const MAX_TP = scaledSigmoid(-1);

/** Rows not scored at the start of a file of n rows. */
export function probationLength(n: number): number {
  return Math.min(Math.floor(PROBATION_FRACTION * n), PROBATION_FRACTION * 5000);
}

/** Windows (inclusive index pairs) of a file of n rows with the given events. */
export function buildWindows(n: number, events: ReadonlyArray<[number, number]>): Array<[number, number]> {
  if (events.length === 0 || n === 0) return [];
  const w = Math.floor((WINDOW_FRACTION * n) / events.length);
  const half = Math.floor(w / 2);
  const raw: Array<[number, number]> = events.map(([a, b]) => {
    const c = Math.floor((a + b) / 2);
    return [Math.max(0, Math.min(a, c - half)), Math.min(n - 1, Math.max(b, c + half))];
  });
  const out: Array<[number, number]> = [];
  for (const win of raw) {
    const last = out[out.length - 1];
    if (last && win[0] <= last[1]) last[1] = Math.max(last[1], win[1]);
    else out.push([win[0], win[1]]);
  }
  return out;
}

/** Per-row facts of one file for a profile: which window a row is in (−1 none) and its sweep score. */
interface RowFacts {
  /** Scorable rows only (after probation). */
  scores: Float64Array;
  window: Int32Array;
  value: Float64Array;
  /** Windows that have at least one scorable row. */
  windows: number;
}

function rowFacts(scores: ArrayLike<number>, windows: ReadonlyArray<[number, number]>, profile: CostProfile): RowFacts {
  const n = scores.length;
  const prob = probationLength(n);
  const m = Math.max(0, n - Math.ceil(prob));
  const out: RowFacts = { scores: new Float64Array(m), window: new Int32Array(m).fill(-1), value: new Float64Array(m), windows: 0 };
  const counted = new Set<number>();
  let w = 0;
  let prev = -1;
  let k = 0;
  for (let i = 0; i < n; i++) {
    while (w < windows.length && windows[w][1] < i) prev = w++;
    const inWin = w < windows.length && windows[w][0] <= i;
    if (i < prob) continue;
    const s = scores[i];
    out.scores[k] = s === s ? s : -Infinity;
    if (inWin) {
      const [l, r] = windows[w];
      const width = r - l + 1;
      out.window[k] = w;
      out.value[k] = (scaledSigmoid(-(r - i + 1) / width) * profile.tp) / MAX_TP;
      counted.add(w);
    } else if (prev === -1) {
      out.value[k] = -profile.fp;
    } else {
      const [l, r] = windows[prev];
      const width = r - l + 1;
      out.value[k] = scaledSigmoid(width > 1 ? (i - r) / (width - 1) : 3) * profile.fp;
    }
    k++;
  }
  out.windows = counted.size;
  return out;
}

/** One file's input to the windowed scorer. */
export interface WindowedFile {
  name: string;
  scores: ArrayLike<number>;
  events: ReadonlyArray<[number, number]>;
}

export interface WindowedFileResult {
  name: string;
  windows: number;
  detectedWindows: number;
  falsePositives: number;
  raw: number;
  perfect: number;
  null: number;
  /** 100·(raw − null)/(perfect − null); null when perfect = null (no windows and nothing flagged by the null detector's choice). */
  normalized: number | null;
}

export interface WindowedResult {
  profile: CostProfile;
  /** Infinity when flagging nothing scores best. */
  threshold: number;
  raw: number;
  perfect: number;
  null: number;
  normalized: number | null;
  windows: number;
  detectedWindows: number;
  falsePositives: number;
  files: WindowedFileResult[];
}

/** Raw score of one file's facts at threshold t (plus counts). */
function fileScoreAt(f: RowFacts, fnWeight: number, t: number): { raw: number; detected: number; fps: number } {
  const best = new Map<number, number>();
  let fpSum = 0;
  let fps = 0;
  for (let k = 0; k < f.scores.length; k++) {
    if (!(f.scores[k] >= t)) continue;
    const w = f.window[k];
    if (w === -1) {
      fpSum += f.value[k];
      fps++;
    } else {
      const prev = best.get(w);
      if (prev === undefined || f.value[k] > prev) best.set(w, f.value[k]);
    }
  }
  let raw = fpSum - fnWeight * (f.windows - best.size);
  for (const v of best.values()) raw += Math.max(v, -fnWeight);
  return { raw, detected: best.size, fps };
}

/** Score of a constant detector: the better of flagging nothing and flagging every scorable row. */
function nullScore(f: RowFacts, fnWeight: number): number {
  const none = -fnWeight * f.windows;
  const all = fileScoreAt({ ...f, scores: new Float64Array(f.scores.length) }, fnWeight, 0).raw;
  return Math.max(none, all);
}

function normalize(raw: number, perfect: number, nul: number): number | null {
  return perfect > nul ? (100 * (raw - nul)) / (perfect - nul) : null;
}

/** Scores a corpus under one profile, with the threshold that maximises the corpus's raw score. */
export function scoreWindowed(files: readonly WindowedFile[], profile: CostProfile): WindowedResult {
  const facts = files.map((f) => rowFacts(f.scores, buildWindows(f.scores.length, f.events), profile));
  // Pool the scorable rows of every file, highest score first, and sweep the threshold down.
  let total = 0;
  for (const f of facts) total += f.scores.length;
  const order = new Uint32Array(total);
  const fileOf = new Uint32Array(total);
  const rowOf = new Uint32Array(total);
  const pooled = new Float64Array(total);
  let p = 0;
  facts.forEach((f, fi) => {
    for (let k = 0; k < f.scores.length; k++) {
      order[p] = p;
      fileOf[p] = fi;
      rowOf[p] = k;
      pooled[p] = f.scores[k];
      p++;
    }
  });
  order.sort((a, b) => pooled[b] - pooled[a] || a - b);
  const windowParts = facts.map((f) => new Map<number, number>());
  let windows = 0;
  for (const f of facts) windows += f.windows;
  let score = -profile.fn * windows;
  let bestScore = score;
  let bestT = Infinity;
  let i = 0;
  while (i < total) {
    const t = pooled[order[i]];
    if (t === -Infinity) break;
    // Every row with this score becomes a detection together.
    while (i < total && pooled[order[i]] === t) {
      const q = order[i++];
      const f = facts[fileOf[q]];
      const k = rowOf[q];
      const w = f.window[k];
      if (w === -1) score += f.value[k];
      else {
        const parts = windowParts[fileOf[q]];
        const old = parts.get(w) ?? -profile.fn;
        if (f.value[k] > old) {
          parts.set(w, f.value[k]);
          score += f.value[k] - old;
        }
      }
    }
    if (score > bestScore + 1e-12) {
      bestScore = score;
      bestT = t;
    }
  }
  const results: WindowedFileResult[] = facts.map((f, fi) => {
    const r = fileScoreAt(f, profile.fn, bestT);
    const perfect = profile.tp * f.windows;
    const nul = nullScore(f, profile.fn);
    return { name: files[fi].name, windows: f.windows, detectedWindows: r.detected, falsePositives: r.fps, raw: r.raw, perfect, null: nul, normalized: normalize(r.raw, perfect, nul) };
  });
  const raw = results.reduce((s, r) => s + r.raw, 0);
  const perfect = results.reduce((s, r) => s + r.perfect, 0);
  // The null detector has one threshold for the corpus too: flag nothing anywhere, or everything.
  const nul = Math.max(-profile.fn * windows, facts.reduce((s, f) => s + fileScoreAt({ ...f, scores: new Float64Array(f.scores.length) }, profile.fn, 0).raw, 0));
  return {
    profile,
    threshold: bestT,
    raw,
    perfect,
    null: nul,
    normalized: normalize(raw, perfect, nul),
    windows,
    detectedWindows: results.reduce((s, r) => s + r.detectedWindows, 0),
    falsePositives: results.reduce((s, r) => s + r.falsePositives, 0),
    files: results,
  };
}
