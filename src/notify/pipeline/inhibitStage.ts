/**
 * Inhibit stage: keeps the inhibition sources, the open alerts (every change enters them, a
 * resolved one leaves), and mutes the candidates that a firing source inhibits under the inhibit
 * rules (alerting/inhibit.ts: Alertmanager's semantics).
 */
import type { AlertingConfig } from '../../alerting/config.ts';
import { createInhibitor } from '../../alerting/inhibit.ts';
import { alertLabels } from '../types.ts';
import type { MuteInfo, Stage } from './flow.ts';

/** @param config its `inhibitRules`, read at every run (as the planner always read its config) */
export function inhibitStage(config: Pick<AlertingConfig, 'inhibitRules'>): Stage {
  return {
    run(flow) {
      const { open } = flow.state;
      for (const a of flow.changes) {
        if (a.state === 'resolved') delete open[a.fingerprint];
        else open[a.fingerprint] = a;
      }
      if (flow.candidates.length === 0) return flow;
      const firing = Object.values(open).filter((a) => a.state === 'firing').map((a) => ({ fingerprint: a.fingerprint, labels: alertLabels(a) }));
      const inhibitor = createInhibitor(config.inhibitRules, firing);
      const mutes = new Map<string, MuteInfo>(flow.mutes);
      for (const a of flow.candidates) {
        const inh = inhibitor.mutes({ fingerprint: a.fingerprint, labels: alertLabels(a) });
        if (!inh.inhibited) continue;
        const earlier = mutes.get(a.fingerprint);
        mutes.set(a.fingerprint, { fingerprint: a.fingerprint, silencedBy: earlier?.silencedBy ?? [], inhibitedBy: inh.by });
      }
      return { ...flow, mutes };
    },
  };
}
