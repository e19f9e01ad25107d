/**
 * Silences, with Alertmanager's semantics: a silence mutes the notifications of every alert whose
 * labels match all of its matchers while `startsAt <= now < endsAt`. Alerts stay recorded; only
 * notifying them is suppressed. A silence expires on its own at endsAt; "deleting" one expires it
 * now, so its history stays visible.
 *
 * Pure: the caller passes `now`.
 */
import { TxmonError } from '../domain/errors.ts';
import { compileMatchers, matchersFrom, matchesAll, type CompiledMatcher, type LabelSet, type Matcher } from './matchers.ts';

export interface Silence {
  id: string;
  matchers: Matcher[];
  /** Epoch ms. */
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
  createdAt: number;
  updatedAt: number;
}

export type SilenceState = 'pending' | 'active' | 'expired';

/** Where a silence stands at `now`. */
export function silenceState(s: Pick<Silence, 'startsAt' | 'endsAt'>, now: number): SilenceState {
  if (now >= s.endsAt) return 'expired';
  return now < s.startsAt ? 'pending' : 'active';
}

/** What POST /api/v1/silences accepts, before ids and times are assigned. */
export interface SilenceInput {
  matchers: Matcher[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
}

function bad(field: string, message: string, expected: string, got: unknown): TxmonError {
  return new TxmonError('TXMON_ERR_VALIDATION', `${field}: ${message}`, { field, expected, got });
}

function timeField(body: Record<string, unknown>, field: string, fallback: number | undefined): number {
  const v = body[field];
  if (v === undefined || v === null) {
    if (fallback !== undefined) return fallback;
    throw bad(field, 'is required', 'an ISO 8601 time such as "2025-07-15T14:00:00Z"', v);
  }
  const ms = typeof v === 'string' && /\d{4}-\d{2}-\d{2}T/.test(v) ? Date.parse(v) : Number.NaN;
  if (!Number.isFinite(ms)) throw bad(field, `${JSON.stringify(v)} is not a time`, 'an ISO 8601 time such as "2025-07-15T14:00:00Z"', v);
  return ms;
}

/**
 * Validates a silence body as the dashboard sends it:
 * `{matchers: [{name, value, isRegex, isEqual}], startsAt?, endsAt, createdBy, comment}`.
 * startsAt defaults to `now`; endsAt is required and must be after startsAt and after now.
 * Throws TXMON_ERR_VALIDATION naming the field.
 */
export function parseSilenceInput(body: unknown, now: number): SilenceInput {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw bad('body', 'must be a JSON object', 'an object {matchers, startsAt, endsAt, createdBy, comment}', body);
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) {
    if (!['matchers', 'startsAt', 'endsAt', 'createdBy', 'comment', 'id'].includes(k)) {
      throw bad(k, `unknown key ${JSON.stringify(k)}`, 'only matchers, startsAt, endsAt, createdBy, comment', k);
    }
  }
  if (!Array.isArray(b.matchers) || b.matchers.length === 0) {
    throw bad('matchers', 'must be a non-empty list', 'a list like [{"name":"scope","value":"pos-1","isRegex":false,"isEqual":true}]', b.matchers);
  }
  let compiled: CompiledMatcher[];
  try {
    compiled = matchersFrom(b.matchers, 'matchers');
  } catch (err) {
    if (err instanceof TxmonError) throw new TxmonError('TXMON_ERR_VALIDATION', err.message, err.detail);
    throw err;
  }
  // A silence that matches every alert (e.g. only `x=""` or `x=~".*"`) would mute everything by accident.
  if (compiled.every((m) => m.test(''))) {
    throw bad('matchers', 'match every alert (each matcher also matches an absent label)', 'at least one matcher that requires a label value', b.matchers);
  }
  const startsAt = timeField(b, 'startsAt', now);
  const endsAt = timeField(b, 'endsAt', undefined);
  if (endsAt <= startsAt) throw bad('endsAt', 'must be after startsAt', `a time after ${new Date(startsAt).toISOString()}`, b.endsAt);
  if (endsAt <= now) throw bad('endsAt', 'is in the past', `a time after ${new Date(now).toISOString()}`, b.endsAt);
  for (const k of ['createdBy', 'comment'] as const) {
    if (typeof b[k] !== 'string' || (b[k] as string).trim() === '') throw bad(k, 'must be a non-empty string', 'who made the silence and why', b[k]);
  }
  return {
    matchers: compiled.map((m) => ({ name: m.name, value: m.value, isRegex: m.isRegex, isEqual: m.isEqual })),
    startsAt,
    endsAt,
    createdBy: (b.createdBy as string).trim(),
    comment: (b.comment as string).trim(),
  };
}

/** Silences compiled once, asked per alert. */
export interface Silencer {
  /** Ids of the silences active at `now` that match `labels` (empty = not silenced). */
  silencedBy(labels: LabelSet, now: number): string[];
}

export function createSilencer(silences: readonly Silence[]): Silencer {
  const compiled = silences.map((s) => ({ s, ms: compileMatchers(s.matchers, `silence ${s.id}.matchers`) }));
  return {
    silencedBy(labels, now) {
      const out: string[] = [];
      for (const { s, ms } of compiled) if (silenceState(s, now) === 'active' && matchesAll(ms, labels)) out.push(s.id);
      return out;
    },
  };
}
