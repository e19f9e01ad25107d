/**
 * GET /api/v1/events — the live Server-Sent-Events stream the dashboard keeps open (one per page).
 *
 * Every EventHub event goes out as `id:` + `event:` + `data:` lines. A reconnecting browser sends
 * `Last-Event-ID` on its own and gets what it missed from the hub's buffer; when the buffer no
 * longer reaches back that far a `reset` event tells the page to reload its data instead. Comment
 * lines keep idle proxies from closing the connection; everything is released when the client
 * goes away.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import type { HubEvent } from '../events.ts';
import { StreamTickets, TICKET_TTL_MS } from '../streamTicket.ts';
import { TxmonError } from '../../domain/errors.ts';

/** Milliseconds between heartbeat comments (TXMON_SSE_HEARTBEAT_MS overrides, for tests). */
export const HEARTBEAT_MS = 15_000;
/** Reconnect delay the browser is told to use. */
export const RETRY_MS = 2_000;

/** Formats one SSE message. Data is JSON on one line, so it never contains a bare newline. */
export function sseMessage(e: HubEvent): string {
  return `id: ${e.id}\nevent: ${e.type}\ndata: ${e.json ?? JSON.stringify(e.data)}\n\n`;
}

/** Reads the client's position: the Last-Event-ID header, or `?last_event_id=` for a first connect. */
export function lastEventId(req: FastifyRequest): number | null {
  const header = req.headers['last-event-id'];
  const raw = (Array.isArray(header) ? header[0] : header) ?? (req.query as Record<string, unknown>)?.last_event_id;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw.trim())) return null;
  return Number(raw.trim());
}

export async function routes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  // Closing the server waits for open connections: the streams are ended first (clients reconnect).
  const open = new Set<ServerResponse>();
  const heartbeatMs = Number(process.env.TXMON_SSE_HEARTBEAT_MS) > 0 ? Number(process.env.TXMON_SSE_HEARTBEAT_MS) : HEARTBEAT_MS;

  const tickets = new StreamTickets();

  app.post('/api/v1/events/ticket', {
    schema: { tags: ['live'], summary: `A stream ticket (valid ${TICKET_TTL_MS / 1000} s) for /api/v1/events?ticket=…: EventSource cannot send the Authorization header` },
  }, async (req) => {
    const token = ctx.access.check(req, 'read');
    const { ticket, expiresAt } = tickets.issue(token ?? { role: 'admin', name: 'open' });
    return { ticket, expires_at: new Date(expiresAt).toISOString(), ttl_seconds: TICKET_TTL_MS / 1000 };
  });

  app.get('/api/v1/events', {
    schema: {
      tags: ['live'],
      summary: 'Live events (Server-Sent Events): minutes evaluated, alerts changed. Honours Last-Event-ID. Authorization header, or ?ticket= from POST /api/v1/events/ticket.',
      querystring: { type: 'object', properties: { last_event_id: { type: 'string' }, ticket: { type: 'string' }, access_token: { type: 'string', description: 'deprecated: a long-lived token in a URL; use ticket' } } },
    },
  }, async (req: FastifyRequest, reply: FastifyReply) => {
    // EventSource cannot send headers: a short-lived ticket in the query stands in for the token.
    const q = req.query as Record<string, unknown>;
    if (!req.headers.authorization && typeof q.ticket === 'string' && q.ticket) {
      if (!ctx.access.open && tickets.verify(q.ticket) === null) {
        throw new TxmonError('TXMON_ERR_UNAUTHORIZED', 'stream ticket is invalid or expired: get a new one from POST /api/v1/events/ticket');
      }
    } else {
      // Deprecated: the token itself as a query parameter (kept for old clients; never logged).
      if (!req.headers.authorization && typeof q.access_token === 'string' && q.access_token) req.headers.authorization = `Bearer ${q.access_token}`;
      ctx.access.check(req, 'read');
    }

    const res = reply.raw;
    reply.hijack();
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no', // nginx: do not buffer the stream
    });
    res.write(`retry: ${RETRY_MS}\n: txmon live events\n\n`);

    const last = lastEventId(req);
    // Subscribe before replaying so nothing published in between is lost; dedupe by id.
    let sentUpTo = last ?? 0;
    const queue: HubEvent[] = [];
    let replaying = true;
    const send = (e: HubEvent) => {
      if (e.id <= sentUpTo) return;
      sentUpTo = e.id;
      res.write(sseMessage(e));
    };
    const unsubscribe = ctx.events.subscribe((e) => (replaying ? queue.push(e) : send(e)));
    if (last !== null) {
      const missed = ctx.events.since(last);
      // The buffer starts after the client's position (or holds nothing after it while later
      // events were published): events were dropped, the page must reload.
      const first = missed.length > 0 ? missed[0].id : ctx.events.lastId + 1;
      if (first > last + 1) {
        res.write(`event: reset\ndata: {"reason":"events since ${last} are no longer buffered"}\n\n`);
      }
      for (const e of missed) send(e);
    } else {
      // First connect: tell the client where the stream stands, so a reconnect can catch up.
      const top = ctx.events.lastId;
      sentUpTo = top;
      res.write(`id: ${top}\nevent: hello\ndata: ${JSON.stringify({ last_event_id: top })}\n\n`);
    }
    replaying = false;
    for (const e of queue.splice(0)) send(e);

    const heartbeat = setInterval(() => res.write(`: heartbeat ${new Date().toISOString()}\n\n`), heartbeatMs);
    heartbeat.unref();
    let closed = false;
    const cleanup = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unsubscribe();
    };
    req.raw.on('close', cleanup);
    res.on('close', cleanup);
    res.on('error', cleanup);
    open.add(res);
    res.on('close', () => open.delete(res));
  });

  app.addHook('preClose', async () => {
    for (const res of open) res.end();
    open.clear();
  });
}
