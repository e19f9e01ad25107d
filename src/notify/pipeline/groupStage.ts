/**
 * Group stage: routed alerts join the groups of their routes (group_by, alerting/grouping.ts), a
 * new group waits group_wait; then the groups whose time has come are due, with their alerts as
 * the candidates of the stages after it. After the flush, {@link advanceDueGroups} lets resolved
 * alerts leave and schedules the next group_interval.
 */
import type { Alert } from '../../domain/types.ts';
import { groupKey, groupLabelsFor } from '../../alerting/grouping.ts';
import type { RouteNode } from '../../alerting/routing.ts';
import type { DueGroup, GroupState, PlannerState, Stage } from './flow.ts';

/** The group of `route` that alerts with `labels` belong to, created (due after group_wait) when new. */
export function groupFor(state: PlannerState, route: RouteNode, labels: Record<string, string>, now: number): GroupState {
  const key = groupKey(route, labels);
  const mapKey = `${route.receiver}\u0000${key}`;
  let g = state.groups[mapKey];
  if (!g) {
    g = { routeId: route.id, receiver: route.receiver, key, labels: groupLabelsFor(route, labels), alerts: {}, nextFlushAt: now + route.groupWaitMs, sent: {} };
    state.groups[mapKey] = g;
  }
  return g;
}

/** @param routeOf the route a group was made for (its timings) */
export function groupStage(routeOf: (g: GroupState) => RouteNode): Stage {
  return {
    run(flow) {
      const { state, now } = flow;
      for (const { alert: a, labels, routes } of flow.routed) {
        const fp = a.fingerprint;
        const targets = new Set(routes.map((route) => groupFor(state, route, labels, now)));
        for (const g of Object.values(state.groups)) {
          if (targets.has(g)) g.alerts[fp] = a;
          else if (g.alerts[fp]) {
            // Resolved: stays until the group's next flush tells it. Firing elsewhere now (its
            // severity changed its route): leaves the old group silently.
            if (a.state === 'resolved') g.alerts[fp] = a;
            else delete g.alerts[fp];
          }
        }
      }
      const due: DueGroup[] = [];
      const candidates = new Map<string, Alert>();
      for (const [mapKey, group] of Object.entries(state.groups)) {
        if (group.nextFlushAt > now) continue;
        due.push({ mapKey, group, route: routeOf(group) });
        for (const a of Object.values(group.alerts)) if (!candidates.has(a.fingerprint)) candidates.set(a.fingerprint, a);
      }
      return { ...flow, due, candidates: [...candidates.values()] };
    },
  };
}

/**
 * After the flush of `due`: resolved alerts have been considered once and leave their group (as
 * in Alertmanager); an empty group is gone, the others are due again after group_interval.
 */
export function advanceDueGroups(state: PlannerState, due: readonly DueGroup[], now: number): void {
  for (const { mapKey, group: g, route } of due) {
    for (const [fp, a] of Object.entries(g.alerts)) if (a.state === 'resolved') delete g.alerts[fp];
    if (Object.keys(g.alerts).length === 0) delete state.groups[mapKey];
    else g.nextFlushAt = now + route.groupIntervalMs;
  }
}
