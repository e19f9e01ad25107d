/**
 * Caps on what the service keeps per scope (issue #13 item 3): at most `limits.max_scopes` scopes
 * and `limits.max_statuses_per_scope` statuses per scope, counted over everything stored, not only
 * one request. A request that would pass either cap is refused with 422 TXMON_ERR_LIMIT before
 * anything is stored. Memory stays bounded by scopes × statuses names.
 *
 * Scope names are loaded once from the store; a scope's statuses when a request first names it.
 * Names are reserved when a request passes the check (before its write commits), so two
 * concurrent requests cannot both take the last slot; a reservation whose write then fails stays
 * counted until restart (documented: the caps are a safety net, not a quota).
 */
import { TxmonError } from '../domain/errors.ts';
import type { MinuteBatch } from '../domain/types.ts';
import type { QueryStore, SeriesStore } from '../store/store.ts';

export interface RegistryLimits { maxScopes: number; maxStatusesPerScope: number }

export class ScopeRegistry {
  private readonly store: Pick<SeriesStore, 'listScopes'> & QueryStore;
  /** scope → its statuses (null until first needed). */
  private scopes: Map<string, Set<string> | null> | null = null;
  private loading: Promise<void> | null = null;

  constructor(store: Pick<SeriesStore, 'listScopes'> & QueryStore) {
    this.store = store;
  }

  private async load(): Promise<Map<string, Set<string> | null>> {
    if (this.scopes) return this.scopes;
    this.loading ??= (async () => {
      const m = new Map<string, Set<string> | null>();
      for (const s of await this.store.listScopes()) m.set(s.scope, null);
      this.scopes = m;
    })().finally(() => { this.loading = null; });
    await this.loading;
    return this.scopes!;
  }

  private async statusesOf(scopes: Map<string, Set<string> | null>, scope: string): Promise<Set<string>> {
    let set = scopes.get(scope);
    if (set) return set;
    set = new Set<string>();
    if (scopes.has(scope)) {
      const rows = await this.store.runQuery('SELECT DISTINCT status FROM minute_counts WHERE scope = :scope', { scope });
      for (const r of rows) set.add(String(r.status));
      // Another request may have filled it meanwhile: merge.
      const now = scopes.get(scope);
      if (now) for (const s of now) set.add(s);
    }
    scopes.set(scope, set);
    return set;
  }

  /**
   * Checks the caps for a batch and reserves its new scopes and statuses; throws 422 when passed.
   * Synchronous (undefined) when every scope the batch names is known already, the usual case:
   * a promise only when names must be read from the store first.
   */
  admit(batch: MinuteBatch, limits: RegistryLimits): Promise<void> | undefined {
    const scopes = this.scopes;
    if (scopes === null || !this.allLoaded(scopes, batch)) return this.admitAfterLoading(batch, limits);
    this.check(scopes, batch, limits);
    return undefined;
  }

  /** Are the statuses of every scope the batch names in memory (or the scope new)? */
  private allLoaded(scopes: Map<string, Set<string> | null>, batch: MinuteBatch): boolean {
    for (const c of batch.counts) if (scopes.get(c.scope) === null) return false;
    for (const a of batch.authCodes) if (scopes.get(a.scope) === null) return false;
    for (const t of batch.raw) if (scopes.get(t.scope) === null) return false;
    return true;
  }

  private async admitAfterLoading(batch: MinuteBatch, limits: RegistryLimits): Promise<void> {
    const scopes = await this.load();
    const names = new Set<string>();
    for (const c of batch.counts) names.add(c.scope);
    for (const a of batch.authCodes) names.add(a.scope);
    for (const t of batch.raw) names.add(t.scope);
    for (const scope of names) if (scopes.has(scope)) await this.statusesOf(scopes, scope);
    this.check(scopes, batch, limits);
  }

  /** The check and the reservation, in one synchronous step (no other request in between). */
  private check(scopes: Map<string, Set<string> | null>, batch: MinuteBatch, limits: RegistryLimits): void {
    const wanted = new Map<string, Set<string>>();
    const add = (scope: string, status?: string) => {
      let s = wanted.get(scope);
      if (!s) wanted.set(scope, (s = new Set()));
      if (status !== undefined) s.add(status);
    };
    for (const c of batch.counts) add(c.scope, c.status);
    for (const a of batch.authCodes) add(a.scope);
    for (const t of batch.raw) add(t.scope, t.status);
    const fresh = [...wanted.keys()].filter((s) => !scopes.has(s));
    if (scopes.size + fresh.length > limits.maxScopes) {
      throw new TxmonError('TXMON_ERR_LIMIT',
        `the request adds ${fresh.length} new scope(s) to the ${scopes.size} stored; at most ${limits.maxScopes} scopes (limits.max_scopes)`,
        { field: 'scope', expected: `at most ${limits.maxScopes} scopes in all`, got: fresh.slice(0, 5).join(', ') });
    }
    for (const [scope, statuses] of wanted) {
      const known = scopes.get(scope) ?? new Set<string>();
      let total = known.size;
      const added: string[] = [];
      for (const s of statuses) if (!known.has(s)) { total++; added.push(s); }
      if (total > limits.maxStatusesPerScope) {
        throw new TxmonError('TXMON_ERR_LIMIT',
          `scope "${scope}" would have ${total} distinct statuses (${known.size} stored, ${added.length} new: ${added.slice(0, 5).join(', ')}${added.length > 5 ? ', …' : ''}); at most ${limits.maxStatusesPerScope} per scope (limits.max_statuses_per_scope)`,
          { field: 'status', expected: `at most ${limits.maxStatusesPerScope} statuses per scope`, got: total });
      }
    }
    for (const [scope, statuses] of wanted) {
      let known = scopes.get(scope);
      if (!known) scopes.set(scope, (known = new Set()));
      for (const s of statuses) known.add(s);
    }
  }
}
