/**
 * Detector configuration and its documented defaults.
 *
 * Static rule defaults come from ../shared/data/cloudwalk/transactions.csv (3 days, 4 320 minutes):
 *   approved ≈117/min (p1 ≈ 60 at night), denied mean 6.9 (p50 6, p90 10, p99 35 during bursts),
 *   failed mean 0.06 (p99 2, max 10), reversed mean 1.0 (p99 4, max 7),
 *   backend_reversed mean 0.19 (p99 5, max 9 — all of it in the 00:30–02:00 storm of 07-13).
 * Warning sits above what a normal hour shows, critical above the p99.9 of the whole file, so the
 * rules only fire on what must never happen; the statistics catch what is merely unusual.
 */
import type { Severity } from '../domain/types.ts';

export interface Thresholds { warning: number; critical: number }

export interface StatusRule {
  /** Count per minute at or above which the rule fires. */
  count?: Thresholds;
  /** Share of total at or above which the rule fires (only when total ≥ minTotalForShare). */
  share?: Thresholds;
}

export interface RollingZConfig {
  /** Minutes in the rolling window. */
  window: number;
  /** Values needed before the z-score speaks (cold start). */
  minHistory: number;
  warningZ: number;
  criticalZ: number;
  /** Smallest standard deviation used for counts and shares (zero-variance guard). */
  minSigmaCount: number;
  minSigmaShare: number;
}

export interface DetectConfig {
  rules: Record<string, StatusRule>;
  /** Share rules stay silent below this many transactions in the minute (3 failures out of 4 at night is not a crisis). */
  minTotalForShare: number;
  rollingZ: RollingZConfig;
  /** Statuses watched upward (their rise is a problem). */
  problemStatuses: string[];
  /** Statuses watched downward (their drop is a problem). */
  volumeStatuses: string[];
  /** Anomaly score at or above which the minute is a warning / critical. */
  severityScore: Record<Exclude<Severity, 'none' | 'info'>, number>;
}

export const DEFAULT_DETECT_CONFIG: DetectConfig = {
  rules: {
    failed: { count: { warning: 5, critical: 10 }, share: { warning: 0.04, critical: 0.08 } },
    denied: { count: { warning: 40, critical: 60 }, share: { warning: 0.25, critical: 0.4 } },
    reversed: { count: { warning: 8, critical: 15 }, share: { warning: 0.06, critical: 0.12 } },
    backend_reversed: { count: { warning: 6, critical: 12 }, share: { warning: 0.05, critical: 0.1 } },
  },
  minTotalForShare: 30,
  rollingZ: { window: 60, minHistory: 30, warningZ: 2, criticalZ: 3, minSigmaCount: 1, minSigmaShare: 0.005 },
  problemStatuses: ['denied', 'failed', 'reversed', 'backend_reversed'],
  volumeStatuses: ['approved'],
  severityScore: { warning: 40, critical: 70 },
};

/** Deep-merges a partial user config onto the defaults. */
export function resolveDetectConfig(partial: Partial<DetectConfig> | undefined): DetectConfig {
  if (!partial) return DEFAULT_DETECT_CONFIG;
  return {
    ...DEFAULT_DETECT_CONFIG,
    ...partial,
    rules: { ...DEFAULT_DETECT_CONFIG.rules, ...(partial.rules ?? {}) },
    rollingZ: { ...DEFAULT_DETECT_CONFIG.rollingZ, ...(partial.rollingZ ?? {}) },
    severityScore: { ...DEFAULT_DETECT_CONFIG.severityScore, ...(partial.severityScore ?? {}) },
  };
}
