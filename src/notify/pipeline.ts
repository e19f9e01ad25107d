/**
 * Notification planning, Alertmanager's dispatcher in one place:
 *
 *   route (matchRoutes) → group (group_by; group_wait / group_interval) → inhibit → silence →
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
import type { Alert, AlertChange, OutboxEntry } from '../domain/types.ts';
import type { AlertingConfig } from '../alerting/config.ts';
import { buildRouteTree, matchRoutes, walkRoutes, type RouteNode } from '../alerting/routing.ts';
import { groupKey, groupLabelsFor } from '../alerting/grouping.ts';
import { createInhibitor, type Inhibitor } from '../alerting/inhibit.ts';
import { createSilencer, type Silence, type Silencer } from '../alerting/silences.ts';
import { alertLabels, buildNotification, toNotifiedAlert, type Notification, type NotifiedAlert } from './types.ts';

/** What the planner needs to know about an integration (a ReceiverIntegration fits). */
export interface PlannedIntegration {
  receiver: string;
  /** "<receiver>/<type>[<n>]": the outbox `receiver` column. */
  name: string;
  sendResolved: boolean;
}

export interface PlannerOptions {
  config: Pick<AlertingConfig, 'route' | 'inhibitRules' | 'externalUrl'>;
  /** Integrations per receiver name. */
  integrations: ReadonlyMap<string, readonly PlannedIntegration[]>;
}

/** What was last sent to one integration for one group. */
interface SentState {
  at: number;
  firing: string[];
  resolved: string[];
}

interface GroupState {
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

interface PlannerState {
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

/** A notification as it was last sent, read back from the outbox (for `restore`). */
export interface SentRecord {
  /** Integration name (outbox `receiver` column). */
  integration: string;
  createdAt: number;
  notification: Notification;
}

const subset = (a: readonly string[], b: readonly string[]): boolean => {
  const s = new Set(b);
  return a.every((x) => s.has(x));
};

/** Alertmanager's `needsUpdate` (dedup stage): should this integration be notified now? */
export function needsUpdate(last: SentState | undefined, firing: readonly string[], resolved: readonly string[], sendResolved: boolean, repeatDue: boolean): boolean {
  if (!last) return firing.length > 0;
  if (!subset(firing, last.firing)) return true;
  // Everything resolved: tell those who heard it fire (send_resolved false still records it).
  if (firing.length === 0) return last.firing.length > 0;
  if (sendResolved && !subset(resolved, last.resolved)) return true;
  return repeatDue;
}

export class NotificationPlanner {
  readonly root: RouteNode;
  private readonly routes = new Map<string, RouteNode>();
  private readonly cfg: PlannerOptions['config'];
  private readonly integrations: PlannerOptions['integrations'];
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
      for (const route of matchRoutes(this.root, labels)) this.group(route, labels, now).alerts[a.fingerprint] = a;
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
    for (const a of latest.values()) this.apply(a, now);
    return this.collect(now);
  }

  /** Notifications of groups whose group_wait / group_interval passed. Call `commit()` once stored. */
  flush(now: number): OutboxEntry[] {
    this.stage();
    return this.collect(now);
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

  private group(route: RouteNode, labels: Record<string, string>, now: number): GroupState {
    const key = groupKey(route, labels);
    const mapKey = `${route.receiver}\u0000${key}`;
    let g = this.state.groups[mapKey];
    if (!g) {
      g = { routeId: route.id, receiver: route.receiver, key, labels: groupLabelsFor(route, labels), alerts: {}, nextFlushAt: now + route.groupWaitMs, sent: {} };
      this.state.groups[mapKey] = g;
    }
    return g;
  }

  private apply(a: Alert, now: number): void {
    const fp = a.fingerprint;
    if (a.state === 'resolved') delete this.state.open[fp];
    else this.state.open[fp] = a;
    if (a.state === 'pending') return; // not notified until it fires
    const targets = new Set<GroupState>();
    if (a.state === 'firing') {
      const labels = alertLabels(a);
      for (const route of matchRoutes(this.root, labels)) targets.add(this.group(route, labels, now));
    }
    for (const g of Object.values(this.state.groups)) {
      if (targets.has(g)) g.alerts[fp] = a; // every target is one of the groups
      else if (g.alerts[fp]) {
        // Resolved: stays until the group's next flush tells it. Firing elsewhere now (its
        // severity changed its route): leaves the old group silently.
        if (a.state === 'resolved') g.alerts[fp] = a;
        else delete g.alerts[fp];
      }
    }
  }

  private collect(now: number): OutboxEntry[] {
    const due = Object.entries(this.state.groups).filter(([, g]) => g.nextFlushAt <= now);
    if (due.length === 0) return [];
    const inhibitor = this.inhibitorFor(Object.values(this.state.open));
    const out: OutboxEntry[] = [];
    for (const [mapKey, g] of due) {
      out.push(...this.flushGroup(g, now, inhibitor));
      // Resolved alerts have been considered once; they leave the group (as in Alertmanager).
      for (const [fp, a] of Object.entries(g.alerts)) if (a.state === 'resolved') delete g.alerts[fp];
      if (Object.keys(g.alerts).length === 0) delete this.state.groups[mapKey];
      else g.nextFlushAt = now + this.route(g).groupIntervalMs;
    }
    return out;
  }

  /** The inhibit stage's view: rules plus the firing alerts among `open` as sources. */
  private inhibitorFor(open: readonly Alert[]): Inhibitor {
    const firing = open.filter((a) => a.state === 'firing').map((a) => ({ fingerprint: a.fingerprint, labels: alertLabels(a) }));
    return createInhibitor(this.cfg.inhibitRules, firing);
  }

  /** The inhibit and silence stages for one alert: why it is muted at `now`, or null. */
  private muteOf(a: Alert, inhibitor: Inhibitor, silencer: Silencer, now: number): MuteInfo | null {
    const labels = alertLabels(a);
    const silencedBy = silencer.silencedBy(labels, now);
    const inh = inhibitor.mutes({ fingerprint: a.fingerprint, labels });
    return silencedBy.length > 0 || inh.inhibited ? { fingerprint: a.fingerprint, silencedBy, inhibitedBy: inh.by } : null;
  }

  /**
   * Whether each of `alerts` would be muted at `now`, decided exactly as a flush decides it: the
   * firing alerts of `open` inhibit, `silences` (all of them; inactive ones are ignored by time)
   * silence. For the API, which asks about alerts as the store has them. Pure: planner state is
   * not touched. Returns a mute (or null) per fingerprint.
   */
  muteStates(alerts: readonly Alert[], open: readonly Alert[], silences: readonly Silence[], now: number): Map<string, MuteInfo | null> {
    const inhibitor = this.inhibitorFor(open);
    const silencer = createSilencer(silences);
    return new Map(alerts.map((a) => [a.fingerprint, this.muteOf(a, inhibitor, silencer, now)]));
  }

  private flushGroup(g: GroupState, now: number, inhibitor: Inhibitor): OutboxEntry[] {
    const route = this.route(g);
    const kept: Alert[] = [];
    for (const a of Object.values(g.alerts)) {
      const mute = this.muteOf(a, inhibitor, this.silencer, now);
      if (mute) {
        this.lastMutes.set(a.fingerprint, mute);
        continue;
      }
      this.lastMutes.delete(a.fingerprint);
      kept.push(a);
    }
    if (kept.length === 0) return [];
    const out: OutboxEntry[] = [];
    for (const integ of this.integrations.get(g.receiver) ?? []) {
      const last = g.sent[integ.name];
      const heard = new Set(last?.firing ?? []);
      const firing = kept.filter((a) => a.state === 'firing');
      // Only alerts this integration heard firing are reported resolved.
      const resolved = kept.filter((a) => a.state === 'resolved' && heard.has(a.fingerprint));
      const firingFps = firing.map((a) => a.fingerprint).sort();
      const resolvedFps = resolved.map((a) => a.fingerprint).sort();
      const repeatDue = last !== undefined && now - last.at >= route.repeatIntervalMs;
      if (!needsUpdate(last, firingFps, resolvedFps, integ.sendResolved, repeatDue)) continue;
      g.sent[integ.name] = { at: now, firing: firingFps, resolved: resolvedFps };
      const shown = integ.sendResolved ? [...firing, ...resolved] : firing;
      // send_resolved false and nothing fires: recorded as told, nothing to send.
      if (shown.length === 0) continue;
      const n = buildNotification({
        receiver: g.receiver,
        groupKey: g.key,
        groupLabels: g.labels,
        alerts: shown.map((a) => this.notified(a)),
        externalUrl: this.cfg.externalUrl,
        seq: `${integ.name}@${now}`,
      });
      out.push({ id: n.id, receiver: integ.name, payload: n, createdAt: now, nextAttemptAt: now, attempts: 0, state: 'pending', lastError: null });
    }
    return out;
  }

  private notified(a: Alert): NotifiedAlert {
    const n = toNotifiedAlert(a, { externalUrl: this.cfg.externalUrl });
    // A new alert has no id until the store assigns one in this very transaction: link by fingerprint.
    if (a.id === 0) n.generatorURL = `${this.cfg.externalUrl}/alerts?fingerprint=${a.fingerprint}`;
    return n;
  }
}
