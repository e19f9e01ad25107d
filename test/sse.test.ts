/**
 * The live event stream (GET /api/v1/events) against the real service: headers, `id:` lines,
 * catch-up from Last-Event-ID, heartbeat comments, and cleanup when the client goes away.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { minuteRows, post, startServer, warmupRows, type TestServer } from './helpers/server.ts';

const T0 = Date.UTC(2025, 6, 1, 10, 0);
const csv = (rows: Array<Record<string, unknown>>) => 'timestamp,status,count\n' + rows.map((r) => `${r.timestamp},${r.status},${r.count}`).join('\n') + '\n';

interface SseMessage { id?: string; event?: string; data?: string; comment?: string; retry?: string }

/** Opens the stream and parses messages as they arrive. */
async function openStream(url: string, headers: Record<string, string> = {}) {
  const ac = new AbortController();
  const res = await fetch(url, { headers, signal: ac.signal });
  const messages: SseMessage[] = [];
  const waiters: Array<() => void> = [];
  let buf = '';
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const msg: SseMessage = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) msg.comment = line.slice(1).trim();
            else {
              const c = line.indexOf(':');
              const k = line.slice(0, c) as keyof SseMessage;
              msg[k] = (msg[k] !== undefined && k === 'data' ? msg[k] + '\n' : '') + line.slice(c + 1).replace(/^ /, '');
            }
          }
          messages.push(msg);
          for (const w of waiters.splice(0)) w();
        }
      }
    } catch { /* aborted */ }
  })();
  const waitFor = async (pred: (m: SseMessage) => boolean, timeoutMs = 2000): Promise<SseMessage> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = messages.find(pred);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; got ${JSON.stringify(messages)}`);
      await new Promise<void>((resolve) => { waiters.push(resolve); setTimeout(resolve, left); });
    }
  };
  return { res, messages, waitFor, close: async () => { ac.abort(); await pump; } };
}

const until = async (cond: () => boolean, ms = 2000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('GET /api/v1/events (SSE)', () => {
  let srv: TestServer;
  const savedEnv = process.env.TXMON_SSE_HEARTBEAT_MS;
  before(async () => {
    process.env.TXMON_SSE_HEARTBEAT_MS = '100';
    srv = await startServer();
    const res = await post(srv.url, '/api/v1/transactions', csv(warmupRows(T0, 40)));
    assert.equal(res.status, 200, res.text);
  });
  after(async () => {
    await srv?.close();
    if (savedEnv === undefined) delete process.env.TXMON_SSE_HEARTBEAT_MS;
    else process.env.TXMON_SSE_HEARTBEAT_MS = savedEnv;
  });

  test('stream headers, retry hint and a hello event with the current id', async () => {
    const s = await openStream(`${srv.url}/api/v1/events`);
    try {
      assert.equal(s.res.status, 200);
      assert.match(s.res.headers.get('content-type') ?? '', /^text\/event-stream/);
      assert.match(s.res.headers.get('cache-control') ?? '', /no-cache/);
      assert.equal(s.res.headers.get('x-accel-buffering'), 'no');
      const hello = await s.waitFor((m) => m.event === 'hello');
      assert.ok(s.messages.some((m) => m.retry === '2000'), 'retry: line sent');
      assert.equal(Number(hello.id), srv.service.ctx.events.lastId);
      assert.equal(JSON.parse(hello.data!).last_event_id, Number(hello.id));
    } finally {
      await s.close();
    }
  });

  test('a completed minute arrives as an event with an id line and the assessment', async () => {
    const s = await openStream(`${srv.url}/api/v1/events`);
    try {
      const hello = await s.waitFor((m) => m.event === 'hello');
      const minute = T0 + 40 * 60_000;
      const res = await post(srv.url, '/api/v1/transactions', csv(minuteRows(minute, { approved: 110, denied: 7, failed: 0 })));
      assert.equal(res.status, 200, res.text);
      const ev = await s.waitFor((m) => m.event === 'minutes');
      assert.ok(Number(ev.id) > Number(hello.id), 'ids increase');
      const list = JSON.parse(ev.data!);
      assert.equal(list[0].scope, 'all');
      assert.equal(list[0].minute, new Date(minute).toISOString());
      assert.equal(typeof list[0].anomalyScore, 'number');
    } finally {
      await s.close();
    }
  });

  test('reconnecting with Last-Event-ID replays exactly the missed events', async () => {
    const s1 = await openStream(`${srv.url}/api/v1/events`);
    const hello = await s1.waitFor((m) => m.event === 'hello');
    await s1.close();
    // Two minutes complete while the client is away.
    for (const i of [41, 42]) {
      const res = await post(srv.url, '/api/v1/transactions', csv(minuteRows(T0 + i * 60_000, { approved: 112, denied: 6 })));
      assert.equal(res.status, 200, res.text);
    }
    const s2 = await openStream(`${srv.url}/api/v1/events`, { 'last-event-id': hello.id! });
    try {
      await s2.waitFor((m) => m.event === 'minutes' && JSON.parse(m.data!)[0].minute === new Date(T0 + 42 * 60_000).toISOString());
      const minutes = s2.messages.filter((m) => m.event === 'minutes').map((m) => JSON.parse(m.data!)[0].minute);
      assert.deepEqual(minutes, [new Date(T0 + 41 * 60_000).toISOString(), new Date(T0 + 42 * 60_000).toISOString()]);
      assert.ok(!s2.messages.some((m) => m.event === 'hello'), 'no hello on a resumed stream');
      const ids = s2.messages.filter((m) => m.id).map((m) => Number(m.id));
      assert.ok(ids.every((id) => id > Number(hello.id)), 'nothing at or before Last-Event-ID is sent again');
    } finally {
      await s2.close();
    }
  });

  test('a Last-Event-ID older than the buffer gets a reset event', async () => {
    const hub = srv.service.ctx.events;
    // Push the buffer (1000 events) past id 1.
    for (let i = 0; i < 1001; i++) hub.publish('noise', i);
    const s = await openStream(`${srv.url}/api/v1/events`, { 'last-event-id': '1' });
    try {
      await s.waitFor((m) => m.event === 'reset');
    } finally {
      await s.close();
    }
  });

  test('heartbeat comments keep the stream alive; closing the client unsubscribes', async () => {
    const hub = srv.service.ctx.events;
    await until(() => hub.clients === 0); // earlier tests' streams are gone
    const before = hub.clients;
    const s = await openStream(`${srv.url}/api/v1/events`);
    await s.waitFor((m) => m.event === 'hello');
    assert.equal(hub.clients, before + 1);
    await s.waitFor((m) => (m.comment ?? '').startsWith('heartbeat'), 1000);
    await s.close();
    await until(() => hub.clients === before);
  });

  test('the server closes promptly with a stream open', async () => {
    const other = await startServer();
    const s = await openStream(`${other.url}/api/v1/events`);
    await s.waitFor((m) => m.event === 'hello');
    const t = Date.now();
    await other.close();
    assert.ok(Date.now() - t < 2000, `close took ${Date.now() - t} ms`);
    await s.close();
  });
});
