/**
 * Backtest: the same Engine the server runs, over a file, on a virtual clock.
 *
 * The file is read as a stream of minute groups (src/sources/stream.ts), merged with an auth-code
 * file by (scope, minute) when given. For each minute m, in order:
 *   1. the clock moves to the end of m (when a live sender would have posted it);
 *   2. the minute's rows go to `engine.ingest(batch, { complete: true })` — a file is a complete
 *      record of its minutes, so each present scope-minute closes at once;
 *   3. `engine.tick()` runs, as the live timer would, so a scope that stopped sending is closed
 *      after the grace period and its silence judged (no-data alerts) while it lasts.
 * Minutes missing from the whole file (a gap of every scope) are walked on the clock with a tick
 * each, up to an hour (after that the engine stops closing silent minutes, live or not).
 * At the end `engine.flush()` closes what is pending.
 *
 * Every alert state change to `firing` or from firing to `resolved` becomes an {@link AlertEvent};
 * pending alerts and alerts cleared before firing produce none. Nothing here reads the wall clock:
 * two runs over the same file give the same events in the same order.
 *
 * A file that is not in time order (e.g. sorted by status) is detected on the first row older than
 * the current minute; the run then restarts with that file read in `buffer` order (held in memory,
 * sorted) — `onRestart` says so.
 */
import type { Alert, EpochMinute, MinuteBatch, Severity } from '../domain/types.ts';
import { minuteToIso } from '../domain/time.ts';
import type { EvaluationEvent } from '../engine/engine.ts';
import { engineFromConfig, type EngineSettings } from '../engine/fromConfig.ts';
import { VirtualClock } from '../domain/clock.ts';
import { fileSize, mergeMinutes, NotInTimeOrderError, readMinutes, rowsOf, type MinuteRows, type ReadOrder } from '../sources/stream.ts';
import type { Simulator } from '../simulate/simulator.ts';
import { MemoryStore } from './memoryStore.ts';
import { buildEpisodes, summarizeAlerts, type Evaluation, type FiredAlert } from './metrics.ts';

/** One alert state change, as written to `--events-out` (one JSON object per line). */
export interface AlertEvent {
  /** ISO-8601 time of the change: the end of the minute whose evaluation caused it. */
  at: string;
  /** Rule name (the alert's `alertname`). */
  alert: string;
  status: 'firing' | 'resolved';
  severity: Severity;
  labels: Record<string, string>;
  score: number;
  explanation: string;
  /** Alert id (stable within a run). */
  id: number;
}

/** The engine's settings (a resolved config passes whole: engineFromConfig), and what to report. */
export interface EngineRunOptions extends EngineSettings {
  /** Receives each firing / resolved change, in order. */
  onEvent?: (event: AlertEvent) => void;
  /** Receives every evaluation (assessments and alert changes), in order. */
  onEvaluated?: (event: EvaluationEvent) => void;
}

export interface EngineRun {
  /** Count rows and auth-code rows handed to the engine (zero-filled rows included). */
  countRows: number;
  /** Rows read from the file(s): what rows/s is measured in (zero-filled rows are not read). */
  fileRows: number;
  authCodeRows: number;
  /** Minute groups read (minutes with data in any scope). */
  minutes: number;
  firstMinute: EpochMinute | null;
  lastMinute: EpochMinute | null;
  scopes: string[];
  /** Scope-minutes the engine evaluated (gaps included). */
  minutesEvaluated: number;
  /** Alerts that fired, by id. */
  alerts: FiredAlert[];
  events: number;
}

/**
 * Minutes the offline store keeps behind each scope's latest minute (see MemoryStore). The engine
 * reads the store back only on start (once, empty) and for the minutes of a raw-transaction batch
 * (the current minute group), so a few minutes suffice; a longer window only makes every stored
 * cell outlive the young generation and costs GC time (≈ 15 % of a backtest at 120 minutes).
 */
const RETAIN_MINUTES = 5;
/** How long after its last data the engine keeps closing a silent scope's minutes (engine.ts). */
const LIVE_WINDOW_MINUTES = 60;

/** Builds the event line of an alert that changed to `status`. */
export function alertEvent(alert: Alert, status: 'firing' | 'resolved'): AlertEvent {
  return {
    at: new Date(alert.updatedAt).toISOString(),
    alert: alert.rule,
    status,
    severity: alert.severity,
    labels: alert.labels,
    score: alert.score,
    explanation: alert.explanation,
    id: alert.id,
  };
}

/** Runs a fresh engine over minute groups (in time order) and collects what fired. */
export async function runEngine(groups: AsyncIterable<MinuteRows> | Iterable<MinuteRows>, opts: EngineRunOptions = {}): Promise<EngineRun> {
  const clock = new VirtualClock(0);
  // The service's engine without notifications (a backtest reports alerts, it sends none), and
  // without idle eviction: the offline store keeps a few minutes, it could not rebuild a scope.
  const engine = engineFromConfig({ ...opts, idleScopeMs: undefined }, {
    store: new MemoryStore({ retainMinutes: RETAIN_MINUTES }),
    clock,
  });
  await engine.start();
  const fired = new Map<number, FiredAlert>();
  let events = 0;
  engine.onEvaluated((e) => {
    opts.onEvaluated?.(e);
    for (const t of e.transitions) {
      const a = t.alert;
      if (t.to === 'firing') {
        fired.set(a.id, {
          id: a.id, rule: a.rule, scope: a.labels.scope ?? '', status: a.labels.status ?? '', metric: a.labels.metric ?? '',
          severity: a.severity, firingMinute: a.lastMinute, lastMinute: a.lastMinute, open: true,
        });
      } else if (t.to === 'resolved' && t.from === 'firing') {
        const f = fired.get(a.id);
        if (f) f.open = false;
      } else continue;
      events++;
      opts.onEvent?.(alertEvent(a, t.to));
    }
    for (const a of e.alerts) {
      const f = fired.get(a.id);
      if (!f) continue;
      if (a.lastMinute > f.lastMinute) f.lastMinute = a.lastMinute;
      f.severity = a.severity;
    }
  });

  const run: EngineRun = { countRows: 0, fileRows: 0, authCodeRows: 0, minutes: 0, firstMinute: null, lastMinute: null, scopes: [], minutesEvaluated: 0, alerts: [], events: 0 };
  let prev: EpochMinute | null = null;
  for await (const g of groups) {
    if (prev !== null) {
      // A minute no scope sent: the live timer would still tick and notice the silence.
      const walkTo = Math.min(g.minute - 1, prev + LIVE_WINDOW_MINUTES + 2);
      for (let m = prev + 1; m <= walkTo; m++) {
        clock.set((m + 1) * 60_000);
        await engine.tick();
      }
    }
    clock.set((g.minute + 1) * 60_000);
    const batch: MinuteBatch = { counts: g.counts, authCodes: g.authCodes, raw: [] };
    await engine.ingest(batch, { complete: true });
    await engine.tick();
    run.countRows += g.counts.length;
    run.fileRows += rowsOf(g);
    run.authCodeRows += g.authCodes.length;
    run.minutes++;
    run.firstMinute ??= g.minute;
    run.lastMinute = g.minute;
    prev = g.minute;
  }
  await engine.flush();
  run.scopes = engine.scopeNames();
  run.minutesEvaluated = engine.minutesEvaluated;
  run.alerts = [...fired.values()].sort((a, b) => a.id - b.id);
  run.events = events;
  return run;
}

export interface BacktestOptions extends EngineRunOptions {
  file: string;
  authCodes?: string;
  /** YYYY-MM-DD of "HHh MM" times. */
  date?: string;
  timeZone?: string;
  /** 'auto' (default): stream, and restart reading a file in buffer order if it is not in time order. */
  order?: 'auto' | ReadOrder;
  onProgress?: (bytesRead: number, bytesTotal: number) => void;
  /** Called before the run restarts (after a file turned out not to be in time order); drop earlier events. */
  onRestart?: (reason: string) => void;
}

export interface BacktestRun extends EngineRun {
  file: string;
  authCodesFile: string | null;
  /** How each file was read in the end. */
  order: { counts: ReadOrder; authCodes: ReadOrder | null };
}

/** Runs the backtest over a file (and an auth-code file). */
export async function runBacktest(opts: BacktestOptions): Promise<BacktestRun> {
  const total = (await fileSize(opts.file)) + (opts.authCodes !== undefined ? await fileSize(opts.authCodes) : 0);
  let countsOrder: ReadOrder = opts.order === 'buffer' ? 'buffer' : 'stream';
  let authOrder: ReadOrder = countsOrder;
  for (;;) {
    let readA = 0;
    let readB = 0;
    const progress = opts.onProgress ? () => opts.onProgress!(readA + readB, total) : undefined;
    const common = { date: opts.date, timeZone: opts.timeZone };
    const counts = readMinutes(opts.file, { ...common, order: countsOrder, onProgress: progress && ((n) => { readA = n; progress(); }) });
    const groups = opts.authCodes === undefined
      ? counts
      : mergeMinutes(counts, readMinutes(opts.authCodes, { ...common, kind: 'auth-codes', order: authOrder, onProgress: progress && ((n) => { readB = n; progress(); }) }));
    try {
      const run = await runEngine(groups, opts);
      return { ...run, file: opts.file, authCodesFile: opts.authCodes ?? null, order: { counts: countsOrder, authCodes: opts.authCodes === undefined ? null : authOrder } };
    } catch (err) {
      if (!(err instanceof NotInTimeOrderError) || opts.order === 'stream') throw err;
      if (err.path === opts.file && countsOrder === 'stream') countsOrder = 'buffer';
      else if (err.path === opts.authCodes && authOrder === 'stream') authOrder = 'buffer';
      else throw err;
      opts.onRestart?.(`${err.message}; reading ${err.path} whole (in memory) and starting again`);
    }
  }
}

/**
 * The minute groups a simulation's files would give (`txmon simulate --out … --auth-codes-out …`),
 * generated in process: every status of every present scope-minute (zeros included), silent
 * scope-minutes left out, in the writer's order — so a run over it equals a run over the files.
 */
export function* simulatedMinutes(sim: Simulator, opts: { authCodes?: boolean } = {}): Generator<MinuteRows> {
  for (let m = sim.start; m < sim.end; m++) {
    const counts: MinuteRows['counts'] = [];
    const authCodes: MinuteRows['authCodes'] = [];
    for (const scope of sim.scopes) {
      const x = sim.minute(scope, m);
      if (!x.present) continue;
      for (const status of sim.statuses) counts.push({ scope, minute: m, status, count: x.counts[status] });
      if (opts.authCodes) for (const authCode of sim.authCodes) authCodes.push({ scope, minute: m, authCode, count: x.authCodes[authCode] });
    }
    if (counts.length > 0) yield { minute: m, counts, authCodes };
  }
}

// ---- summary ------------------------------------------------------------------------------

export interface SummaryOptions {
  /** Episodes listed one per line at most (default 100). */
  maxEpisodes?: number;
  /** Name of the labels file, when evaluated. */
  labelsFile?: string;
}

const iso = (m: EpochMinute): string => minuteToIso(m).slice(0, 16) + 'Z';
const pct = (x: number | null): string => (x === null ? 'n/a' : x.toFixed(3));
const num = (x: number | null): string => (x === null ? '-' : Number.isInteger(x) ? String(x) : x.toFixed(1));

/** A text table: columns in `left` are left-aligned, the others right-aligned. */
export function table(rows: string[][], left: readonly number[] = [0], indent = '  '): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => indent + r.map((cell, c) => (left.includes(c) ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd());
}

/** Days covered by a run (minutes from the first to the last minute, inclusive, / 1440). */
export function runDays(run: Pick<EngineRun, 'firstMinute' | 'lastMinute'>): number {
  return run.firstMinute === null || run.lastMinute === null ? 0 : (run.lastMinute - run.firstMinute + 1) / 1440;
}

/** The text the `backtest` command prints: deterministic (no run times). */
export function formatSummary(run: BacktestRun, evaluation: Evaluation | null, opts: SummaryOptions = {}): string {
  const out: string[] = [];
  const maxEpisodes = opts.maxEpisodes ?? 100;
  out.push(`backtest ${run.file}${run.authCodesFile ? ` + ${run.authCodesFile}` : ''}`);
  const span = run.firstMinute === null ? 'no data' : `${iso(run.firstMinute)} → ${iso(run.lastMinute! + 1)} (${runDays(run).toFixed(2)} days)`;
  out.push(`  data       ${run.minutes} minutes, ${span}; ${run.scopes.length} scope${run.scopes.length === 1 ? '' : 's'}`);
  out.push(`  rows       ${run.fileRows} read; ${run.countRows} counts (zero-filled) + ${run.authCodeRows} auth codes to the engine; ${run.minutesEvaluated} scope-minutes evaluated`);
  const s = summarizeAlerts(run.alerts);
  const episodes = evaluation ? evaluation.episodes.map((e) => e.episode) : buildEpisodes(run.alerts);
  out.push('');
  out.push(`alerts       ${s.alerts} fired (${s.resolved} resolved, ${s.open} still firing at the end); ${run.events} events`);
  out.push(`  severity   critical ${s.bySeverity.critical}, warning ${s.bySeverity.warning}, info ${s.bySeverity.info}`);
  out.push(`  alert-minutes ${s.alertMinutes}; episodes ${episodes.length}`);
  if (s.byRule.length > 0) {
    out.push('', 'by rule');
    out.push(...table([
      ['rule', 'alerts', 'resolved', 'firing', 'critical', 'warning', 'info', 'alert-min'],
      ...s.byRule.map((r) => [r.rule, r.alerts, r.resolved, r.open, r.bySeverity.critical, r.bySeverity.warning, r.bySeverity.info, r.alertMinutes].map(String)),
    ]));
  }
  if (episodes.length > 0) {
    out.push('', `episodes (maximal runs of overlapping or adjacent firing alerts of a scope; end exclusive)${episodes.length > maxEpisodes ? `: first ${maxEpisodes} of ${episodes.length}` : ''}`);
    const verdict = (i: number): string => {
      if (!evaluation) return '';
      const e = evaluation.episodes[i];
      return e.false ? (e.surges.length ? `FALSE (surge ${e.surges.join(',')})` : 'FALSE') : e.incidents.join(',');
    };
    out.push(...table([
      ['#', 'scope', 'start', 'end', 'min', 'severity', ...(evaluation ? ['incident'] : []), 'rules'],
      ...episodes.slice(0, maxEpisodes).map((e, i) => [
        String(i + 1), e.scope, iso(e.start), iso(e.end + 1), String(e.end - e.start + 1), e.severity, ...(evaluation ? [verdict(i)] : []), e.rules.join(' '),
      ]),
    ], evaluation ? [1, 2, 3, 5, 6, 7] : [1, 2, 3, 5, 6]));
  }
  if (evaluation) {
    out.push('', `labels ${opts.labelsFile ?? ''}: ${evaluation.incidents.length} incidents (${evaluation.expected} expect an alert)`.replace('labels : ', 'labels: '));
    out.push(...table([
      ['id', 'kind', 'scope', 'start', 'end', 'expect', 'detected', 'delay', 'first rule'],
      ...evaluation.incidents.map((o) => [
        o.incident.id, o.incident.kind, o.incident.scope, iso(o.incident.start), iso(o.incident.end), o.incident.expectAlert ? 'yes' : 'no',
        o.detected ? (o.incident.expectAlert ? 'yes' : 'ALERTED') : o.incident.expectAlert ? 'MISSED' : 'no', num(o.delay), o.rule ?? '-',
      ]),
    ], [0, 1, 2, 3, 4, 8]));
    out.push('', 'per kind');
    out.push(...table([
      ['kind', 'incidents', 'expected', 'detected', 'recall', 'median delay', 'max delay', 'alerted (no alert expected)'],
      ...evaluation.perKind.map((k) => [k.kind, String(k.incidents), String(k.expected), String(k.detected), pct(k.recall), num(k.medianDelay), num(k.maxDelay), String(k.alertedWithoutExpectation)]),
    ]));
    const days = runDays(run);
    out.push('');
    out.push(`recall     ${pct(evaluation.recall)} (${evaluation.detected}/${evaluation.expected} incidents detected)`);
    out.push(`precision  ${pct(evaluation.precision)} (${evaluation.matchedEpisodes}/${evaluation.episodes.length} episodes match an incident)`);
    out.push(`F1         ${pct(evaluation.f1)}`);
    out.push(`delay      median ${num(evaluation.medianDelay)} min, max ${num(evaluation.maxDelay)} min (from incident start to the end of the first firing minute)`);
    out.push(`false-alert episodes ${evaluation.falseEpisodes} (${days > 0 ? (evaluation.falseEpisodes / days).toFixed(2) : 'n/a'} per day)`);
    out.push(`alerts on legitimate surges ${evaluation.surgeEpisodes} episodes`);
  }
  return out.join('\n') + '\n';
}
