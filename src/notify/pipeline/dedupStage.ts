/**
 * Dedup stage: for each integration of each due group, whether it needs to hear anything now
 * (Alertmanager's `needsUpdate`: new firing alerts, resolved ones with send_resolved, or
 * repeat_interval passed), and if so the notification as an outbox entry. What it sends becomes
 * the group's record of what that integration was told.
 */
import type { AlertingConfig } from '../../alerting/config.ts';
import type { Alert, OutboxEntry } from '../../domain/types.ts';
import { buildNotification, toNotifiedAlert, type NotifiedAlert } from '../types.ts';
import type { SentState, Stage } from './flow.ts';

/** What the planner needs to know about an integration (a ReceiverIntegration fits). */
export interface PlannedIntegration {
  receiver: string;
  /** "<receiver>/<type>[<n>]": the outbox `receiver` column. */
  name: string;
  sendResolved: boolean;
}

export interface DedupOptions {
  /** Integrations per receiver name. */
  integrations: ReadonlyMap<string, readonly PlannedIntegration[]>;
  /** Its `externalUrl` is the base of the links, read at every run: the service sets it once it listens. */
  config: Pick<AlertingConfig, 'externalUrl'>;
}

const subset = (a: readonly string[], b: readonly string[]): boolean => {
  const s = new Set(b);
  return a.every((x) => s.has(x));
};

/** Alertmanager's `needsUpdate`: should this integration be notified now? */
export function needsUpdate(last: SentState | undefined, firing: readonly string[], resolved: readonly string[], sendResolved: boolean, repeatDue: boolean): boolean {
  if (!last) return firing.length > 0;
  if (!subset(firing, last.firing)) return true;
  // Everything resolved: tell those who heard it fire (send_resolved false still records it).
  if (firing.length === 0) return last.firing.length > 0;
  if (sendResolved && !subset(resolved, last.resolved)) return true;
  return repeatDue;
}

export function dedupStage(opts: DedupOptions): Stage {
  const notified = (a: Alert, externalUrl: string): NotifiedAlert => {
    const n = toNotifiedAlert(a, { externalUrl });
    // A new alert has no id until the store assigns one in this very transaction: link by fingerprint.
    if (a.id === 0) n.generatorURL = `${externalUrl}/alerts?fingerprint=${a.fingerprint}`;
    return n;
  };
  return {
    run(flow) {
      const { now } = flow;
      const { externalUrl } = opts.config;
      const entries: OutboxEntry[] = [...flow.entries];
      for (const { group: g, route } of flow.due) {
        const kept = Object.values(g.alerts).filter((a) => !flow.mutes.has(a.fingerprint));
        if (kept.length === 0) continue;
        for (const integ of opts.integrations.get(g.receiver) ?? []) {
          const last = g.sent[integ.name];
          const heard = new Set(last?.firing ?? []);
          const firing = kept.filter((a) => a.state === 'firing');
          // Only alerts this integration heard firing are reported resolved.
          const resolved = kept.filter((a) => a.state === 'resolved' && heard.has(a.fingerprint));
          const firingFps = firing.map((a) => a.fingerprint).sort();
          const resolvedFps = resolved.map((a) => a.fingerprint).sort();
          const repeatDue = last !== undefined && now - last.at >= route.repeatIntervalMs;
          if (!needsUpdate(last, firingFps, resolvedFps, integ.sendResolved, repeatDue)) continue;
          g.sent[integ.name] = { at: now, firing: firingFps, resolved: resolvedFps };
          const shown = integ.sendResolved ? [...firing, ...resolved] : firing;
          // send_resolved false and nothing fires: recorded as told, nothing to send.
          if (shown.length === 0) continue;
          const n = buildNotification({
            receiver: g.receiver,
            groupKey: g.key,
            groupLabels: g.labels,
            alerts: shown.map((a) => notified(a, externalUrl)),
            externalUrl,
            seq: `${integ.name}@${now}`,
          });
          entries.push({ id: n.id, receiver: integ.name, payload: n, createdAt: now, nextAttemptAt: now, attempts: 0, state: 'pending', lastError: null });
        }
      }
      return { ...flow, entries };
    },
  };
}
