/**
 * Inhibition, with Alertmanager's semantics: a target alert is muted while some *firing* source
 * alert exists such that
 *
 * - the target matches the rule's target_matchers and the source its source_matchers;
 * - every label in `equal` has the same value on both (absent on both counts as equal);
 * - the source is not the target itself (an alert cannot inhibit itself); and
 * - when the target also matches the source side, sources that also match the target side are
 *   ignored, so two alerts matching both sides cannot mute each other.
 *
 * Pure. Build an Inhibitor from the rules and the current firing alerts, then ask per alert.
 */
import type { InhibitRule } from './config.ts';
import { matchesAll, type LabelSet } from './matchers.ts';

export interface InhibitCandidate {
  fingerprint: string;
  labels: LabelSet;
}

export interface InhibitResult {
  inhibited: boolean;
  /** Index of the rule that muted it. */
  rule?: number;
  /** Fingerprint of the source alert that muted it. */
  by?: string;
}

export interface Inhibitor {
  /** Whether `target` is muted by a firing source alert. */
  mutes(target: InhibitCandidate): InhibitResult;
}

function equalKey(equal: readonly string[], labels: LabelSet): string {
  return JSON.stringify(equal.map((n) => labels[n] ?? ''));
}

/**
 * Indexes the firing alerts that match each rule's source side by their `equal` label values,
 * so each lookup costs O(rules × sources with the same equal values).
 * `firing` must hold only firing alerts (resolved alerts never inhibit).
 */
export function createInhibitor(rules: readonly InhibitRule[], firing: readonly InhibitCandidate[]): Inhibitor {
  const index = rules.map((rule) => {
    const byKey = new Map<string, InhibitCandidate[]>();
    for (const a of firing) {
      if (!matchesAll(rule.sourceMatchers, a.labels)) continue;
      const k = equalKey(rule.equal, a.labels);
      const list = byKey.get(k);
      if (list) list.push(a);
      else byKey.set(k, [a]);
    }
    return byKey;
  });
  return {
    mutes(target: InhibitCandidate): InhibitResult {
      for (let i = 0; i < rules.length; i++) {
        const rule = rules[i];
        if (!matchesAll(rule.targetMatchers, target.labels)) continue;
        const sources = index[i].get(equalKey(rule.equal, target.labels));
        if (!sources) continue;
        const twoSided = matchesAll(rule.sourceMatchers, target.labels);
        for (const s of sources) {
          if (s.fingerprint === target.fingerprint) continue;
          if (twoSided && matchesAll(rule.targetMatchers, s.labels)) continue;
          return { inhibited: true, rule: i, by: s.fingerprint };
        }
      }
      return { inhibited: false };
    },
  };
}

/** One-shot form of `createInhibitor(rules, firing).mutes(target)`. */
export function isInhibited(target: InhibitCandidate, firing: readonly InhibitCandidate[], rules: readonly InhibitRule[]): InhibitResult {
  return createInhibitor(rules, firing).mutes(target);
}
