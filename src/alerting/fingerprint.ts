/** Alert identity: a rule name plus labels, hashed to a stable fingerprint (like Alertmanager's). */
import { createHash } from 'node:crypto';
import type { Finding } from '../domain/types.ts';

/** Rule name of a finding: what went wrong, independent of which test saw it. */
export function ruleOf(f: Pick<Finding, 'metric' | 'status' | 'direction'>): string {
  if (f.metric === 'no_data') return 'no_data';
  if (f.metric === 'total') return f.direction === 'up' ? 'total_volume_high' : 'total_volume_low';
  return `${f.status}_${f.metric}_${f.direction === 'up' ? 'high' : 'low'}`;
}

export function labelsOf(f: Pick<Finding, 'metric' | 'status' | 'direction' | 'scope'>): Record<string, string> {
  return { alertname: ruleOf(f), scope: f.scope, status: f.status, metric: f.metric };
}

/** Stable hash of sorted labels (severity is not part of identity: an alert may escalate). */
export function fingerprintOf(labels: Record<string, string>): string {
  const canonical = Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join('\u0000');
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}
