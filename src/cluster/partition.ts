/**
 * Which partition a scope belongs to: a stable hash of the scope name modulo the partition count.
 * Every instance, every version and every restart must agree on it (the owner of a partition is
 * the only one that evaluates its scopes), so it is FNV-1a over the UTF-8 bytes, not anything
 * that depends on the process (Map order, a seeded hash).
 */
const encoder = new TextEncoder();

/** 32-bit FNV-1a of the scope's UTF-8 bytes. */
export function scopeHash(scope: string): number {
  let h = 0x811c9dc5;
  for (const byte of encoder.encode(scope)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function partitionOf(scope: string, partitions: number): number {
  return scopeHash(scope) % partitions;
}
