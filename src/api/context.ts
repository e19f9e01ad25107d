/** What every route plugin gets: the running service's parts. */
import type { TxmonConfig } from '../config/config.ts';
import type { Engine } from '../engine/engine.ts';
import type { Store } from '../store/store.ts';
import type { AccessControl } from './auth.ts';
import type { TxmonMetrics } from './promMetrics.ts';
import type { EventHub } from './events.ts';

export interface AppContext {
  config: TxmonConfig;
  store: Store;
  engine: Engine;
  access: AccessControl;
  metrics: TxmonMetrics;
  events: EventHub;
  startedAt: number;
}
