/**
 * Usual auth-code mix of a scope (EWMA of shares over normal minutes), to explain a denied or
 * failed alert by what changed in the codes: "92% code 51 vs 60% usual".
 */
export class AuthCodeMix {
  private readonly usual = new Map<string, number>();
  private weight = 0;
  private readonly decay: number;

  constructor(halfLife = 240) {
    this.decay = Math.pow(2, -1 / halfLife);
  }

  learn(codes: Record<string, number>, approvedCode = '00'): void {
    const total = sumExcept(codes, approvedCode);
    if (total <= 0) return;
    for (const [code, v] of this.usual) this.usual.set(code, v * this.decay);
    for (const [code, n] of Object.entries(codes)) {
      if (code === approvedCode) continue;
      this.usual.set(code, (this.usual.get(code) ?? 0) + n / total);
    }
    this.weight = this.weight * this.decay + 1;
  }

  /** The non-approval code whose share moved most against its usual share, as a phrase; null when nothing to say. */
  describe(codes: Record<string, number>, approvedCode = '00'): string | null {
    const total = sumExcept(codes, approvedCode);
    if (total < 5 || this.weight < 10) return null;
    let best: { code: string; now: number; usual: number } | null = null;
    for (const [code, n] of Object.entries(codes)) {
      if (code === approvedCode) continue;
      const now = n / total;
      const usual = (this.usual.get(code) ?? 0) / this.weight;
      if (!best || now - usual > best.now - best.usual) best = { code, now, usual };
    }
    if (!best || best.now - best.usual < 0.1) return null;
    return `${Math.round(best.now * 100)}% code ${best.code} vs ${Math.round(best.usual * 100)}% usual`;
  }
}

/** Σ of the counts other than `skip`'s (runs every scope-minute: no entries array, usually for an empty map). */
function sumExcept(codes: Record<string, number>, skip: string): number {
  let t = 0;
  for (const c in codes) if (c !== skip) t += codes[c];
  return t;
}
