/**
 * The one place an engine is built from configuration: the live service, `txmon import` and the
 * backtest all come through here, so a setting of the `engine:`, `detect:` or lifecycle sections
 * reaches every one of them (before, each listed the settings it passed, and `import` dropped
 * `engine.max_gap_minutes`).
 *
 * What differs between them is not configuration but wiring, and is said at the call site:
 * - notifications: only the live service plans them (`planNotifications`). `import` and the
 *   backtest build the same engine without, on purpose: loading history is not news, and an
 *   import of last month must not page anyone (README, `txmon import`);
 * - group commit: only the service, whose concurrent HTTP requests share SQLite commits.
 */
import type { TxmonConfig } from '../config/config.ts';
import { Engine, type EngineOptions } from './engine.ts';

/**
 * The settings an engine takes from configuration. A resolved TxmonConfig carries them all and is
 * passed whole; a backtest of a bare file may give only some (the engine's defaults fill the rest).
 */
export type EngineSettings = Partial<Pick<TxmonConfig, 'detect' | 'lifecycle' | 'graceMs' | 'maxGapMinutes' | 'idleScopeMs'>>;

/** What the engine runs against, and the parts only the live service has. */
export type EngineWiring = Pick<EngineOptions, 'store' | 'clock' | 'planNotifications' | 'groupCommit'>;

/** Every engine option is a setting or wiring: a new option that is neither stops this compiling. */
type Unplaced = Exclude<keyof EngineOptions, keyof EngineSettings | keyof EngineWiring>;
type EveryEngineOptionPlaced = [Unplaced] extends [never] ? true : { unplaced: Unplaced };
true satisfies EveryEngineOptionPlaced;

export function engineFromConfig(settings: EngineSettings, wiring: EngineWiring): Engine {
  const { detect, lifecycle, graceMs, maxGapMinutes, idleScopeMs } = settings;
  return new Engine({ detect, lifecycle, graceMs, maxGapMinutes, idleScopeMs, ...wiring });
}
