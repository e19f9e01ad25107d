/**
 * Secrets and exposure (issue #13 items 4, 6 and 8's "check the token before reading a body"):
 * no API token or stream ticket reaches the log, the dashboard's stream uses short-lived signed
 * tickets, an open API refuses to listen beyond loopback unless --allow-open says so, and an
 * unauthorised client is turned away before its body is read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { resolveConfig } from '../src/config/config.ts';
import { createService } from '../src/service.ts';
import { VirtualClock } from '../src/domain/clock.ts';
import { StreamTickets } from '../src/api/streamTicket.ts';
import { redactUrl } from '../src/api/redact.ts';
import { freshSqlite, post } from './helpers/server.ts';

const ADMIN = 'admin-token-0123456789abcdef';
const READ = 'read-token-0123456789abcdef';

async function serviceWithLog(config: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  const fresh = freshSqlite();
  const lines: string[] = [];
  const stream = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
  const cfg = resolveConfig({ ...config, server: { port: 0, ...((config.server as object) ?? {}) }, store: { url: fresh.url } }, env);
  const service = await createService({ config: cfg, clock: new VirtualClock(Date.UTC(2025, 0, 1)), logger: { level: 'info', stream } });
  return { service, lines, async close() { await service.close(); await fresh.drop(); } };
}

/** Opens an SSE stream, reads its first bytes, closes it; returns the status. */
async function openStream(url: string): Promise<number> {
  const ac = new AbortController();
  const res = await fetch(url, { signal: ac.signal });
  if (res.status === 200) {
    const reader = res.body!.getReader();
    await reader.read();
    ac.abort();
  } else await res.text();
  return res.status;
}

test('no API token or stream ticket appears in the log; the stream takes a short-lived ticket', async (t) => {
  const s = await serviceWithLog({ server: { host: '127.0.0.1', access_log: 1 } }, { TXMON_API_TOKENS: `${ADMIN}:admin,${READ}:read` });
  t.after(() => s.close());
  const base = await s.service.listen();
  // Header tokens, a failing token, the deprecated ?access_token=, a ticket.
  assert.equal((await fetch(`${base}/api/v1/alerts`, { headers: { authorization: `Bearer ${READ}` } })).status, 200);
  assert.equal((await fetch(`${base}/api/v1/alerts`, { headers: { authorization: `Bearer ${READ}x` } })).status, 401);
  assert.equal(await openStream(`${base}/api/v1/events?access_token=${READ}`), 200);
  const ticketRes = await fetch(`${base}/api/v1/events/ticket`, { method: 'POST', headers: { authorization: `Bearer ${READ}` } });
  assert.equal(ticketRes.status, 200);
  const { ticket, ttl_seconds } = await ticketRes.json() as { ticket: string; ttl_seconds: number };
  assert.equal(ttl_seconds, 60);
  assert.equal(await openStream(`${base}/api/v1/events?ticket=${encodeURIComponent(ticket)}&last_event_id=0`), 200);
  assert.equal(await openStream(`${base}/api/v1/events?ticket=${encodeURIComponent(ticket.slice(0, -2))}xx`), 401, 'forged ticket');
  assert.equal((await fetch(`${base}/api/v1/events/ticket`, { method: 'POST' })).status, 401, 'a ticket needs a token');
  assert.equal((await post(base, '/api/v1/transactions', { timestamp: '2025-01-01T00:00:00Z', status: 'approved', count: 1 }, { token: ADMIN })).status, 200);
  await new Promise((r) => setTimeout(r, 50));
  const log = s.lines.join('');
  assert.ok(log.includes('/api/v1/events?access_token=[redacted]'), 'the request is logged, its token redacted');
  assert.ok(log.includes('ticket=[redacted]'));
  for (const secret of [ADMIN, READ, ticket, ticket.split('.')[3]]) assert.ok(!log.includes(secret), `log holds a secret: ${secret.slice(0, 12)}…`);
});

test('stream tickets: signed, expiring, carrying the role', () => {
  const tickets = new StreamTickets();
  const { ticket, expiresAt } = tickets.issue({ role: 'read', name: 'dash' }, 1000, 60_000);
  assert.equal(expiresAt, 61_000);
  assert.deepEqual(tickets.verify(ticket, 60_999), { role: 'read', name: 'dash' });
  assert.equal(tickets.verify(ticket, 61_000), null, 'expired');
  assert.equal(new StreamTickets().verify(ticket, 2000), null, 'another process (key) does not accept it');
  const [exp, , name, sig] = ticket.split('.');
  assert.equal(tickets.verify(`${exp}.admin.${name}.${sig}`, 2000), null, 'role cannot be changed');
  assert.equal(tickets.verify(`99999999999999.read.${name}.${sig}`, 2000), null, 'expiry cannot be changed');
  assert.equal(redactUrl('/a?x=1&access_token=s3cret&ticket=t&b=2'), '/a?x=1&access_token=[redacted]&ticket=[redacted]&b=2');
  assert.equal(redactUrl('/a?token'), '/a?token');
});

test('serve without tokens refuses a non-loopback address unless allow_open; the log says what is true', async (t) => {
  const refused = await serviceWithLog({ server: { host: '0.0.0.0' } });
  await assert.rejects(refused.service.listen(), (e: Error & { code?: string }) => e.code === 'TXMON_ERR_CONFIG' && /refusing to listen on 0\.0\.0\.0 without API tokens.*--allow-open/.test(e.message));
  await refused.close();

  const open = await serviceWithLog({ server: { host: '0.0.0.0', allow_open: true } });
  t.after(() => open.close());
  await open.service.listen();
  const log = open.lines.join('');
  assert.match(log, /the API is OPEN to every client that can reach 0\.0\.0\.0/);
  assert.doesNotMatch(log, /127\.0\.0\.1 only/);

  const local = await serviceWithLog({});
  t.after(() => local.close());
  await local.service.listen();
  assert.match(local.lines.join(''), /listens on 127\.0\.0\.1 \(loopback\) only/);
});

test('an unauthorised client is answered 401 before its body is read', async (t) => {
  const s = await serviceWithLog({ server: { host: '127.0.0.1', access_log: 1 } }, { TXMON_API_TOKENS: `${ADMIN}:admin` });
  t.after(() => s.close());
  const base = new URL(await s.service.listen());
  for (const path of ['/api/v1/transactions', '/api/v1/silences', '/api/v1/checkout']) {
    // Announce 5 MB, send 10 bytes: a server that reads the body first would wait for the rest.
    const answer = await new Promise<string>((resolve, reject) => {
      const sock = connect(Number(base.port), base.hostname);
      let data = '';
      const timer = setTimeout(() => { sock.destroy(); resolve(data || 'no answer within 2 s'); }, 2000);
      sock.on('data', (d) => { data += d; if (data.includes('\r\n\r\n')) { clearTimeout(timer); sock.destroy(); resolve(data); } });
      sock.on('error', reject);
      sock.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: ${path.endsWith('silences') ? 'application/json' : 'text/csv'}\r\nContent-Length: 5000000\r\n\r\n0123456789`);
    });
    assert.match(answer, /^HTTP\/1\.1 401 /, `${path}: ${answer.slice(0, 80)}`);
  }
});
