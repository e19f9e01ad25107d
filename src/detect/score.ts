/**
 * Scores and severities shared by all detectors. A finding's score comes from its one-sided tail
 * probability, so 60 means the same on every series: score = min(100, 10·(−log10 p)).
 * p = 1e-4 → 40 (warning), p = 1e-7 → 70 (critical).
 */
import type { Severity } from '../domain/types.ts';
import { SEVERITY_RANK } from '../domain/types.ts';

export function scoreFromP(p: number): number {
  if (!(p > 0)) return 100;
  return Math.max(0, Math.min(100, -10 * Math.log10(p)));
}

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
