/**
 * One DetectionModel per scope, behind the DetectionModel methods the engine and the API use.
 * The model's state is per scope anyway (its baselines live in a Map keyed by scope), so answers
 * are the same as with one shared model; what this adds is `forget(scope)`: the engine can drop an
 * idle scope's baselines and rebuild them from the store when the scope sends again (issue #13
 * item 3), without reaching into the model's internals.
 */
import { DetectionModel, type SeriesBaseline } from '../detect/model.ts';
import type { DetectConfig } from '../detect/config.ts';
import type { Assessment, MinuteSnapshot } from '../domain/types.ts';

export class ScopeModels {
  readonly config: DetectConfig;
  private readonly models = new Map<string, DetectionModel>();
  /** A model holding no scope: answers the questions about the configuration. */
  private readonly probe: DetectionModel;

  constructor(detect?: Partial<DetectConfig>) {
    this.probe = new DetectionModel(detect);
    this.config = this.probe.config;
  }

  get historyMinutes(): number {
    return this.probe.historyMinutes;
  }

  private of(scope: string): DetectionModel {
    let m = this.models.get(scope);
    if (m === undefined) this.models.set(scope, (m = new DetectionModel(this.config)));
    return m;
  }

  evaluate(snapshot: MinuteSnapshot): Assessment {
    return this.of(snapshot.scope).evaluate(snapshot);
  }

  preview(snapshot: MinuteSnapshot): Assessment {
    return this.of(snapshot.scope).preview(snapshot);
  }

  baselines(scope?: string): SeriesBaseline[] {
    if (scope !== undefined) return this.models.get(scope)?.baselines(scope) ?? [];
    const out: SeriesBaseline[] = [];
    for (const [name, m] of this.models) out.push(...m.baselines(name));
    return out;
  }

  lastMinute(scope: string): number | null {
    return this.models.get(scope)?.lastMinute(scope) ?? null;
  }

  /** Drops a scope's baselines (the engine rebuilds them from the store when it returns). */
  forget(scope: string): void {
    this.models.delete(scope);
  }

  /** Scopes holding baselines in memory. */
  get size(): number {
    return this.models.size;
  }
}
