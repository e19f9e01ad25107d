/**
 * Short-lived signed tickets for the event stream (issue #13 item 4). EventSource cannot send an
 * Authorization header, and a long-lived API token in a URL ends up in proxy and access logs.
 * Instead the dashboard trades its token (sent as a header) for a ticket valid for
 * `TICKET_TTL_MS`, signed with a key that lives only in this process, and opens
 * `/api/v1/events?ticket=…`; a reconnect after expiry fetches a new one.
 *
 * Format: `<expiry ms>.<role>.<base64url name>.<base64url HMAC-SHA256>`.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiToken } from '../config/config.ts';

export const TICKET_TTL_MS = 60_000;

export class StreamTickets {
  private readonly key = randomBytes(32);

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }

  /** A ticket carrying the role and name of `token`, valid until now + ttl. */
  issue(token: Pick<ApiToken, 'role' | 'name'>, now = Date.now(), ttlMs = TICKET_TTL_MS): { ticket: string; expiresAt: number } {
    const expiresAt = now + ttlMs;
    const payload = `${expiresAt}.${token.role}.${Buffer.from(token.name).toString('base64url')}`;
    return { ticket: `${payload}.${this.sign(payload)}`, expiresAt };
  }

  /** The role and name a valid, unexpired ticket carries, or null. */
  verify(ticket: string, now = Date.now()): Pick<ApiToken, 'role' | 'name'> | null {
    const parts = ticket.split('.');
    if (parts.length !== 4 || ticket.length > 512) return null;
    const [exp, role, name, sig] = parts;
    const want = Buffer.from(this.sign(`${exp}.${role}.${name}`));
    const got = Buffer.from(sig);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
    if (!/^\d+$/.test(exp) || Number(exp) <= now) return null;
    if (role !== 'read' && role !== 'ingest' && role !== 'admin') return null;
    return { role, name: Buffer.from(name, 'base64url').toString() };
  }
}
