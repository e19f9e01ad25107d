/**
 * The notification pipeline as stages, after Alertmanager's dispatcher and notify pipeline:
 *
 *   route → group → inhibit → silence → dedup
 *
 * Each stage is a small object with one method, `run(flow) → flow`; the planner (planner.ts)
 * composes them in a list and runs the list on every plan() and flush(). A flow carries what one
 * run knows: its time, the alert changes that came in, the planner state the stages read and
 * update, and what each stage hands to the next (routes, due groups and their alerts, mutes,
 * outbox entries).
 */
import type { Alert, OutboxEntry } from '../../domain/types.ts';
import type { RouteNode } from '../../alerting/routing.ts';

/** What was last sent to one integration for one group (Alertmanager's notification log). */
export interface SentState {
  at: number;
  firing: string[];
  resolved: string[];
}

export interface GroupState {
  routeId: string;
  receiver: string;
  key: string;
  labels: Record<string, string>;
  /** Firing alerts, and resolved ones not flushed yet, by fingerprint. */
  alerts: Record<string, Alert>;
  nextFlushAt: number;
  /** By integration name. */
  sent: Record<string, SentState>;
}

/** What the planner remembers between runs (staged and rolled back as a whole). */
export interface PlannerState {
  /** Open (pending or firing) alerts by fingerprint: the inhibition sources. */
  open: Record<string, Alert>;
  /** By `${receiver}\u0000${groupKey}`. */
  groups: Record<string, GroupState>;
}

/** Why an alert was left out of a notification. */
export interface MuteInfo {
  fingerprint: string;
  silencedBy: string[];
  inhibitedBy?: string;
}

/** A changed alert and the routes it goes to (none when it resolved). */
export interface Routed {
  alert: Alert;
  labels: Record<string, string>;
  routes: readonly RouteNode[];
}

/** A group whose group_wait / group_interval has passed: it is flushed in this run. */
export interface DueGroup {
  /** Its key in `PlannerState.groups`. */
  mapKey: string;
  group: GroupState;
  route: RouteNode;
}

export interface Flow {
  readonly now: number;
  /** In: the alerts that changed, the last version of each (none for a flush). */
  readonly changes: readonly Alert[];
  /** The planner's state; the group and dedup stages update it, the inhibit stage its sources. */
  readonly state: PlannerState;
  /** route → group: the changed alerts that are not pending, with their routes. */
  readonly routed: readonly Routed[];
  /** group → dedup: the groups flushed now. */
  readonly due: readonly DueGroup[];
  /** group → inhibit, silence: the alerts of the due groups, each once. */
  readonly candidates: readonly Alert[];
  /** inhibit, silence → dedup: the candidates left out, by fingerprint. */
  readonly mutes: ReadonlyMap<string, MuteInfo>;
  /** dedup → out: the outbox entries to write. */
  readonly entries: readonly OutboxEntry[];
}

/** One step of the pipeline. */
export interface Stage {
  run(flow: Flow): Flow;
}

/** A flow that has been through no stage yet. */
export function startFlow(state: PlannerState, changes: readonly Alert[], now: number): Flow {
  return { now, changes, state, routed: [], due: [], candidates: [], mutes: new Map(), entries: [] };
}

/** Runs `stages` in order, each on what the previous one returned. */
export function runStages(stages: readonly Stage[], flow: Flow): Flow {
  let f = flow;
  for (const s of stages) f = s.run(f);
  return f;
}
