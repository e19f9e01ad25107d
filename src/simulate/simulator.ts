/**
 * Synthetic payment traffic with labelled incidents — for `txmon serve --demo` (live minutes with
 * an incident every few minutes) and `txmon simulate` (files for backtests).
 *
 * ## Model
 * Per scope and minute, eight components are drawn: approved, denied split by auth code
 * (51 insufficient funds, 59 suspected fraud), failed, reversed, backend_reversed, refunded,
 * processing. Status counts fold the two denied components; auth codes are "00" = approved,
 * "51" and "59" = the denied components.
 *
 * - **Rates** (weekly means at the reference size, calibrated on the real 3-day sample):
 *   approved 116/min, denied 7.2/min (≈ 5.7 % of traffic; 42 % code 51, 58 % code 59 as in the
 *   quiet minutes of the sample), reversed 1, refunded 1, backend_reversed 0.1 (mostly zero),
 *   failed 0.03 (rare), processing 0.01. With the default 4 incidents/day, file-wide means come
 *   out at approved ≈ 116–118, denied ≈ 7.6–8.0, backend_reversed ≈ 0.17–0.20 (sample 0.19) and
 *   failed ≈ 0.12–0.21 (sample 0.06: our failed spikes are stronger than the sample's).
 * - **Rhythm**: `retail` (default) — an hourly profile with a 3–5 a.m. trough (≈ 30/min approved)
 *   and a daytime plateau (≈ 150–165/min), weekends lower (Sat ×0.92, Sun ×0.82 of a weekday
 *   ≈ 1.03), normalised to a weekly mean of 1; `flat`, like the real sample (which shows no daily
 *   rhythm); or `strong`, like the one-day exports — a night trough at ≈ 6 % of the evening peak
 *   (≈ 14 vs ≈ 230 approved/min at scale 1; peak 20–21 h), a morning ramp, and a denied share that
 *   moves with the time of day (4 % by day, rising from 17 h to ≈ 10.5 % at 22–23 h, easing back
 *   over the night); reversed, refunded and the other statuses follow volume. The strong rhythm is
 *   normal traffic: it has no labels. Plus a smooth per-scope day level (lognormal σ 0.04 between days).
 * - **Rare extra statuses** (`rareStatuses`, e.g. chargeback at 0.002/min): Poisson events, a
 *   quarter of them doubled, independent of rhythm and volume scale; normal traffic, no labels.
 * - **Scopes**: one scope `all` (size 1), or `pos-01`… with lognormal sizes (median 1, σ 0.6,
 *   in [0.15, 5]) and per-scope denied factors (σ 0.15), deterministic by seed; `volumeScale`
 *   multiplies every size.
 * - **Noise**: counts are gamma–Poisson draws around the expected rate (gamma shape 500 for
 *   approved — near Poisson, as in the sample —, 20 for each denied component — overdispersed —,
 *   plain Poisson for the rare statuses).
 * - **Randomness**: counter-based. The draw of (seed, scope index, minute, component) restarts a
 *   small generator from a 32-bit hash of those four numbers, so any minute can be generated on
 *   its own ("now" in the demo) and an incident on one status leaves every other count unchanged.
 *
 * ## Incidents (see incidents.ts for the numbers)
 * - `failed_spike`: failed jumps to 5–30 % of traffic (≥ 3–6/min) for 5–30 min, taken from approved.
 * - `denied_burst`: denied ×2.5–9 for 10–45 min, all extra on code 51 (insufficient-funds wave)
 *   or 59 (fraud-like), approved −8…40 %.
 * - `backend_reversed_storm`: backend_reversed at 1.5–7 % of traffic (≥ 2/min) for 15–60 min,
 *   half of them with failed at ~⅓ of that, approved −0…25 %.
 * - `outage`: every status ×0–0.1 for 3–20 min (rows still sent, with zeros).
 * - `slow_drift`: denied (or reversed) share rises linearly to ×1.8–3.5 (×2.5–5 for reversed)
 *   over ¾ of 60–180 min, then holds until the end; total unchanged.
 * - `silent_scope`: the scope sends nothing (present = false) for 5–45 min; with one scope it is a
 *   data gap of `all`.
 * - `volume_surge`: every status ×2–3 for 20–90 min, shares unchanged — `expect_alert: false`.
 * - `level_shift` (opt-in via `incidentKinds`): from its onset to the end of the file every status
 *   ×0.5–0.75 or ×1.3–1.7 (ramp 0–5 min; a scope's compounded level stays in [0.4, 2.5]) — a
 *   lasting business change. Labelled `expect_alert: true` for its first 30 min only: it may alert
 *   at its onset, but must become the new normal, so later alerts on its scope count as false. The
 *   shifted level is part of `baseline` from the onset on, so later incidents build on it.
 * Ramps of 0–10 min at either end; 40 % severe (→ severity critical), the rest mild (warning).
 * Placement needs traffic where an incident needs it to be recognisable: outages ≥ 15 approved/min
 * expected, silent scopes ≥ 10/min, drifts ≥ 40/min (reversed drifts ≥ 80/min), level shifts ≥ 20
 * approved/min — else the scheduler tries other times, other scopes, then the largest scope.
 *
 * ## Schedules
 * - Files: `incidentsPerDay` (default 4) incidents spread over equal slots of the timeline, kinds
 *   dealt from shuffled decks of `incidentKinds` (default the seven above, without level_shift; a
 *   14-day file has each kind ≈ 8 times), uniform
 *   time of day (night included), ≥ 30 quiet minutes between incidents, none in the first 3 h.
 * - Demo: `incidentEveryMinutes: E` (e.g. 15) — one compressed incident (3–12 min) per block of E
 *   minutes from `start`, the first 2–5 minutes after `start`, forever after (`days` only bounds the
 *   `incidents` list). Each block is computed on its own, so the demo can start at any minute.
 */
import type { EpochMinute } from '../domain/types.ts';
import { TxmonError } from '../domain/errors.ts';
import { Rng, hash4 } from '../domain/prng.ts';
import {
  BASE_RATES, C, DISPERSION, N_COMPONENTS, RHYTHMS, SIM_AUTH_CODES, SIM_STATUSES, TAG,
  componentsToStatuses, dayAnchor, dayLevelFrom, deniedMix, rhythmFactor, scopeProfiles,
  type Rhythm, type ScopeProfile,
} from './rates.ts';
import {
  ALL_INCIDENT_KINDS, INCIDENT_KINDS, applyIncident, demoIncident, scheduleIncidents,
  type DemoParams, type Incident, type IncidentKind, type IncidentLabel,
} from './incidents.ts';

export type { IncidentLabel, IncidentKind } from './incidents.ts';
export type { Rhythm } from './rates.ts';

export interface SimulateOptions {
  /** Length of the file (and of the `incidents` list) in days, > 0 and ≤ 366; fractions allowed. */
  days: number;
  /** Integer in [0, 2^32). */
  seed: number;
  /** Number of scopes, 1–1000 (default 1: scope `all`). */
  scopes?: number;
  /** First minute (default `DEFAULT_START`, Monday 2025-07-14 00:00 UTC). */
  start?: EpochMinute;
  /** Inject incidents (default true). */
  incidents?: boolean;
  /** Incidents per day in files, 0–24 (default 4). Ignored with `incidentEveryMinutes`. */
  incidentsPerDay?: number;
  /** Multiplier of every scope's volume, (0, 1000] (default 1). */
  volumeScale?: number;
  /** Daily/weekly rhythm (default 'retail'; 'strong': deep night trough, evening peak, denied share by time of day). */
  rhythm?: Rhythm;
  /** Demo schedule: one incident per block of this many minutes from `start`, 10–1440. */
  incidentEveryMinutes?: number;
  /**
   * Kinds a file schedule deals, distinct, from `ALL_INCIDENT_KINDS` (default `INCIDENT_KINDS`, the
   * seven short-lived kinds; add 'level_shift' for lasting level changes). Not with `incidentEveryMinutes`.
   */
  incidentKinds?: readonly IncidentKind[];
  /** Extra rare statuses of normal traffic (e.g. chargeback), written after the usual seven; at most 8. */
  rareStatuses?: readonly RareStatus[];
}

/**
 * A rare extra status: normal traffic that must not alert. Each scope-minute draws
 * Poisson(`perMinute` × scope size) events, a quarter of them doubled, so it is mostly 0, sometimes
 * 1, now and then 2 or more. It follows neither the rhythm nor `volumeScale` (chargebacks and
 * disputes arrive from issuers on their own schedule), and incidents other than silent_scope
 * leave it alone.
 */
export interface RareStatus {
  /** Lower-case name, [a-z][a-z0-9_]* up to 64 characters, not one of the simulated statuses. */
  status: string;
  /** Expected events per minute for a scope of size 1, in (0, 1]. */
  perMinute: number;
}

/** Default rate of a rare status (events per minute, scope size 1). */
export const DEFAULT_RARE_RATE = 0.002;
export const MAX_RARE_STATUSES = 8;
const RARE_NAME = /^[a-z][a-z0-9_]{0,63}$/;

/** One scope-minute of simulated traffic. */
export interface SimulatedMinute {
  scope: string;
  minute: EpochMinute;
  /** status -> count, every simulated status (zeros included; all zero when !present). */
  counts: Record<string, number>;
  /** auth code -> count: "00" (= approved), "51", "59" (sum = denied). JS lists "51", "59" before "00". */
  authCodes: Record<string, number>;
  /** false: the scope sent nothing this minute (silent_scope) — send / write nothing for it. */
  present: boolean;
}

/** Monday 2025-07-14 00:00 UTC — the week after the real sample. */
export const DEFAULT_START: EpochMinute = Date.UTC(2025, 6, 14) / 60_000;
export const DEFAULT_INCIDENTS_PER_DAY = 4;
export const MAX_DAYS = 366;
export const MAX_SCOPES = 1000;

function bad(field: string, expected: string, got: unknown): TxmonError {
  return new TxmonError('TXMON_ERR_BAD_PARAMETER', `option "${field}" must be ${expected}, got ${JSON.stringify(got) ?? String(got)}`, {
    field, expected, got,
  });
}

function checkInt(field: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw bad(field, `an integer from ${lo} to ${hi}`, v);
  return v;
}

function checkNum(field: string, v: unknown, lo: number, hi: number, loOpen: boolean): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (loOpen ? v <= lo : v < lo) || v > hi) {
    throw bad(field, `a number ${loOpen ? '>' : '≥'} ${lo} and ≤ ${hi}`, v);
  }
  return v;
}

function checkKinds(v: unknown): IncidentKind[] {
  const expected = `a non-empty list of distinct incident kinds from ${ALL_INCIDENT_KINDS.join(', ')}`;
  if (!Array.isArray(v) || v.length === 0) throw bad('incidentKinds', expected, v);
  const seen = new Set<string>();
  for (const k of v) {
    if (typeof k !== 'string' || !(ALL_INCIDENT_KINDS as readonly string[]).includes(k) || seen.has(k)) throw bad('incidentKinds', expected, k);
    seen.add(k);
  }
  return [...v] as IncidentKind[];
}

function checkRare(v: unknown): RareStatus[] {
  if (!Array.isArray(v) || v.length > MAX_RARE_STATUSES) throw bad('rareStatuses', `a list of at most ${MAX_RARE_STATUSES} {status, perMinute}`, v);
  const seen = new Set<string>(SIM_STATUSES);
  return v.map((r: unknown, i) => {
    const o = r as Partial<RareStatus> | null;
    if (o === null || typeof o !== 'object') throw bad(`rareStatuses[${i}]`, 'an object {status, perMinute}', r);
    if (typeof o.status !== 'string' || !RARE_NAME.test(o.status)) throw bad(`rareStatuses[${i}].status`, 'a lower-case name [a-z][a-z0-9_]* of up to 64 characters', o.status);
    if (seen.has(o.status)) throw bad(`rareStatuses[${i}].status`, `a status not already simulated (${[...seen].join(', ')})`, o.status);
    seen.add(o.status);
    const perMinute = checkNum(`rareStatuses[${i}].perMinute`, o.perMinute, 0, 1, true);
    return { status: o.status, perMinute };
  });
}

/** Deterministic synthetic traffic: random access by (scope, minute), or streamed by range. */
export class Simulator {
  readonly seed: number;
  readonly scopes: string[];
  readonly profiles: readonly ScopeProfile[];
  /** First minute of the file. */
  readonly start: EpochMinute;
  /** End of the file, exclusive (start + round(days · 1440)). */
  readonly end: EpochMinute;
  readonly rhythm: Rhythm;
  readonly volumeScale: number;
  /** Kinds of the file schedule (the demo always deals the seven defaults). */
  readonly incidentKinds: readonly IncidentKind[];
  /** Rare extra statuses (empty by default). */
  readonly rareStatuses: readonly RareStatus[];
  /** Statuses of `counts`, in writing order: the seven simulated statuses, then the rare ones. */
  readonly statuses: readonly string[];
  /** Auth codes of `authCodes`, in writing order. */
  readonly authCodes: readonly string[] = SIM_AUTH_CODES;
  private labels: IncidentLabel[] | null = null;

  private readonly scopeIndex = new Map<string, number>();
  private readonly byScope: Incident[][];
  private readonly demo: DemoParams | null;
  private readonly demoCache = new Map<number, Incident>();
  private readonly rng = new Rng();
  private readonly rates = new Float64Array(N_COMPONENTS);
  private readonly counts = new Int32Array(N_COMPONENTS);
  private readonly dayKey: Float64Array;
  private readonly dayA: Float64Array;
  private readonly dayB: Float64Array;
  /** Level shifts per scope, by onset: onset minute, ramp, level before and after. */
  private readonly shifts: Array<{ start: number[]; ramp: number[]; before: number[]; after: number[] }>;

  constructor(opts: SimulateOptions) {
    const o = opts as Partial<SimulateOptions> | undefined;
    if (o === null || typeof o !== 'object') throw bad('options', 'an object', o);
    const days = checkNum('days', o.days, 0, MAX_DAYS, true);
    this.seed = checkInt('seed', o.seed, 0, 0xffffffff);
    const k = o.scopes === undefined ? 1 : checkInt('scopes', o.scopes, 1, MAX_SCOPES);
    this.start = o.start === undefined ? DEFAULT_START : checkInt('start', o.start, 0, 2 ** 32 - 1);
    const minutes = Math.max(1, Math.round(days * 1440));
    this.end = this.start + minutes;
    this.volumeScale = o.volumeScale === undefined ? 1 : checkNum('volumeScale', o.volumeScale, 0, 1000, true);
    const perDay = o.incidentsPerDay === undefined ? DEFAULT_INCIDENTS_PER_DAY : checkNum('incidentsPerDay', o.incidentsPerDay, 0, 24, false);
    if (o.rhythm !== undefined && !RHYTHMS.includes(o.rhythm)) throw bad('rhythm', RHYTHMS.map((r) => `"${r}"`).join(', ').replace(/, ([^,]*)$/, ' or $1'), o.rhythm);
    this.rhythm = o.rhythm ?? 'retail';
    if (o.incidents !== undefined && typeof o.incidents !== 'boolean') throw bad('incidents', 'a boolean', o.incidents);
    const every = o.incidentEveryMinutes === undefined ? undefined : checkInt('incidentEveryMinutes', o.incidentEveryMinutes, 10, 1440);
    this.incidentKinds = o.incidentKinds === undefined ? INCIDENT_KINDS : checkKinds(o.incidentKinds);
    if (o.incidentKinds !== undefined && every !== undefined) {
      throw bad('incidentKinds', 'left unset with incidentEveryMinutes (the demo deals the seven default kinds)', o.incidentKinds);
    }
    this.rareStatuses = o.rareStatuses === undefined ? [] : checkRare(o.rareStatuses);
    this.statuses = this.rareStatuses.length === 0 ? SIM_STATUSES : [...SIM_STATUSES, ...this.rareStatuses.map((r) => r.status)];

    this.profiles = scopeProfiles(this.seed, k);
    this.scopes = this.profiles.map((p) => p.id);
    this.scopes.forEach((id, i) => this.scopeIndex.set(id, i));
    this.dayKey = new Float64Array(k).fill(NaN);
    this.dayA = new Float64Array(k);
    this.dayB = new Float64Array(k);
    this.byScope = this.profiles.map(() => []);
    this.shifts = this.profiles.map(() => ({ start: [], ramp: [], before: [], after: [] }));

    const baseline = (si: number, minute: EpochMinute): Float64Array => this.baseline(si, minute, new Float64Array(N_COMPONENTS));
    this.demo = null;
    if (o.incidents !== false && every !== undefined) {
      // Demo blocks are computed on demand (a year of them takes ≈ 0.3 s to list).
      this.demo = { seed: this.seed, start: this.start, every, scopes: this.profiles as ScopeProfile[], baseline };
    } else if (o.incidents !== false) {
      const list = scheduleIncidents({
        seed: this.seed, start: this.start, minutes, perDay, scopes: this.profiles as ScopeProfile[], baseline,
        kinds: this.incidentKinds,
        levelAt: (si, minute) => this.levelAt(si, minute),
        onIncident: (inc) => {
          if (inc.kind === 'level_shift') this.addShift(inc);
        },
      });
      for (const inc of list) this.byScope[inc.scopeIndex].push(inc);
      for (const arr of this.byScope) arr.sort((a, b) => a.start - b.start);
      this.labels = list.map((i) => i.label);
    } else {
      this.labels = [];
    }
  }

  /**
   * Labels of the incidents in [start, end), by start time. In demo mode the list is built on first
   * access; prefer `incidentsBetween` for a window of a long demo.
   */
  get incidents(): IncidentLabel[] {
    if (!this.labels) this.labels = this.incidentsBetween(this.start, this.end).filter((l) => Date.parse(l.start) < this.end * 60_000);
    return this.labels;
  }

  /** Index of a scope id, or a TxmonError when the simulator has no such scope. */
  indexOf(scope: string): number {
    const i = this.scopeIndex.get(scope);
    if (i === undefined) throw new TxmonError('TXMON_ERR_NOT_FOUND', `scope "${scope}" is not simulated (scopes: ${this.scopes.slice(0, 5).join(', ')}${this.scopes.length > 5 ? ', …' : ''})`, { field: 'scope', got: scope });
    return i;
  }

  /** The incident active on a scope at a minute, if any (file or demo schedule). */
  incidentAt(scopeIndex: number, minute: EpochMinute): Incident | null {
    if (this.demo) {
      if (minute < this.start) return null;
      const block = Math.floor((minute - this.start) / this.demo.every);
      let inc = this.demoCache.get(block);
      if (!inc) {
        if (this.demoCache.size > 256) this.demoCache.clear();
        inc = demoIncident(this.demo, block);
        this.demoCache.set(block, inc);
      }
      return inc.scopeIndex === scopeIndex && minute >= inc.start && minute < inc.end ? inc : null;
    }
    const arr = this.byScope[scopeIndex];
    let lo = 0;
    let hi = arr.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (arr[mid].start <= minute) lo = mid + 1;
      else hi = mid - 1;
    }
    const inc = hi >= 0 ? arr[hi] : null;
    return inc && minute < inc.end ? inc : null;
  }

  /** Labels of the incidents (any scope) overlapping [from, toExclusive); works past `end` in demo mode. */
  incidentsBetween(from: EpochMinute, toExclusive: EpochMinute): IncidentLabel[] {
    if (!this.demo) {
      const out: IncidentLabel[] = [];
      for (const arr of this.byScope) for (const inc of arr) if (inc.start < toExclusive && inc.end > from) out.push(inc.label);
      return out.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    }
    const out: IncidentLabel[] = [];
    const first = Math.max(0, Math.floor((from - this.start) / this.demo.every) - 1);
    for (let b = first; this.start + b * this.demo.every < toExclusive; b++) {
      const inc = demoIncident(this.demo, b);
      if (inc.start < toExclusive && inc.end > from) out.push(inc.label);
    }
    return out;
  }

  /**
   * Lasting volume level of a scope at a minute: the product of the level shifts (kind
   * `level_shift`) that began before it, ramping in over a few minutes at each onset; 1 without any.
   */
  levelAt(scopeIndex: number, minute: EpochMinute): number {
    const sh = this.shifts[scopeIndex];
    const n = sh.start.length;
    if (n === 0 || minute < sh.start[0]) return 1;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (sh.start[mid] <= minute) lo = mid;
      else hi = mid - 1;
    }
    const s = Math.min(1, (minute - sh.start[lo] + 1) / (sh.ramp[lo] + 1));
    return sh.before[lo] + (sh.after[lo] - sh.before[lo]) * s;
  }

  private addShift(inc: Incident): void {
    const sh = this.shifts[inc.scopeIndex];
    const before = sh.after.length ? sh.after[sh.after.length - 1] : 1;
    sh.start.push(inc.start);
    sh.ramp.push(inc.rampIn);
    sh.before.push(before);
    sh.after.push(before * inc.magnitude);
  }

  /**
   * Baseline expected component rates (no short-lived incident) of a scope-minute, written into
   * `out`. Lasting level shifts are part of it: after its onset the shifted level is the normal.
   */
  baseline(scopeIndex: number, minute: EpochMinute, out: Float64Array = new Float64Array(N_COMPONENTS)): Float64Array {
    const p = this.profiles[scopeIndex];
    const y = minute / 1440 - 0.5;
    const day = Math.floor(y);
    if (this.dayKey[scopeIndex] !== day) {
      this.dayKey[scopeIndex] = day;
      this.dayA[scopeIndex] = dayAnchor(this.seed, scopeIndex, day, this.rng);
      this.dayB[scopeIndex] = dayAnchor(this.seed, scopeIndex, day + 1, this.rng);
    }
    let f = p.size * this.volumeScale * rhythmFactor(minute, this.rhythm) * dayLevelFrom(this.dayA[scopeIndex], this.dayB[scopeIndex], y - day);
    if (this.shifts[scopeIndex].start.length > 0) f *= this.levelAt(scopeIndex, minute);
    for (let c = 0; c < N_COMPONENTS; c++) out[c] = BASE_RATES[c] * f;
    out[C.d51] *= p.deniedFactor;
    out[C.d59] *= p.deniedFactor;
    if (this.rhythm === 'strong') {
      const g = deniedMix(minute, 'strong');
      out[C.d51] *= g;
      out[C.d59] *= g;
    }
    return out;
  }

  /**
   * Expected count per status of a scope-minute: the baseline, or with `withIncidents` the rates
   * the incident bends them to (all zero while a scope is silent). Rare statuses are included.
   */
  expected(scope: string, minute: EpochMinute, withIncidents = true): Record<string, number> {
    const si = this.indexOf(scope);
    const r = this.baseline(si, minute, new Float64Array(N_COMPONENTS));
    const inc = withIncidents ? this.incidentAt(si, minute) : null;
    const silent = inc !== null && !applyIncident(inc, minute, r);
    if (silent) r.fill(0);
    const out = componentsToStatuses(r);
    for (const rs of this.rareStatuses) out[rs.status] = silent ? 0 : rs.perMinute * this.profiles[si].size * 1.25;
    return out;
  }

  /**
   * Draws the rare-status counts of a scope-minute into `out` (order of `rareStatuses`). Call it
   * for present scope-minutes (`fill` returned true); the draws do not depend on any other count.
   */
  fillRare(scopeIndex: number, minute: EpochMinute, out: Int32Array): void {
    const rng = this.rng;
    const size = this.profiles[scopeIndex].size;
    for (let k = 0; k < this.rareStatuses.length; k++) {
      const events = rng.reset(hash4(this.seed, scopeIndex, minute >>> 0, TAG.rare + k)).poisson(this.rareStatuses[k].perMinute * size);
      let n = events;
      for (let e = 0; e < events; e++) if (rng.uniform() < 0.25) n++;
      out[k] = n;
    }
  }

  /**
   * Draws the component counts of a scope-minute into `out` (length ≥ 8, order of `COMPONENTS`).
   * Returns false (and zeros) when the scope is silent. The allocation-free path of the writers.
   */
  fill(scopeIndex: number, minute: EpochMinute, out: Int32Array): boolean {
    const r = this.baseline(scopeIndex, minute, this.rates);
    const inc = this.incidentAt(scopeIndex, minute);
    if (inc && !applyIncident(inc, minute, r)) {
      out.fill(0, 0, N_COMPONENTS);
      return false;
    }
    const seed = this.seed;
    const rng = this.rng;
    const m = minute >>> 0;
    for (let c = 0; c < N_COMPONENTS; c++) {
      out[c] = rng.reset(hash4(seed, scopeIndex, m, TAG.count + c)).negBinomial(r[c], DISPERSION[c]);
    }
    return true;
  }

  /** One scope-minute; the same (seed, scope, minute) always gives the same counts. */
  minute(scope: string, minute: EpochMinute): SimulatedMinute {
    return this.make(this.indexOf(scope), minute);
  }

  /** Every scope-minute of [from, toExclusive), minute-major, scopes in order (silent ones included). */
  *range(from: EpochMinute, toExclusive: EpochMinute): Generator<SimulatedMinute> {
    for (let m = from; m < toExclusive; m++) {
      for (let si = 0; si < this.scopes.length; si++) yield this.make(si, m);
    }
  }

  private make(si: number, minute: EpochMinute): SimulatedMinute {
    const v = this.counts;
    const present = this.fill(si, minute, v);
    const counts = componentsToStatuses(v);
    if (this.rareStatuses.length > 0) {
      const rare = new Int32Array(this.rareStatuses.length);
      if (present) this.fillRare(si, minute, rare);
      this.rareStatuses.forEach((r, k) => { counts[r.status] = rare[k]; });
    }
    return {
      scope: this.scopes[si],
      minute,
      counts,
      authCodes: { '00': v[C.approved], '51': v[C.d51], '59': v[C.d59] },
      present,
    };
  }
}
