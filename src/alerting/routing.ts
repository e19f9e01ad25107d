/**
 * Route tree, with Alertmanager's semantics:
 *
 * - an alert enters at the root (which matches everything) and walks down depth first, left to
 *   right; at each level the first child that matches takes it, unless that child has
 *   `continue: true`, in which case the next matching siblings are tried too;
 * - when no child of a matching node matches, the node itself is the match;
 * - receiver, group_by and the three timings are inherited from the parent when unset.
 *
 * Pure: build once from the parsed config, then `matchRoutes` per alert.
 */
import type { RouteConfig } from './config.ts';
import { matchersToString, matchesAll, sortMatchers, type CompiledMatcher, type LabelSet } from './matchers.ts';

/** A route with every option resolved (inherited where unset). */
export interface RouteNode {
  /** Unique position in the tree: "0" for the root, "0/2/1" for root → third child → second child. */
  readonly id: string;
  /**
   * Alertmanager's route key: the parent's key, "/", then this route's matchers, e.g.
   * `{}/{severity="critical"}`. Not unique when siblings have identical matchers (as in
   * Alertmanager); group keys are built from it (grouping.ts).
   */
  readonly key: string;
  readonly receiver: string;
  /** Label names to group by (empty with groupByAll = true when configured as ["..."]). */
  readonly groupBy: readonly string[];
  readonly groupByAll: boolean;
  readonly groupWaitMs: number;
  readonly groupIntervalMs: number;
  readonly repeatIntervalMs: number;
  readonly matchers: readonly CompiledMatcher[];
  readonly continue: boolean;
  readonly routes: readonly RouteNode[];
  /** Depth in the tree; the root is 0. */
  readonly depth: number;
}

interface Inherited {
  receiver: string;
  groupBy: string[];
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
}

/**
 * Builds the resolved route tree from a parsed route (config.ts). The root must carry every
 * option (parseAlertingConfig guarantees it).
 */
export function buildRouteTree(root: RouteConfig & Inherited): RouteNode {
  return build(root, root, '0', '', 0);
}

function build(r: RouteConfig, parent: Inherited, id: string, parentKey: string, depth: number): RouteNode {
  const own: Inherited = {
    receiver: r.receiver ?? parent.receiver,
    groupBy: r.groupBy ?? parent.groupBy,
    groupWaitMs: r.groupWaitMs ?? parent.groupWaitMs,
    groupIntervalMs: r.groupIntervalMs ?? parent.groupIntervalMs,
    repeatIntervalMs: r.repeatIntervalMs ?? parent.repeatIntervalMs,
  };
  const matchers = sortMatchers(r.matchers);
  const key = (depth === 0 ? '' : `${parentKey}/`) + matchersToString(matchers);
  const groupByAll = own.groupBy.length === 1 && own.groupBy[0] === '...';
  return {
    id,
    key,
    receiver: own.receiver,
    groupBy: groupByAll ? [] : [...own.groupBy].sort(),
    groupByAll,
    groupWaitMs: own.groupWaitMs,
    groupIntervalMs: own.groupIntervalMs,
    repeatIntervalMs: own.repeatIntervalMs,
    matchers,
    continue: r.continue,
    routes: r.routes.map((c, i) => build(c, own, `${id}/${i}`, key, depth + 1)),
    depth,
  };
}

/**
 * The routes an alert with these labels is dispatched to (at least one when `root` is a root:
 * the root itself matches everything). Order: depth first, left to right.
 */
export function matchRoutes(node: RouteNode, labels: LabelSet): RouteNode[] {
  if (!matchesAll(node.matchers, labels)) return [];
  const all: RouteNode[] = [];
  for (const child of node.routes) {
    const found = matchRoutes(child, labels);
    all.push(...found);
    if (found.length > 0 && !child.continue) break;
  }
  return all.length > 0 ? all : [node];
}

/** Visits every node, parents before children. */
export function walkRoutes(node: RouteNode, visit: (n: RouteNode) => void): void {
  visit(node);
  for (const c of node.routes) walkRoutes(c, visit);
}

/** Finds a node by id ("0/1"), or undefined. */
export function findRoute(root: RouteNode, id: string): RouteNode | undefined {
  let found: RouteNode | undefined;
  walkRoutes(root, (n) => {
    if (n.id === id) found = n;
  });
  return found;
}

/**
 * How far back the notification log must reach: the longest group_wait + group_interval +
 * repeat_interval of any route. The planner rebuilds what each integration was last told from
 * the outbox rows of that window on start (NotificationService.restore), so the outbox must keep
 * finished rows at least this long or a restart would notify again.
 */
export function notificationLogWindowMs(root: RouteNode): number {
  let window = 0;
  walkRoutes(root, (n) => {
    window = Math.max(window, n.groupWaitMs + n.groupIntervalMs + n.repeatIntervalMs);
  });
  return window;
}
