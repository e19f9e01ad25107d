/**
 * Test helpers for channels: a real local HTTP receiver that records requests and can be told
 * how to answer, a real local SMTP server that records mails, and sample notifications. Used by
 * the channel tests and the end-to-end notification tests; not imported by production code.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { buildNotification, type Notification, type NotifiedAlert } from '../types.ts';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Raw body text. */
  text: string;
  /** Parsed JSON body (undefined when not JSON). */
  body: unknown;
  /** The status the sink answered with. */
  answered: number;
}

export interface SinkReply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  /** Wait this long before answering (to test timeouts). */
  delayMs?: number;
}

export interface HttpSink {
  url: string;
  requests: RecordedRequest[];
  /** Replies used in order for the next requests; when empty, `fallback` answers. */
  replies: SinkReply[];
  fallback: SinkReply;
  /** Asked first for each request: a reply chosen by its content, or undefined to go on as above. */
  decide?: (r: Omit<RecordedRequest, 'answered'>) => SinkReply | undefined;
  close(): Promise<void>;
}

/** Starts an HTTP server on an ephemeral port of 127.0.0.1. */
export async function startHttpSink(fallback: SinkReply = { status: 200, body: 'ok' }): Promise<HttpSink> {
  const sink: Omit<HttpSink, 'url' | 'close'> = { requests: [], replies: [], fallback };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      const recorded = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, text, body };
      const reply = sink.decide?.(recorded) ?? sink.replies.shift() ?? sink.fallback;
      sink.requests.push({ ...recorded, answered: reply.status });
      const answer = () => {
        if (res.destroyed) return;
        res.writeHead(reply.status, { 'content-type': 'text/plain', ...(reply.headers ?? {}) });
        res.end(reply.body ?? '');
      };
      if (reply.delayMs) setTimeout(answer, reply.delayMs).unref();
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(sink, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

export interface ReceivedMail {
  /** Envelope sender and recipients. */
  from: string;
  to: string[];
  /** The message as received (headers and MIME body). */
  raw: string;
}

export interface SmtpSink {
  port: number;
  mails: ReceivedMail[];
  close(): Promise<void>;
}

/**
 * Starts an SMTP server (smtp-server, no auth, no STARTTLS) on an ephemeral port of 127.0.0.1.
 * `rcptCode` makes it reject every recipient with that reply code (4xx: try later, 5xx: gone).
 */
export async function startSmtpSink(opts: { rcptCode?: number } = {}): Promise<SmtpSink> {
  const mails: ReceivedMail[] = [];
  const { rcptCode } = opts;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(_address, _session, cb) {
      if (rcptCode) return cb(Object.assign(new Error(rcptCode >= 500 ? 'mailbox unavailable' : 'try again later'), { responseCode: rcptCode }));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A sample alert (fixed times, so payloads are deterministic). */
export function sampleAlert(over: Partial<NotifiedAlert> = {}): NotifiedAlert {
  return {
    status: 'firing',
    fingerprint: 'a1b2c3d4e5f60718',
    labels: { alertname: 'failed_high', scope: 'all', severity: 'critical', status: 'failed' },
    annotations: {
      summary: 'failed transactions 42/min, expected 3.1',
      description: 'Failed count 42 is far above the expected 3.1 for 14:05 on a Tuesday (Poisson p < 1e-9).',
      observed: '42',
      expected: '3.1',
      score: '97',
    },
    startsAt: '2025-07-15T14:05:00.000Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://txmon.example:8080/alerts/17',
    severity: 'critical',
    ...over,
  };
}

/** A sample notification with the given alerts (default: one critical firing alert). */
export function sampleNotification(alerts: NotifiedAlert[] = [sampleAlert()], over: Partial<Notification> = {}): Notification {
  const n = buildNotification({
    receiver: 'oncall',
    groupKey: '{}/{severity="critical"}:{alertname="failed_high", scope="all"}',
    groupLabels: { alertname: 'failed_high', scope: 'all' },
    alerts,
    externalUrl: 'http://txmon.example:8080',
  });
  return { ...n, ...over };
}
