/**
 * Alert groups, as Alertmanager forms them: alerts that reach the same route and agree on the
 * route's group_by labels share one group and one notification. The group key is
 * `<route key>:<group labels>`, e.g. `{}/{severity="critical"}:{alertname="failed_high", scope="all"}`,
 * and stays the same for the life of the group, so it is what notifications (and PagerDuty's
 * dedup_key) are keyed by.
 *
 * Pure; hashing uses node:crypto (deterministic, no I/O).
 */
import { createHash } from 'node:crypto';
import type { LabelSet } from './matchers.ts';
import type { RouteNode } from './routing.ts';

/**
 * The labels an alert is grouped by on this route: the route's group_by labels the alert has
 * (absent labels are left out, as in Alertmanager), or every label when group_by is ["..."].
 */
export function groupLabelsFor(route: Pick<RouteNode, 'groupBy' | 'groupByAll'>, labels: LabelSet): Record<string, string> {
  const out: Record<string, string> = {};
  const names = route.groupByAll ? Object.keys(labels) : route.groupBy;
  for (const n of [...names].sort()) {
    const v = labels[n];
    if (v !== undefined) out[n] = v;
  }
  return out;
}

/** Renders a label set like Prometheus: `{a="1", b="2"}`, names sorted, values quoted. */
export function labelSetString(labels: LabelSet): string {
  const names = Object.keys(labels).sort();
  return `{${names.map((n) => `${n}=${JSON.stringify(labels[n])}`).join(', ')}}`;
}

/** The group key of an alert with `labels` on `route`. */
export function groupKey(route: Pick<RouteNode, 'key' | 'groupBy' | 'groupByAll'>, labels: LabelSet): string {
  return `${route.key}:${labelSetString(groupLabelsFor(route, labels))}`;
}

/** Stable hex SHA-256 of a key (64 chars; Alertmanager hashes group keys the same way for PagerDuty). */
export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A short stable id for a group key (first 16 hex chars of its SHA-256), for URLs and logs. */
export function groupId(key: string): string {
  return hashKey(key).slice(0, 16);
}

/** One alert group on one route. */
export interface AlertGroup<A> {
  route: RouteNode;
  key: string;
  labels: Record<string, string>;
  alerts: A[];
}

/**
 * Groups alerts per matched route. `routesOf` is usually `(labels) => matchRoutes(root, labels)`;
 * an alert that matches several routes (continue: true) lands in one group per route.
 * Groups come out in first-seen order, alerts in input order.
 */
export function groupAlerts<A extends { labels: LabelSet }>(
  alerts: readonly A[],
  routesOf: (labels: LabelSet) => readonly RouteNode[],
): AlertGroup<A>[] {
  const groups = new Map<string, AlertGroup<A>>();
  for (const a of alerts) {
    for (const route of routesOf(a.labels)) {
      // Route ids are unique even when route keys collide, so groups of different routes stay apart.
      const key = groupKey(route, a.labels);
      const mapKey = `${route.id}\u0000${key}`;
      let g = groups.get(mapKey);
      if (!g) {
        g = { route, key, labels: groupLabelsFor(route, a.labels), alerts: [] };
        groups.set(mapKey, g);
      }
      g.alerts.push(a);
    }
  }
  return [...groups.values()];
}
