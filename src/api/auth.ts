/**
 * Bearer-token access. With no token configured the service is open (and listens on 127.0.0.1
 * only). With tokens: read endpoints accept any valid token, ingest endpoints need an ingest or
 * admin token, admin endpoints an admin token. Tokens are compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { TxmonError } from '../domain/errors.ts';
import type { ApiToken } from '../config/config.ts';

export type Access = 'read' | 'ingest' | 'admin';
const RANK: Record<Access, number> = { read: 0, ingest: 1, admin: 2 };

// Hash both sides first so the comparison is constant-time whatever the lengths.
const digest = (s: string) => createHash('sha256').update(s).digest();

export class AccessControl {
  private readonly tokens: Array<{ digest: Buffer; token: ApiToken }>;

  constructor(tokens: ApiToken[]) {
    this.tokens = tokens.map((t) => ({ digest: digest(t.token), token: t }));
  }

  get open(): boolean {
    return this.tokens.length === 0;
  }

  /** Throws 401/403 unless the request may use an endpoint of the given access level. */
  check(req: FastifyRequest, needed: Access): ApiToken | null {
    if (this.open) return null;
    const header = req.headers.authorization;
    if (!header) throw new TxmonError('TXMON_ERR_UNAUTHORIZED', 'missing Authorization header: expected "Authorization: Bearer <token>"');
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) throw new TxmonError('TXMON_ERR_UNAUTHORIZED', 'malformed Authorization header: expected "Bearer <token>"');
    const d = digest(m[1]);
    let found: ApiToken | null = null;
    for (const t of this.tokens) if (timingSafeEqual(t.digest, d)) found = t.token;
    if (!found) throw new TxmonError('TXMON_ERR_UNAUTHORIZED', 'invalid API token');
    if (RANK[found.role] < RANK[needed]) {
      throw new TxmonError('TXMON_ERR_FORBIDDEN', `token "${found.name}" has role ${found.role}; this endpoint needs ${needed}`);
    }
    return found;
  }
}
