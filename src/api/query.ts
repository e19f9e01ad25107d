/** Query-string helpers for read endpoints: precise 400s for bad parameters. */
import { TxmonError } from '../domain/errors.ts';
import { parseTimestamp } from '../domain/time.ts';

const bad = (name: string, expected: string, got: unknown) =>
  new TxmonError('TXMON_ERR_BAD_PARAMETER', `query parameter "${name}" must be ${expected}, got ${JSON.stringify(got)}`, { field: name, expected });

export function timeParam(q: Record<string, unknown>, name: string, timeZone: string): number | undefined {
  const v = q[name];
  if (v === undefined || v === '') return undefined;
  const ms = parseTimestamp(v, timeZone);
  if (ms === null) throw bad(name, 'an ISO-8601 timestamp or epoch seconds', v);
  return ms;
}

export function intParam(q: Record<string, unknown>, name: string, min: number, max: number): number | undefined {
  const v = q[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || !/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw bad(name, `an integer from ${min} to ${max}`, v);
  return Number(v);
}

export function enumParam<T extends string>(q: Record<string, unknown>, name: string, allowed: readonly T[]): T | undefined {
  const v = q[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || !allowed.includes(v as T)) throw bad(name, `one of ${allowed.join(', ')}`, v);
  return v as T;
}

export function stringParam(q: Record<string, unknown>, name: string): string | undefined {
  const v = q[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || v.length > 128) throw bad(name, 'a string of at most 128 characters', v);
  return v;
}

export function boolParam(q: Record<string, unknown>, name: string): boolean | undefined {
  const v = q[name];
  if (v === undefined || v === '') return undefined;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw bad(name, 'true or false', v);
}
