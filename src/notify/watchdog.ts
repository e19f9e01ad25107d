/**
 * Knowing when txmon itself is down (`alerting.watchdog`):
 *
 * - the `Watchdog` alert (labels alertname="Watchdog", severity="none"), Alertmanager's
 *   convention: it always fires, so it goes through the routes like any alert and is repeated
 *   every repeat_interval of its route. Route it to a dead man's switch (a receiver that pages
 *   when the notifications STOP), and away from people;
 * - a heartbeat: a request to `heartbeat_url` every `heartbeat_interval` while minutes are being
 *   evaluated (the last evaluation is at most `max_evaluation_age` old), for healthchecks.io-,
 *   Dead Man's Snitch- or Cronitor-style monitors. It stops when txmon stops, hangs, or stops
 *   receiving data — the monitor then alerts.
 */
import type { WatchdogConfig } from '../alerting/config.ts';
import { fingerprintOf } from '../alerting/fingerprint.ts';
import type { Alert } from '../domain/types.ts';
import { interpolateEnv, type Env } from './channels/index.ts';

export const WATCHDOG_RULE = 'Watchdog';

/** The Watchdog alert (not stored: planned at start and after every reload). */
export function watchdogAlert(startedAt: number): Alert {
  return {
    id: 0,
    fingerprint: fingerprintOf({ alertname: WATCHDOG_RULE }),
    rule: WATCHDOG_RULE,
    labels: {},
    state: 'firing',
    severity: 'none',
    score: 0,
    observed: 1,
    expected: 1,
    summary: 'txmon is alive: this alert always fires',
    explanation: 'The Watchdog alert fires as long as txmon runs and its notification pipeline works. Route it to a dead man\'s switch that alerts when it stops arriving.',
    startsAt: startedAt,
    endsAt: null,
    updatedAt: startedAt,
    lastMinute: Math.floor(startedAt / 60_000),
  };
}

export interface HeartbeatDeps {
  fetch?: typeof fetch;
  now?: () => number;
  env?: Env;
  log?: { warn(obj: object, msg: string): void };
}

/**
 * Sends the heartbeat when due. `lastEvaluationAt` is the wall-clock time the engine last
 * evaluated a minute (null: never). Returns what it did, for tests and logs.
 */
export class Heartbeat {
  private lastSent = 0;
  private inFlight = false;
  sent = 0;
  failed = 0;

  private readonly deps: HeartbeatDeps;

  constructor(deps: HeartbeatDeps = {}) {
    this.deps = deps;
  }

  async maybeSend(cfg: WatchdogConfig, lastEvaluationAt: number | null): Promise<'sent' | 'failed' | 'idle' | 'not-due' | 'off'> {
    if (!cfg.heartbeatUrl) return 'off';
    const now = (this.deps.now ?? Date.now)();
    if (lastEvaluationAt === null || now - lastEvaluationAt > cfg.maxEvaluationAgeMs) return 'idle';
    if (now - this.lastSent < cfg.heartbeatIntervalMs || this.inFlight) return 'not-due';
    this.inFlight = true;
    this.lastSent = now;
    try {
      const url = interpolateEnv(cfg.heartbeatUrl, this.deps.env ?? process.env, 'alerting.watchdog.heartbeat_url');
      const res = await (this.deps.fetch ?? fetch)(url, { method: cfg.heartbeatMethod, signal: AbortSignal.timeout(10_000) });
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      this.sent++;
      return 'sent';
    } catch (err) {
      this.failed++;
      this.deps.log?.warn({ err: String(err) }, 'watchdog heartbeat failed');
      return 'failed';
    } finally {
      this.inFlight = false;
    }
  }
}
