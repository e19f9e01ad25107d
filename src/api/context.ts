/** What every route plugin gets: the running service's parts. */
import type { TxmonConfig } from '../config/config.ts';
import type { Engine } from '../engine/engine.ts';
import type { Store } from '../store/store.ts';
import type { AccessControl } from './auth.ts';
import type { TxmonMetrics } from '../metrics/promMetrics.ts';
import type { EventHub } from './events.ts';
import type { NotificationService } from '../notify/service.ts';
import type { ClusterNode } from '../cluster/node.ts';

export interface AppContext {
  config: TxmonConfig;
  store: Store;
  engine: Engine;
  access: AccessControl;
  metrics: TxmonMetrics;
  events: EventHub;
  startedAt: number;
  /** The notification pipeline (silences, outbox). Replaced by a reload: read it at call time. */
  notifications: NotificationService;
  /** Reloads the alerting configuration (POST /-/reload, SIGHUP); absent in apps built without a service. */
  reload?: () => Promise<{ reloaded: string; receivers: string[]; restartNeeded: string[] }>;
  /**
   * Clustered mode (docs/scaling.md): the node once this instance joined the cluster, null before
   * (ingest answers 503 meanwhile); undefined in single-process mode.
   */
  cluster?: ClusterNode | null;
  /** Set while `serve --demo` streams simulated minutes: the clock of the data is simulated and accelerated. */
  demo?: { intervalMs: number };
}

/**
 * What a route plugin gets: the app context with the store narrowed to the roles the plugin uses
 * (src/store/store.ts), so each route says which parts of the store it touches.
 */
export type ContextWith<S> = Omit<AppContext, 'store'> & { store: S };
