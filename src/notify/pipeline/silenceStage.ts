/**
 * Silence stage: mutes the candidates that an active silence matches (alerting/silences.ts). An
 * alert an earlier stage muted is still checked, so its mute names the silences too (the alerts
 * API shows both reasons).
 */
import type { Silencer } from '../../alerting/silences.ts';
import { alertLabels } from '../types.ts';
import type { MuteInfo, Stage } from './flow.ts';

/** @param silencer the silences of now (the planner's current set; replaced when they change) */
export function silenceStage(silencer: () => Silencer): Stage {
  return {
    run(flow) {
      if (flow.candidates.length === 0) return flow;
      const s = silencer();
      const mutes = new Map<string, MuteInfo>(flow.mutes);
      for (const a of flow.candidates) {
        const silencedBy = s.silencedBy(alertLabels(a), flow.now);
        const earlier = mutes.get(a.fingerprint);
        if (silencedBy.length > 0 || earlier) mutes.set(a.fingerprint, { fingerprint: a.fingerprint, silencedBy, inhibitedBy: earlier?.inhibitedBy });
      }
      return { ...flow, mutes };
    },
  };
}
