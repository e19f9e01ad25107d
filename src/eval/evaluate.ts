/**
 * `txmon eval` without the I/O: scores labelled series with the `txmon score` model (or takes
 * scores computed elsewhere) and measures them — composite F with one corpus threshold, event
 * metrics at that threshold, and the windowed NAB-style score under its three cost profiles.
 * Definitions: composite.ts and windowed.ts. Pure and deterministic.
 */
import type { LabelledSeries } from './labelled.ts';
import { compositeAt, eventMetricsAt, findEvents, sweepComposite, type CompositeResult, type EventMetrics, type ScoredSeries } from './composite.ts';
import { NAB_PROFILES, scoreWindowed, type WindowedResult } from './windowed.ts';
import { StreamScorer, type ScorerParams } from './score.ts';

/** Scores a labelled series exactly as `txmon score` would (one record at a time, fresh state). */
export function scoreSeries(series: LabelledSeries, params: Partial<ScorerParams> = {}): Float64Array {
  const s = new StreamScorer(params);
  const out = new Float64Array(series.values.length);
  for (let i = 0; i < out.length; i++) out[i] = s.push(series.values[i], series.times[i]);
  return out;
}

export interface FileReport {
  name: string;
  rows: number;
  events: number;
  composite: CompositeResult;
  eventMetrics: EventMetrics;
  /** Normalised windowed score per profile (null when the file has nothing to score). */
  windowed: Record<string, number | null>;
}

export interface EvalReport {
  files: number;
  rows: number;
  events: number;
  /** The corpus threshold (composite-F sweep) and the composite F at it. */
  composite: CompositeResult;
  eventMetrics: Omit<EventMetrics, 'delaysPoints' | 'delaysMinutes'>;
  windowed: WindowedResult[];
  perFile: FileReport[];
}

/** Evaluates scored series (each with its labels). */
export function evaluateScored(series: readonly ScoredSeries[]): EvalReport {
  const composite = sweepComposite(series);
  const t = composite.threshold;
  const { delaysPoints: _dp, delaysMinutes: _dm, ...eventMetrics } = eventMetricsAt(series, t);
  const windowed = NAB_PROFILES.map((p) => scoreWindowed(series.map((s) => ({ name: s.name, scores: s.scores, events: findEvents(s.labels) })), p));
  const perFile: FileReport[] = series.map((s, i) => ({
    name: s.name,
    rows: s.labels.length,
    events: findEvents(s.labels).length,
    composite: compositeAt([s], t),
    eventMetrics: eventMetricsAt([s], t),
    windowed: Object.fromEntries(windowed.map((w) => [w.profile.name, w.files[i].normalized])),
  }));
  return {
    files: series.length,
    rows: series.reduce((n, s) => n + s.labels.length, 0),
    events: composite.events,
    composite,
    eventMetrics,
    windowed,
    perFile,
  };
}

const f3 = (x: number | null): string => (x === null ? 'n/a' : x.toFixed(3));
const f1 = (x: number | null): string => (x === null ? 'n/a' : x.toFixed(1));

/** The human-readable report (deterministic; no timings). */
export function formatReport(r: EvalReport, perFile = true): string {
  const lines: string[] = [];
  if (perFile) {
    lines.push('file                                                     rows events  pointP eventR compF  caught false-eps evF1   delay  NAB-std');
    for (const f of r.perFile) {
      const e = f.eventMetrics;
      lines.push(
        [
          f.name.length > 54 ? '…' + f.name.slice(-53) : f.name.padEnd(54),
          String(f.rows).padStart(7),
          String(f.events).padStart(6),
          f3(f.composite.pointPrecision).padStart(7),
          f3(f.composite.eventRecall).padStart(6),
          f3(f.composite.compositeF).padStart(6),
          `${e.caught}/${e.events}`.padStart(7),
          String(e.falseEpisodes).padStart(9),
          f3(e.eventF1).padStart(6),
          (e.medianDelayPoints === null ? 'n/a' : String(e.medianDelayPoints)).padStart(6),
          f1(f.windowed.standard ?? null).padStart(8),
        ].join(' '),
      );
    }
    lines.push('');
  }
  const c = r.composite;
  const e = r.eventMetrics;
  lines.push(`corpus              ${r.files} files, ${r.rows} rows, ${r.events} events`);
  lines.push(`threshold           ${c.threshold.toFixed(6)} (one for the corpus: best composite F)`);
  lines.push(`composite F         ${f3(c.compositeF)}  (point precision ${f3(c.pointPrecision)}, event recall ${f3(c.eventRecall)}; ${c.flaggedNear + c.flaggedFar} flagged points)`);
  lines.push(`events              caught ${e.caught}, missed ${e.missed}; alarm episodes ${e.episodes}, false ${e.falseEpisodes}`);
  lines.push(`event P / R / F1    ${f3(e.eventPrecision)} / ${f3(e.eventRecall)} / ${f3(e.eventF1)}`);
  lines.push(`false alarms/day    ${e.falseAlarmsPerDay === null ? 'n/a' : e.falseAlarmsPerDay.toFixed(3)} (${e.days.toFixed(1)} days)`);
  lines.push(`delay               median ${e.medianDelayPoints ?? 'n/a'} points (${e.medianDelayMinutes ?? 'n/a'} min), mean ${e.meanDelayPoints === null ? 'n/a' : e.meanDelayPoints.toFixed(2)} points`);
  for (const w of r.windowed) {
    lines.push(`NAB ${w.profile.name.padEnd(19)} ${f1(w.normalized).padStart(6)}  (threshold ${Number.isFinite(w.threshold) ? w.threshold.toFixed(6) : 'none'}; raw ${w.raw.toFixed(2)}, null ${w.null.toFixed(2)}, perfect ${w.perfect.toFixed(2)}; windows ${w.detectedWindows}/${w.windows}, FP rows ${w.falsePositives})`);
  }
  return lines.join('\n') + '\n';
}

/** The machine-readable report (`--format json`). */
export function reportJson(r: EvalReport): unknown {
  const num = (x: number): number | null => (Number.isFinite(x) ? x : null);
  return {
    files: r.files,
    rows: r.rows,
    events: r.events,
    threshold: r.composite.threshold,
    composite: r.composite,
    eventMetrics: r.eventMetrics,
    windowed: r.windowed.map((w) => ({
      profile: w.profile.name,
      weights: { tp: w.profile.tp, fn: w.profile.fn, fp: w.profile.fp },
      threshold: num(w.threshold),
      score: w.normalized,
      raw: w.raw,
      null: w.null,
      perfect: w.perfect,
      windows: w.windows,
      detectedWindows: w.detectedWindows,
      falsePositiveRows: w.falsePositives,
    })),
    perFile: r.perFile.map((f) => {
      const { delaysPoints: _dp, delaysMinutes: _dm, ...em } = f.eventMetrics;
      return { name: f.name, rows: f.rows, events: f.events, composite: f.composite, eventMetrics: em, windowed: f.windowed };
    }),
  };
}
