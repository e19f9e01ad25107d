/**
 * Detector configuration and its documented defaults (docs/detection.md explains each).
 *
 * Static rule defaults come from ../shared/data/cloudwalk/transactions.csv (3 days, 4 320 minutes):
 *   approved ≈117/min, denied mean 6.9 (p50 6, p90 10, p99 35 during bursts), failed mean 0.06
 *   (p99 2, max 10), reversed mean 1.0 (p99 4, max 7), backend_reversed mean 0.19 (p99 5, max 9 —
 *   all of it in the 00:30–02:00 storm of 07-13). Warning sits above what a normal hour shows,
 *   critical above the file's p99.9, so rules fire only on what must never happen; the statistics
 *   catch what is merely unusual. Count rules are absolute, so by default they apply to the
 *   aggregate scope `all` only; share rules are scale-free and apply to every scope. Denied has no
 *   count rule: its count scales with volume (a legitimate surge doubles it), its share does not.
 *
 * The v1 rolling z-score (60 min, 2σ/3σ) is kept but off by default: measured on simulated data, a
 * 60-minute window learns a legitimate surge and then calls the return to normal a drop, and 2σ on
 * Gaussian approximations of low counts flaps; the seasonal negative-binomial tests replace it.
 */
import type { Severity } from '../domain/types.ts';
import type { BaselineOptions } from './baseline.ts';
import { DEFAULT_BASELINE } from './baseline.ts';
import type { CountGate } from './countTail.ts';
import type { ShareGate } from './shareTail.ts';
import type { CusumConfig } from './sustained.ts';

export interface Thresholds { warning: number; critical: number }

export interface StatusRule {
  /** Count per minute at or above which the rule fires. */
  count?: Thresholds;
  /** Share of total at or above which the rule fires (only when total ≥ minTotalForShare). */
  share?: Thresholds;
}

export interface RollingZConfig {
  enabled: boolean;
  /** Minutes in the rolling window. */
  window: number;
  /** Values needed before the z-score speaks (cold start). */
  minHistory: number;
  warningZ: number;
  criticalZ: number;
  /** Smallest standard deviation used for counts and shares (zero-variance guard). */
  minSigmaCount: number;
  minSigmaShare: number;
  /** The normal approximation behind z needs volume: series whose mean is below this are left to the count tests. */
  minMean: number;
  /** z crosses 2σ by chance 2.3 % of minutes, so it confirms on its own, stricter k-of-n. */
  confirm: { k: number; n: number };
}

/** k-of-n confirmation: a finding alerts when its series was flagged in ≥ k of the last n minutes. */
export interface Confirmation { k: number; n: number }

export interface DetectConfig {
  rules: Record<string, StatusRule>;
  /** Scopes the absolute count rules apply to. */
  staticCountScopes: string[];
  /** Share rules stay silent below this many transactions in the minute… */
  minTotalForShare: number;
  /** …and below this many of the status itself (2 reversals out of 33 at night is no incident). */
  minCountForShare: number;
  rollingZ: RollingZConfig;
  /** Statuses watched upward (their rise is a problem); any status not in volumeStatuses is, too. */
  problemStatuses: string[];
  /** Statuses watched downward (their drop is a problem). */
  volumeStatuses: string[];
  baseline: BaselineOptions;
  /**
   * IANA time zone of the seasonal buckets' time of day and week (default: the server's
   * `time_zone`, else UTC): a daily rhythm keeps its local hours across daylight-saving changes.
   */
  timeZone: string;
  /** Minutes of normal history a series needs before its statistical tests speak. */
  minHistory: number;
  countUp: CountGate;
  countDown: CountGate;
  share: ShareGate;
  cusum: CusumConfig;
  /** Outage: approved (or total) at most this fraction of expected while at least `outageMinExpected` are expected → critical. */
  outageRatio: number;
  outageMinExpected: number;
  /** No data: a scope silent this many minutes while it normally sends `noDataMinExpected`/min alerts (critical after noDataCriticalMinutes). */
  noDataMinutes: number;
  noDataCriticalMinutes: number;
  noDataMinExpected: number;
  confirm: Confirmation;
  /**
   * Minutes over which a persistent shift becomes the new normal: a flagged minute is learned with
   * weight (minutes flagged in a row) / adaptMinutes, capped at 1 — see DetectionModel.adaptWeight.
   */
  adaptMinutes: number;
  /** The same for a volume surge (never alerted: learned late, so that its end is not a "drop"). */
  adaptSurgeMinutes: number;
  /** Findings at least this score alert on their first minute (no confirmation wait). */
  immediateScore: number;
  /** Anomaly score at or above which the minute is a warning / critical. */
  severityScore: Record<Exclude<Severity, 'none' | 'info'>, number>;
}

export const DEFAULT_DETECT_CONFIG: DetectConfig = {
  rules: {
    failed: { count: { warning: 5, critical: 10 }, share: { warning: 0.05, critical: 0.1 } },
    denied: { share: { warning: 0.25, critical: 0.4 } },
    reversed: { count: { warning: 12, critical: 20 }, share: { warning: 0.08, critical: 0.15 } },
    backend_reversed: { count: { warning: 6, critical: 12 }, share: { warning: 0.05, critical: 0.1 } },
  },
  staticCountScopes: ['all'],
  minTotalForShare: 60,
  minCountForShare: 5,
  rollingZ: { enabled: false, window: 60, minHistory: 30, warningZ: 2, criticalZ: 3, minSigmaCount: 1, minSigmaShare: 0.005, minMean: 20, confirm: { k: 3, n: 3 } },
  problemStatuses: ['denied', 'failed', 'reversed', 'backend_reversed'],
  volumeStatuses: ['approved'],
  baseline: DEFAULT_BASELINE,
  timeZone: 'UTC',
  minHistory: 30,
  countUp: { minRatio: 2, minDelta: 4 },
  countDown: { minRatio: 2, minDelta: 10 },
  share: { minTotal: 30, minRatio: 1.5, minDelta: 3, minShareDelta: 0.01 },
  cusum: { h: 12, countShift: 2, shareShift: 1.5, dropShift: 0.6, criticalAfterMinutes: 15, shortHistoryShareShift: 2, resetAfterMinutes: 3 },
  outageRatio: 0.1,
  outageMinExpected: 20,
  noDataMinutes: 3,
  noDataCriticalMinutes: 10,
  noDataMinExpected: 1,
  confirm: { k: 2, n: 3 },
  adaptMinutes: 90,
  adaptSurgeMinutes: 240,
  immediateScore: 80,
  severityScore: { warning: 50, critical: 80 },
};

/** Deep-merges a partial user config onto the defaults. */
export function resolveDetectConfig(partial: Partial<DetectConfig> | undefined): DetectConfig {
  if (!partial) return DEFAULT_DETECT_CONFIG;
  const d = DEFAULT_DETECT_CONFIG;
  return {
    ...d,
    ...partial,
    rules: { ...d.rules, ...(partial.rules ?? {}) },
    rollingZ: { ...d.rollingZ, ...(partial.rollingZ ?? {}) },
    baseline: { ...d.baseline, ...(partial.baseline ?? {}) },
    countUp: { ...d.countUp, ...(partial.countUp ?? {}) },
    countDown: { ...d.countDown, ...(partial.countDown ?? {}) },
    share: { ...d.share, ...(partial.share ?? {}) },
    cusum: { ...d.cusum, ...(partial.cusum ?? {}) },
    confirm: { ...d.confirm, ...(partial.confirm ?? {}) },
    severityScore: { ...d.severityScore, ...(partial.severityScore ?? {}) },
  };
}
