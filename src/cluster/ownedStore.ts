/**
 * The store as one instance of a cluster sees it for evaluation: only the scopes of the partitions
 * it owns. The engine rebuilds its state (scopes, history, pending minutes, open alerts) through
 * this view, and the notification planner restores its groups through it, so each instance holds
 * and judges exactly its partitions' scopes. Reads for the API go to the whole store.
 */
import type { EngineStore } from '../engine/engine.ts';
import type { Store } from '../store/store.ts';

/** The engine's store, limited to owned scopes (listScopes, openAlerts); writes go through unchanged. */
export function ownedEngineStore(store: Store, owns: (scope: string) => boolean): EngineStore {
  return {
    writeBatch: (batch) => store.writeBatch(batch),
    saveEvaluation: (a, c, o) => store.saveEvaluation(a, c, o),
    readCounts: (scope, from, to) => store.readCounts(scope, from, to),
    readAuthCodes: (scope, from, to) => store.readAuthCodes(scope, from, to),
    listScopes: async () => (await store.listScopes()).filter((s) => owns(s.scope)),
    openAlerts: async () => (await store.openAlerts()).filter((a) => owns(a.labels.scope ?? 'all')),
  };
}

/**
 * The notification pipeline's store, limited to owned scopes' alerts (its planner groups by scope:
 * docs/scaling.md). Everything else — the outbox, silences, the dialect's notify store — is the
 * shared store itself (the view inherits from it, so `notifyStoreFor` finds the PostgreSQL pool).
 */
export function ownedNotifyStore(store: Store, owns: (scope: string) => boolean): Store {
  const view = Object.create(store) as Store;
  view.openAlerts = async () => (await store.openAlerts()).filter((a) => owns(a.labels.scope ?? 'all'));
  const listAlerts = store.listAlerts.bind(store);
  view.listAlerts = async (filter) => (await listAlerts(filter)).filter((a) => owns(a.labels.scope ?? 'all'));
  return view;
}
