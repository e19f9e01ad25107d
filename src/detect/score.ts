/** Small helpers shared by detectors. Scores themselves come from ./stats/score.ts (p → 0–100). */
import type { Severity } from '../domain/types.ts';
import { SEVERITY_RANK } from '../domain/types.ts';

export function maxSeverity(a: Severity, b: Severity): Severity {
  return SEVERITY_RANK[a] >= SEVERITY_RANK[b] ? a : b;
}

export function atLeast(s: Severity, min: Severity): boolean {
  return SEVERITY_RANK[s] >= SEVERITY_RANK[min];
}

/** Rounds for display and storage: 4 significant decimals are plenty for counts and shares. */
export function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
