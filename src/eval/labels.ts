/**
 * Incident labels for backtests: `{"incidents":[{id, start, end, statuses, kind, scope,
 * expect_alert, severity, description}]}` — what `txmon simulate --labels-out` writes, and what a
 * person writes by hand for a real file (only `id`, `start` and `end` are required).
 * Pure: text in, validated incidents out.
 */
import { TxmonError } from '../domain/errors.ts';
import type { EpochMinute } from '../domain/types.ts';
import { DEFAULT_SCOPE } from '../domain/types.ts';
import { parseTimestamp } from '../domain/time.ts';

/** One labelled incident, times as epoch minutes. */
export interface LabelledIncident {
  id: string;
  /** e.g. failed_spike, volume_surge; "unlabelled" when absent. */
  kind: string;
  /** Scope the incident happens in (default "all"). */
  scope: string;
  /** First affected minute. */
  start: EpochMinute;
  /** End, exclusive (a partial minute counts as affected). */
  end: EpochMinute;
  /** Statuses the incident changes (may be empty). */
  statuses: string[];
  /** false for traffic that is unusual but legitimate (a volume surge): alerts on it are false alerts. */
  expectAlert: boolean;
  severity: string | null;
  description: string;
}

function bad(source: string, where: string, expected: string, got: unknown): TxmonError {
  const shown = got === undefined ? 'nothing' : JSON.stringify(got)?.slice(0, 80) ?? String(got);
  return new TxmonError('TXMON_ERR_VALIDATION', `${source}: ${where} must be ${expected}, got ${shown}`, { field: where, expected });
}

/** Parses and validates a labels document. `source` names it in error messages (e.g. the file path). */
export function parseLabels(text: string, source = 'labels'): LabelledIncident[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new TxmonError('TXMON_ERR_BAD_JSON', `${source}: not valid JSON: ${(err as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc) || !Array.isArray((doc as { incidents?: unknown }).incidents)) {
    throw bad(source, 'the document', 'an object {"incidents": [...]}', doc === null || typeof doc !== 'object' ? doc : Array.isArray(doc) ? 'an array' : Object.keys(doc));
  }
  const items = (doc as { incidents: unknown[] }).incidents;
  const out: LabelledIncident[] = [];
  const ids = new Set<string>();
  items.forEach((item, i) => {
    const at = `incidents[${i}]`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) throw bad(source, at, 'an object', item);
    const o = item as Record<string, unknown>;
    const id = typeof o.id === 'number' && Number.isInteger(o.id) ? String(o.id) : o.id;
    if (typeof id !== 'string' || id.trim() === '') throw bad(source, `${at}.id`, 'a non-empty string', o.id);
    if (ids.has(id)) throw bad(source, `${at}.id`, 'unique', id);
    ids.add(id);
    const time = (field: 'start' | 'end'): number => {
      const ms = parseTimestamp(o[field], 'UTC');
      if (ms === null) throw bad(source, `${at}.${field}`, 'an ISO-8601 timestamp such as "2025-07-14T10:05:00Z"', o[field]);
      return ms;
    };
    const startMs = time('start');
    const endMs = time('end');
    if (endMs <= startMs) throw bad(source, `${at}.end`, `after start (${String(o.start)})`, o.end);
    const start = Math.floor(startMs / 60_000);
    const end = Math.max(start + 1, Math.ceil(endMs / 60_000));
    let statuses: string[] = [];
    if (o.statuses !== undefined && o.statuses !== null) {
      if (!Array.isArray(o.statuses) || o.statuses.some((s) => typeof s !== 'string')) throw bad(source, `${at}.statuses`, 'an array of strings', o.statuses);
      statuses = (o.statuses as string[]).map((s) => s.trim().toLowerCase());
    }
    const str = (field: string, fallback: string): string => {
      const v = o[field];
      if (v === undefined || v === null) return fallback;
      if (typeof v !== 'string' || v.trim() === '') throw bad(source, `${at}.${field}`, 'a non-empty string', v);
      return v.trim();
    };
    const expect = o.expect_alert;
    if (expect !== undefined && typeof expect !== 'boolean') throw bad(source, `${at}.expect_alert`, 'true or false', expect);
    out.push({
      id,
      kind: str('kind', 'unlabelled'),
      scope: str('scope', DEFAULT_SCOPE),
      start,
      end,
      statuses,
      expectAlert: expect !== false,
      severity: o.severity === undefined || o.severity === null ? null : str('severity', ''),
      description: o.description === undefined || o.description === null ? '' : String(o.description),
    });
  });
  return out.sort((a, b) => a.start - b.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
