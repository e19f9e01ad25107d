/** Rounds for display and storage: 4 decimal places are plenty for counts and shares. */
export function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
