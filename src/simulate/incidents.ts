/**
 * Labelled incidents: what kinds exist, how their parameters are drawn, where they are placed
 * (a file schedule, or an endless demo schedule), and how each one bends the expected rates of
 * the minutes it covers. Everything is deterministic by seed.
 */
import type { EpochMinute } from '../domain/types.ts';
import { KNOWN_STATUSES } from '../domain/types.ts';
import { minuteToIso } from '../domain/time.ts';
import { Rng, hash4 } from '../domain/prng.ts';
import { C, N_COMPONENTS, TAG, type ScopeProfile } from './rates.ts';

export type IncidentKind =
  | 'failed_spike'
  | 'denied_burst'
  | 'backend_reversed_storm'
  | 'outage'
  | 'slow_drift'
  | 'silent_scope'
  | 'volume_surge'
  | 'level_shift';

/** The default incident kinds (files and demo), in a fixed order: the seven short-lived kinds. */
export const INCIDENT_KINDS: readonly IncidentKind[] = [
  'failed_spike',
  'denied_burst',
  'backend_reversed_storm',
  'outage',
  'slow_drift',
  'silent_scope',
  'volume_surge',
];

/** Every kind a file schedule can deal (`incidentKinds`): the defaults plus the opt-in `level_shift`. */
export const ALL_INCIDENT_KINDS: readonly IncidentKind[] = [...INCIDENT_KINDS, 'level_shift'];

/**
 * Minutes after a level shift's onset during which an alert on it is expected (its label window);
 * alerts on its scope later than that count as false (the new level is the new normal).
 */
export const LEVEL_SHIFT_WINDOW = 30;

/** What a backtest needs to know about one injected incident. */
export interface IncidentLabel {
  id: string;
  kind: IncidentKind;
  scope: string;
  /** ISO-8601 UTC, first affected minute. */
  start: string;
  /** ISO-8601 UTC, exclusive. */
  end: string;
  /** Statuses whose counts the incident changes materially (all statuses for silent_scope / volume_surge). */
  statuses: string[];
  /**
   * false only for volume_surge: a legitimate surge a good detector must not alert on. A
   * level_shift is labelled true for its first `LEVEL_SHIFT_WINDOW` minutes only: it may alert at
   * its onset, but the shift lasts to the end of the file and must become the new normal.
   */
  expect_alert: boolean;
  severity: 'warning' | 'critical';
  description: string;
}

/** A scheduled incident: its label plus the parameters of its effect on the rates. */
export interface Incident {
  label: IncidentLabel;
  kind: IncidentKind;
  scopeIndex: number;
  start: EpochMinute;
  /** Exclusive. */
  end: EpochMinute;
  severe: boolean;
  /** Minutes to reach full strength (slow_drift: the ramp length) and to fade out. */
  rampIn: number;
  rampOut: number;
  /**
   * Main magnitude, by kind — failed_spike: failed share of traffic; denied_burst: denied
   * multiplier; backend_reversed_storm: backend_reversed share of traffic; outage: residual
   * fraction of traffic; slow_drift: final share multiplier; volume_surge: volume multiplier;
   * level_shift: the lasting volume multiplier.
   */
  magnitude: number;
  /** Fraction of approved lost at full strength (denied_burst, backend_reversed_storm). */
  approvedDrop: number;
  /** Components raised: denied_burst → [d51] or [d59]; slow_drift → the drifting status. */
  components: number[];
  /** backend_reversed_storm: failed per backend_reversed (0 = no failed companion). */
  companion: number;
  /** Minimum extra count per minute at full strength, so small scopes still show the incident. */
  floor: number;
}

/** Baseline (no-incident) expected component vector of a scope-minute. */
export type BaselineFn = (scopeIndex: number, minute: EpochMinute) => Float64Array;

type Params = Omit<Incident, 'label' | 'scopeIndex' | 'start' | 'end'> & { duration: number };

function draw(kind: IncidentKind, rng: Rng, severe: boolean, demo: boolean): Params {
  const p: Params = {
    kind, severe, duration: 10, rampIn: 0, rampOut: 0, magnitude: 1, approvedDrop: 0, components: [], companion: 0, floor: 0,
  };
  const dur = (lo: number, hi: number, dlo: number, dhi: number): number => (demo ? rng.int(dlo, dhi) : rng.int(lo, hi));
  switch (kind) {
    case 'failed_spike':
      p.duration = severe ? dur(8, 30, 5, 9) : dur(5, 15, 4, 8);
      p.rampIn = rng.int(0, 1);
      p.rampOut = rng.int(0, 2);
      p.magnitude = severe ? rng.between(0.15, 0.3) : rng.between(0.05, 0.12);
      p.floor = severe ? 6 : 3;
      break;
    case 'denied_burst':
      p.duration = dur(10, 45, 5, 10);
      p.rampIn = rng.int(1, 3);
      p.rampOut = rng.int(1, 3);
      p.magnitude = severe ? rng.between(5, 9) : rng.between(2.5, 4);
      p.approvedDrop = severe ? rng.between(0.2, 0.4) : rng.between(0.08, 0.2);
      // Real bursts in the sample are insufficient-funds waves (code 51); card-testing attacks show as 59.
      p.components = [rng.uniform() < 0.5 ? C.d51 : C.d59];
      p.floor = severe ? 8 : 4;
      break;
    case 'backend_reversed_storm':
      p.duration = dur(15, 60, 5, 10);
      p.rampIn = rng.int(1, 3);
      p.rampOut = rng.int(1, 3);
      p.magnitude = severe ? rng.between(0.04, 0.07) : rng.between(0.015, 0.03);
      p.approvedDrop = severe ? rng.between(0.1, 0.25) : rng.between(0, 0.1);
      // Half the real storms come with failed transactions at about a third of the reversals.
      p.companion = rng.uniform() < 0.5 ? rng.between(0.25, 0.45) : 0;
      p.floor = severe ? 3 : 2;
      break;
    case 'outage':
      p.duration = severe ? dur(5, 20, 3, 6) : dur(3, 10, 3, 5);
      p.magnitude = severe ? rng.between(0, 0.02) : rng.between(0.03, 0.1);
      break;
    case 'slow_drift': {
      p.duration = dur(60, 180, 8, 12);
      const denied = rng.uniform() < 0.7;
      p.components = denied ? [C.d51, C.d59] : [C.reversed];
      p.magnitude = denied
        ? severe ? rng.between(2.5, 3.5) : rng.between(1.8, 2.3)
        : severe ? rng.between(3.5, 5) : rng.between(2.5, 3.5);
      if (demo) p.magnitude += 1;
      p.rampIn = Math.max(1, Math.round(p.duration * 0.75));
      break;
    }
    case 'silent_scope':
      p.duration = severe ? dur(15, 45, 6, 9) : dur(5, 14, 5, 7);
      break;
    case 'volume_surge':
      p.duration = dur(20, 90, 6, 10);
      p.rampIn = rng.int(3, demo ? 3 : 10);
      p.rampOut = rng.int(3, demo ? 3 : 10);
      p.magnitude = rng.between(2, 3);
      break;
    case 'level_shift':
      // The label window; the effect lasts to the end of the file (the simulator applies it).
      p.duration = LEVEL_SHIFT_WINDOW;
      p.rampIn = rng.int(0, 5);
      p.magnitude = rng.uniform() < 0.5 ? rng.between(1.3, 1.7) : rng.between(0.5, 0.75);
      break;
  }
  return p;
}

/** Strength of an incident at a minute, 0..1. */
export function envelope(inc: Incident, minute: EpochMinute): number {
  if (minute < inc.start || minute >= inc.end) return 0;
  const t = minute - inc.start;
  if (inc.kind === 'slow_drift') return Math.min(1, (t + 1) / inc.rampIn);
  const d = inc.end - inc.start;
  return Math.min(1, (t + 1) / (inc.rampIn + 1)) * Math.min(1, (d - t) / (inc.rampOut + 1));
}

/**
 * Bends the expected component rates `r` of one scope-minute inside `inc`. Returns false when the
 * scope sends nothing this minute (silent_scope).
 */
export function applyIncident(inc: Incident, minute: EpochMinute, r: Float64Array): boolean {
  const s = envelope(inc, minute);
  if (s === 0) return true;
  switch (inc.kind) {
    case 'level_shift':
      // Lasting: the simulator folds it into the baseline from its onset on (see Simulator.levelAt).
      break;
    case 'silent_scope':
      return false;
    case 'failed_spike': {
      const extra = Math.max(inc.floor, total(r) * inc.magnitude) * s;
      r[C.failed] += extra;
      // Transactions that fail are ones that would have been approved.
      r[C.approved] = Math.max(r[C.approved] * 0.05, r[C.approved] - extra);
      break;
    }
    case 'denied_burst': {
      const extra = Math.max(inc.floor, (inc.magnitude - 1) * (r[C.d51] + r[C.d59])) * s;
      r[inc.components[0]] += extra;
      r[C.approved] *= 1 - inc.approvedDrop * s;
      break;
    }
    case 'backend_reversed_storm': {
      const br = Math.max(inc.floor, total(r) * inc.magnitude) * s;
      r[C.backendReversed] += br;
      r[C.failed] += br * inc.companion;
      r[C.approved] *= 1 - inc.approvedDrop * s;
      break;
    }
    case 'outage': {
      const keep = 1 - (1 - inc.magnitude) * s;
      for (let c = 0; c < N_COMPONENTS; c++) r[c] *= keep;
      break;
    }
    case 'slow_drift': {
      // The status's share of a constant total rises: what it gains, approved loses.
      let extra = 0;
      for (const c of inc.components) {
        const add = r[c] * (inc.magnitude - 1) * s;
        r[c] += add;
        extra += add;
      }
      r[C.approved] = Math.max(0, r[C.approved] - extra);
      break;
    }
    case 'volume_surge': {
      const m = 1 + (inc.magnitude - 1) * s;
      for (let c = 0; c < N_COMPONENTS; c++) r[c] *= m;
      break;
    }
  }
  return true;
}

function total(r: Float64Array): number {
  let t = 0;
  for (let c = 0; c < N_COMPONENTS; c++) t += r[c];
  return t;
}

const ALL_STATUSES = [...KNOWN_STATUSES] as string[];

function num(x: number): string {
  return x >= 10 ? String(Math.round(x)) : x >= 1 ? x.toFixed(1) : x.toFixed(2);
}
function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

/** Builds the label (statuses, severity, a description with the numbers at the incident's start). */
function labelFor(id: string, p: Params, scope: ScopeProfile, scopes: number, start: EpochMinute, base: Float64Array): IncidentLabel {
  const d = p.duration;
  const T = total(base);
  const approved = base[C.approved];
  const denied = base[C.d51] + base[C.d59];
  let statuses: string[];
  let severity: 'warning' | 'critical' = p.severe ? 'critical' : 'warning';
  let description: string;
  switch (p.kind) {
    case 'failed_spike': {
      const f = Math.max(p.floor, T * p.magnitude);
      statuses = p.severe ? ['failed', 'approved'] : ['failed'];
      description = `failed spike: failed jumps to ≈${num(f)}/min (${pct(f / T)} of traffic; baseline ≈${num(base[C.failed])}/min) for ${d} min; approved ≈${num(approved)}→≈${num(Math.max(approved * 0.05, approved - f))}/min`;
      break;
    }
    case 'denied_burst': {
      const extra = Math.max(p.floor, (p.magnitude - 1) * denied);
      const code = p.components[0] === C.d59 ? '59' : '51';
      const why = code === '59' ? 'fraud-like (suspected fraud, auth code 59)' : 'insufficient-funds wave (auth code 51)';
      statuses = ['denied', 'approved'];
      description = `denied burst, ${why}: denied ≈${num(denied)}→≈${num(denied + extra)}/min (×${((denied + extra) / denied).toFixed(1)}), approved −${pct(p.approvedDrop)} for ${d} min`;
      break;
    }
    case 'backend_reversed_storm': {
      const br = Math.max(p.floor, T * p.magnitude);
      statuses = ['backend_reversed'];
      if (p.companion > 0) statuses.push('failed');
      if (p.approvedDrop >= 0.15) statuses.push('approved');
      description = `backend_reversed storm: ≈${num(br)}/min (baseline ≈${num(base[C.backendReversed])}/min)${p.companion > 0 ? `, with failed ≈${num(br * p.companion)}/min` : ''}, approved −${pct(p.approvedDrop)} for ${d} min`;
      break;
    }
    case 'outage':
      statuses = ['approved'];
      severity = 'critical';
      description = `${p.severe ? 'outage' : 'partial outage'}: approved ≈${num(approved)}/min expected, ≈${num(approved * p.magnitude)}/min observed (all statuses ×${p.magnitude.toFixed(2)}) for ${d} min`;
      break;
    case 'slow_drift': {
      const isDenied = p.components.length === 2;
      const status = isDenied ? 'denied' : 'reversed';
      const share0 = (isDenied ? denied : base[C.reversed]) / T;
      statuses = [status];
      description = `slow drift: ${status} share rises from ${(share0 * 100).toFixed(1)}% to ${(share0 * p.magnitude * 100).toFixed(1)}% over ${p.rampIn} min and stays there until minute ${d} (fixed); total volume unchanged`;
      break;
    }
    case 'silent_scope':
      statuses = ALL_STATUSES;
      description = scopes > 1
        ? `silent scope: ${scope.id} sends nothing for ${d} min (≈${num(T)}/min expected)`
        : `data gap: the only scope (${scope.id}) sends nothing for ${d} min (≈${num(T)}/min expected)`;
      break;
    case 'volume_surge':
      statuses = ALL_STATUSES;
      severity = 'warning';
      description = `legitimate volume surge: all statuses ×${p.magnitude.toFixed(1)} (≈${num(T)}→≈${num(T * p.magnitude)}/min, shares unchanged) for ${d} min — must not alert`;
      break;
    case 'level_shift':
      statuses = ALL_STATUSES;
      severity = 'warning';
      description = `level shift: all statuses ×${p.magnitude.toFixed(2)} from here to the end of the file (approved ≈${num(approved)}→≈${num(approved * p.magnitude)}/min, shares unchanged), a lasting business change — may alert in its first ${d} min (this window); later alerts on it are false, the new level is the new normal`;
      break;
  }
  return {
    id,
    kind: p.kind,
    scope: scope.id,
    start: minuteToIso(start),
    end: minuteToIso(start + d),
    statuses,
    expect_alert: p.kind !== 'volume_surge',
    severity,
    description,
  };
}

function build(id: string, p: Params, scopeIndex: number, scopes: ScopeProfile[], start: EpochMinute, baseline: BaselineFn): Incident {
  const label = labelFor(id, p, scopes[scopeIndex], scopes.length, start, baseline(scopeIndex, start));
  const { duration, ...rest } = p;
  return { ...rest, label, scopeIndex, start, end: start + duration };
}

/** Fisher–Yates shuffle of the kinds for one round of the deck. */
function deck(rng: Rng, kinds: readonly IncidentKind[] = INCIDENT_KINDS): IncidentKind[] {
  const d = [...kinds];
  for (let i = d.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [d[i], d[j]] = [d[j], d[i]];
  }
  return d;
}

/**
 * Least baseline traffic (per minute, checked at the start, middle and last minute) for an
 * incident to be one an operator would recognise: an outage of a scope that expects 2
 * approvals a minute, a silent scope that usually sends one row a minute, or a share drift at
 * a handful of transactions a minute would be bad labels.
 */
function placementOk(p: Params, scopeIndex: number, start: EpochMinute, baseline: BaselineFn): boolean {
  let need = 0;
  let approvedOnly = false;
  switch (p.kind) {
    case 'outage': need = 15; approvedOnly = true; break;
    case 'silent_scope': need = 10; break;
    case 'slow_drift': need = p.components.length === 2 ? 40 : 80; break;
    case 'level_shift': need = 20; approvedOnly = true; break;
    default: return true;
  }
  for (const m of [start, start + Math.floor(p.duration / 2), start + p.duration - 1]) {
    const b = baseline(scopeIndex, m);
    if ((approvedOnly ? b[C.approved] : total(b)) < need) return false;
  }
  return true;
}

function largestScope(scopes: ScopeProfile[]): number {
  return scopes.reduce((best, s, i) => (s.size > scopes[best].size ? i : best), 0);
}

export interface ScheduleParams {
  seed: number;
  start: EpochMinute;
  /** Length of the file in minutes. */
  minutes: number;
  perDay: number;
  scopes: ScopeProfile[];
  baseline: BaselineFn;
  /** Kinds dealt (default `INCIDENT_KINDS`, the seven short-lived kinds). */
  kinds?: readonly IncidentKind[];
  /**
   * Called with each incident as soon as it is placed, before the next is drawn: the simulator
   * registers level shifts there, so `baseline` (and the placement and labels of every later
   * incident) sees the shifted level.
   */
  onIncident?: (inc: Incident) => void;
  /** Lasting level of a scope at a minute (product of earlier level shifts), 1 without any. */
  levelAt?: (scopeIndex: number, minute: EpochMinute) => number;
}

/** A level shift flips direction when it would take a scope's level outside this range. */
const LEVEL_RANGE = [0.4, 2.5] as const;

/**
 * The incidents of a file: `round(days × perDay)` incidents, one per equal slot of the timeline,
 * kinds dealt from shuffled decks of `kinds` (default the seven short-lived kinds, so every kind
 * appears once per seven incidents), at a uniform offset inside the slot with ≥ 15 quiet minutes
 * at each slot edge, the first not before 3 h into the file (detectors need history). 40 % are
 * severe. Outages, silent scopes, drifts and level shifts are moved to a scope-minute with enough
 * traffic when possible (see `placementOk`). Incidents never overlap (a level shift's label window
 * is its incident; its lasting effect lives in the simulator's baseline).
 */
export function scheduleIncidents(p: ScheduleParams): Incident[] {
  const n = Math.round((p.minutes / 1440) * p.perDay);
  const out: Incident[] = [];
  if (n <= 0) return out;
  const rng = new Rng(hash4(p.seed, 0, 0, TAG.schedule));
  const slot = p.minutes / n;
  const largest = largestScope(p.scopes);
  let kinds: IncidentKind[] = [];
  for (let i = 0; i < n; i++) {
    if (kinds.length === 0) kinds = deck(rng, p.kinds);
    const kind = kinds.pop() as IncidentKind;
    const params = draw(kind, rng, rng.uniform() < 0.4, false);
    const slotStart = p.start + Math.floor(i * slot);
    const slotLen = p.start + Math.floor((i + 1) * slot) - slotStart;
    params.duration = Math.max(1, Math.min(params.duration, slotLen - 30));
    if (kind === 'slow_drift') params.rampIn = Math.max(1, Math.round(params.duration * 0.75));
    const free = slotLen - params.duration;
    const margin = Math.min(15, Math.floor(free / 2));
    const lo = margin + (i === 0 ? Math.max(0, Math.min(180, free - 2 * margin)) : 0);
    const hi = free - margin;
    let scopeIndex = rng.int(0, p.scopes.length - 1);
    let start = slotStart + rng.int(lo, Math.max(lo, hi));
    // Move incidents that need traffic to a busier time (then another scope, then the largest).
    for (let attempt = 0; attempt < 30 && !placementOk(params, scopeIndex, start, p.baseline); attempt++) {
      if (attempt >= 20) scopeIndex = largest;
      else if (attempt >= 10) scopeIndex = rng.int(0, p.scopes.length - 1);
      start = slotStart + rng.int(lo, Math.max(lo, hi));
    }
    if (kind === 'level_shift' && p.levelAt) {
      // Successive shifts of a scope compound: keep its level within LEVEL_RANGE of the start.
      const level = p.levelAt(scopeIndex, start) * params.magnitude;
      if (level < LEVEL_RANGE[0] || level > LEVEL_RANGE[1]) params.magnitude = 1 / params.magnitude;
    }
    const inc = build(`inc-${String(i + 1).padStart(4, '0')}`, params, scopeIndex, p.scopes, start, p.baseline);
    out.push(inc);
    p.onIncident?.(inc);
  }
  return out;
}

/** Kinds that alert fast and clearly: the first demo incident is one of these. */
const DEMO_OPENERS: readonly IncidentKind[] = ['denied_burst', 'failed_spike', 'outage'];

export interface DemoParams {
  seed: number;
  /** Demo start: no incident before it; block 0 begins here. */
  start: EpochMinute;
  /** Block length: one incident per block. */
  every: number;
  scopes: ScopeProfile[];
  baseline: BaselineFn;
}

/**
 * The incident of demo block `block` (minutes [start + block·every, start + (block+1)·every)),
 * computed on its own so the demo can jump to any minute. Durations are compressed (3–12 min,
 * at most every − 5), 70 % severe, the first starts 2–5 min after the demo start, the next ones
 * 2 min or more into their block. Outages, silent scopes and drifts go to a scope with enough
 * traffic (see `placementOk`), else to the largest.
 */
export function demoIncident(p: DemoParams, block: number): Incident {
  const rng = new Rng(hash4(p.seed, block >>> 0, Math.floor(block / 4294967296), TAG.demo));
  let kind: IncidentKind;
  if (block === 0) kind = DEMO_OPENERS[rng.int(0, DEMO_OPENERS.length - 1)];
  else {
    const round = Math.floor((block - 1) / INCIDENT_KINDS.length);
    const kinds = deck(new Rng(hash4(p.seed, round >>> 0, 1, TAG.demo)));
    kind = kinds[(block - 1) % INCIDENT_KINDS.length];
  }
  const params = draw(kind, rng, block === 0 || rng.uniform() < 0.7, true);
  params.duration = Math.max(3, Math.min(params.duration, p.every - 5));
  if (kind === 'slow_drift') params.rampIn = Math.max(1, Math.round(params.duration * 0.75));
  const room = Math.max(2, p.every - params.duration - 3);
  const offset = block === 0 ? rng.int(2, Math.min(5, room)) : rng.int(2, room);
  const start = p.start + block * p.every + offset;
  // Incidents that need traffic go to a scope that has it, else to the largest.
  let scopeIndex = rng.int(0, p.scopes.length - 1);
  for (let attempt = 0; attempt < 5 && !placementOk(params, scopeIndex, start, p.baseline); attempt++) {
    scopeIndex = attempt === 4 ? largestScope(p.scopes) : rng.int(0, p.scopes.length - 1);
  }
  const inc = build(`demo-${block + 1}`, params, scopeIndex, p.scopes, start, p.baseline);
  inc.label.description += ' (compressed for the demo)';
  return inc;
}
