/**
 * Small fixtures for the notification stage tests (src/notify/pipeline/*.test.ts): alerts, a
 * route tree from an Alertmanager-style route, and a flow at a given stage.
 */
import { parseAlertingConfig } from '../../src/alerting/config.ts';
import { buildRouteTree, type RouteNode } from '../../src/alerting/routing.ts';
import type { Alert } from '../../src/domain/types.ts';
import { startFlow, type Flow, type PlannerState } from '../../src/notify/pipeline/flow.ts';

export const T0 = Date.UTC(2025, 6, 1, 10, 0);

let nextId = 1;

/** An alert `rule` on `scope`, fingerprint "rule:scope", critical unless overridden. */
export function testAlert(rule: string, scope: string, state: Alert['state'], over: Partial<Alert> = {}): Alert {
  return {
    id: nextId++, fingerprint: `${rule}:${scope}`, rule, labels: { alertname: rule, scope, status: 'failed', metric: 'count' }, state, severity: 'critical',
    score: 90, observed: 40, expected: 1, summary: 's', explanation: 'e', startsAt: T0, endsAt: state === 'resolved' ? T0 + 60_000 : null, updatedAt: T0, lastMinute: 0, ...over,
  };
}

/** The resolved route tree of `route` (receivers named in it are declared without integrations). */
export function routeTree(route: Record<string, unknown>, receivers: readonly string[] = ['r']): RouteNode {
  return buildRouteTree(parseAlertingConfig({ receivers: receivers.map((name) => ({ name })), route }).route);
}

/** An empty planner state. */
export function emptyState(): PlannerState {
  return { open: {}, groups: {} };
}

/** A flow at `now` with the given fields already set (as earlier stages would have). */
export function flowWith(now: number, fields: Partial<Flow> = {}): Flow {
  return { ...startFlow(fields.state ?? emptyState(), fields.changes ?? [], now), ...fields };
}
