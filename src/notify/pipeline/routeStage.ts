/**
 * Route stage: where each changed alert goes in the route tree (alerting/routing.ts). Firing
 * alerts get the routes they match; resolved ones get none (the group stage tells the groups
 * that already hold them); pending ones are not notified and do not flow on.
 */
import { matchRoutes, type RouteNode } from '../../alerting/routing.ts';
import { alertLabels } from '../types.ts';
import type { Routed, Stage } from './flow.ts';

export function routeStage(root: RouteNode): Stage {
  return {
    run(flow) {
      const routed: Routed[] = [];
      for (const alert of flow.changes) {
        if (alert.state === 'pending') continue;
        const labels = alertLabels(alert);
        routed.push({ alert, labels, routes: alert.state === 'firing' ? matchRoutes(root, labels) : [] });
      }
      return { ...flow, routed };
    },
  };
}
