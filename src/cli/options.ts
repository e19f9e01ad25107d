/** Option parsers shared by CLI commands: each rejects bad values with a precise message. */
import { InvalidArgumentError } from 'commander';

export function nonNegativeNumber(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^\d+(\.\d+)?$/.test(v) || !(n >= 0)) throw new InvalidArgumentError(`${name} must be a number ≥ 0, got "${v}"`);
    return n;
  };
}

export function port(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new InvalidArgumentError(`--port must be an integer from 0 to 65535, got "${v}"`);
  return n;
}

export function isoDate(v: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(v))) throw new InvalidArgumentError(`--date must be YYYY-MM-DD, got "${v}"`);
  return v;
}
