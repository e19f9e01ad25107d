/**
 * Alert identity: a problem name plus labels, hashed to a stable fingerprint (like Alertmanager's).
 *
 * One alert per problem, not per test: a status going wrong is `<status>_high` whatever saw it
 * (count test, share test, static rule, sustained shift), and sales dropping — approved count or
 * total volume falling — is `sales_low`. The findings of one minute that name the same problem
 * become one alert carrying all of them as evidence. Labels keep `scope` and `status` (and the
 * alert its severity), so routes and silences written on them keep working; `sales_low` carries
 * `status="approved"` whichever of approved or total saw the drop.
 *
 * Names before 2026-12 (kept by alerts stored then): `<status>_count_high`, `<status>_share_high`
 * → `<status>_high`; `approved_count_low`, `total_volume_low` → `sales_low`.
 */
import { createHash } from 'node:crypto';
import type { Finding } from '../domain/types.ts';

/** The status label of the sales alert (approved count and total volume findings both carry it). */
export const SALES_STATUS = 'approved';

/** Problem (rule) name of a finding: what went wrong, independent of which test saw it. */
export function ruleOf(f: Pick<Finding, 'metric' | 'status' | 'direction'>): string {
  if (f.metric === 'no_data') return 'no_data';
  if (f.direction === 'down') return 'sales_low';
  if (f.metric === 'total') return 'volume_high';
  return `${f.status}_high`;
}

export function labelsOf(f: Pick<Finding, 'metric' | 'status' | 'direction' | 'scope'>): Record<string, string> {
  const alertname = ruleOf(f);
  const status = alertname === 'sales_low' && f.metric === 'total' ? SALES_STATUS : f.status;
  return { alertname, scope: f.scope, status };
}

/** Stable hash of sorted labels (severity is not part of identity: an alert may escalate). */
export function fingerprintOf(labels: Record<string, string>): string {
  const canonical = Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join('\u0000');
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}
