/**
 * Notification planning, Alertmanager's dispatcher as a list of stages (flow.ts):
 *
 *   route → group (group_by; group_wait / group_interval) → inhibit → silence →
 *   dedup (per integration: new firing alerts, resolved alerts with send_resolved, repeat_interval)
 *   → one OutboxEntry per (integration, notification).
 *
 * The planner keeps per-group state in memory: the alerts of the group, when it is next due, and
 * per integration what was last sent (time, firing and resolved fingerprints — Alertmanager's
 * notification log). `plan(changes, now)` runs inside the engine's evaluation, so the entries it
 * returns are written in the same transaction as the alert changes; with group_wait 0 a new
 * group is flushed right there. `flush(now)` sends groups whose group_wait / group_interval has
 * passed (service tick). Both stage their changes: `commit()` after the store wrote the entries,
 * and a plan whose write failed is rolled back on the next call.
 *
 * State survives restarts without a table of its own: `restore` rebuilds it from the open alerts
 * and the recent outbox (what was last sent to each integration of each group), so a restart
 * re-notifies nothing.
 *
 * Pure apart from the injected config: time is the `now` passed in.
 */
import type { Alert, AlertChange, OutboxEntry } from '../../domain/types.ts';
import type { AlertingConfig } from '../../alerting/config.ts';
import { buildRouteTree, matchRoutes, walkRoutes, type RouteNode } from '../../alerting/routing.ts';
import { createSilencer, type Silence, type Silencer } from '../../alerting/silences.ts';
import { alertLabels, type Notification, type NotifiedAlert } from '../types.ts';
import { dedupStage, type PlannedIntegration } from './dedupStage.ts';
import { runStages, startFlow, type GroupState, type MuteInfo, type PlannerState, type Stage } from './flow.ts';
import { advanceDueGroups, groupFor, groupStage } from './groupStage.ts';
import { inhibitStage } from './inhibitStage.ts';
import { routeStage } from './routeStage.ts';
import { silenceStage } from './silenceStage.ts';

export interface PlannerOptions {
  config: Pick<AlertingConfig, 'route' | 'inhibitRules' | 'externalUrl'>;
  /** Integrations per receiver name. */
  integrations: ReadonlyMap<string, readonly PlannedIntegration[]>;
}

/** A notification as it was last sent, read back from the outbox (for `restore`). */
export interface SentRecord {
  /** Integration name (outbox `receiver` column). */
  integration: string;
  createdAt: number;
  notification: Notification;
}

export class NotificationPlanner {
  readonly root: RouteNode;
  private readonly routes = new Map<string, RouteNode>();
  private readonly cfg: PlannerOptions['config'];
  private readonly integrations: PlannerOptions['integrations'];
  /** The pipeline, in order: every plan() and flush() runs the whole list. */
  private readonly stages: readonly Stage[];
  private state: PlannerState = { open: {}, groups: {} };
  /** State before the uncommitted plan, restored when its write failed. */
  private snapshot: PlannerState | null = null;
  private silencer: Silencer = createSilencer([]);
  /** Mutes of the last flush, for the API. */
  readonly lastMutes = new Map<string, MuteInfo>();

  constructor(opts: PlannerOptions) {
    this.cfg = opts.config;
    this.integrations = opts.integrations;
    this.root = buildRouteTree(opts.config.route);
    walkRoutes(this.root, (n) => this.routes.set(n.id, n));
    this.stages = [
      routeStage(this.root),
      groupStage((g) => this.route(g)),
      inhibitStage(opts.config),
      silenceStage(() => this.silencer),
      // The config object, not its values: the service sets externalUrl once it listens.
      dedupStage({ integrations: opts.integrations, config: opts.config }),
    ];
  }

  /** Replaces the silences considered (all of them; inactive ones are ignored by time). */
  setSilences(silences: readonly Silence[]): void {
    this.silencer = createSilencer(silences);
  }

  /**
   * Rebuilds state after a restart from the open alerts, the notifications last sent (newest
   * outbox rows, any order) and the resolved alerts they may still owe a resolved notification.
   */
  restore(open: readonly Alert[], sent: readonly SentRecord[], resolved: readonly Alert[], now: number): void {
    this.state = { open: {}, groups: {} };
    this.snapshot = null;
    // Last notification per (integration, group).
    const last = new Map<string, SentRecord>();
    for (const r of sent) {
      const k = `${r.integration}\u0000${r.notification.groupKey}`;
      const prev = last.get(k);
      if (!prev || r.createdAt > prev.createdAt || (r.createdAt === prev.createdAt && r.notification.id > prev.notification.id)) last.set(k, r);
    }
    const notifiedFiring = new Set<string>();
    for (const r of last.values()) for (const a of r.notification.alerts) if (a.status === 'firing') notifiedFiring.add(a.fingerprint);
    for (const a of open) this.state.open[a.fingerprint] = a;
    const members: Alert[] = open.filter((a) => a.state === 'firing');
    // Alerts that resolved after their firing notification still owe the resolved one.
    const latestResolved = new Map<string, Alert>();
    for (const a of resolved) {
      if (!notifiedFiring.has(a.fingerprint) || this.state.open[a.fingerprint]) continue;
      const p = latestResolved.get(a.fingerprint);
      if (!p || a.updatedAt > p.updatedAt) latestResolved.set(a.fingerprint, a);
    }
    members.push(...latestResolved.values());
    for (const a of members) {
      const labels = alertLabels(a);
      for (const route of matchRoutes(this.root, labels)) groupFor(this.state, route, labels, now).alerts[a.fingerprint] = a;
    }
    for (const g of Object.values(this.state.groups)) {
      let lastAt: number | null = null;
      for (const integ of this.integrations.get(g.receiver) ?? []) {
        const r = last.get(`${integ.name}\u0000${g.key}`);
        if (!r) continue;
        const fps = (s: NotifiedAlert['status']) => r.notification.alerts.filter((x) => x.status === s).map((x) => x.fingerprint).sort();
        g.sent[integ.name] = { at: r.createdAt, firing: fps('firing'), resolved: fps('resolved') };
        lastAt = Math.max(lastAt ?? r.createdAt, r.createdAt);
      }
      if (lastAt !== null) g.nextFlushAt = lastAt + this.route(g).groupIntervalMs;
      // A group whose alerts all resolved and were never notified owes nothing.
      if (lastAt === null && Object.values(g.alerts).every((a) => a.state === 'resolved')) delete this.state.groups[`${g.receiver}\u0000${g.key}`];
    }
  }

  /**
   * Applies alert changes (as the lifecycle produced them, ids may be 0 for new alerts) and returns
   * the notifications due at `now`. Call `commit()` once they are stored.
   */
  plan(changes: readonly AlertChange[], now: number): OutboxEntry[] {
    this.stage();
    // Several minutes may close at once: the last version of each alert counts.
    const latest = new Map<string, Alert>();
    for (const c of changes) latest.set(c.alert.fingerprint, c.alert);
    return this.run([...latest.values()], now);
  }

  /** Notifications of groups whose group_wait / group_interval passed. Call `commit()` once stored. */
  flush(now: number): OutboxEntry[] {
    this.stage();
    return this.run([], now);
  }

  /** The staged plan was stored. */
  commit(): void {
    this.snapshot = null;
  }

  /** Earliest time a group is due, or null when there are no groups. */
  nextFlushAt(): number | null {
    let t: number | null = null;
    for (const g of Object.values(this.state.groups)) t = t === null ? g.nextFlushAt : Math.min(t, g.nextFlushAt);
    return t;
  }

  /** Number of active groups (metrics, tests). */
  groupCount(): number {
    return Object.keys(this.state.groups).length;
  }

  private stage(): void {
    // The previous plan was never committed (its write failed): forget what it did.
    if (this.snapshot) this.state = this.snapshot;
    this.snapshot = structuredClone(this.state);
  }

  private route(g: GroupState): RouteNode {
    return this.routes.get(g.routeId) ?? this.root;
  }

  /** Runs the stages on `changes` at `now`; records the mutes and moves the flushed groups on. */
  private run(changes: readonly Alert[], now: number): OutboxEntry[] {
    const flow = runStages(this.stages, startFlow(this.state, changes, now));
    for (const a of flow.candidates) {
      const mute = flow.mutes.get(a.fingerprint);
      if (mute) this.lastMutes.set(a.fingerprint, mute);
      else this.lastMutes.delete(a.fingerprint);
    }
    advanceDueGroups(this.state, flow.due, now);
    return [...flow.entries];
  }

  /**
   * Whether each of `alerts` would be muted at `now`, decided exactly as a flush decides it: the
   * firing alerts of `open` inhibit, `silences` (all of them; inactive ones are ignored by time)
   * silence. For the API, which asks about alerts as the store has them. Pure: planner state is
   * not touched. Returns a mute (or null) per fingerprint.
   */
  muteStates(alerts: readonly Alert[], open: readonly Alert[], silences: readonly Silence[], now: number): Map<string, MuteInfo | null> {
    const silencer = createSilencer(silences);
    const state: PlannerState = { open: Object.fromEntries(open.map((a) => [a.fingerprint, a])), groups: {} };
    const flow = runStages(
      [inhibitStage(this.cfg), silenceStage(() => silencer)],
      { ...startFlow(state, [], now), candidates: alerts },
    );
    return new Map(alerts.map((a) => [a.fingerprint, flow.mutes.get(a.fingerprint) ?? null]));
  }
}
