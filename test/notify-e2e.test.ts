/**
 * Notifications end to end through the real server and a real local webhook receiver
 * (src/notify/channels/test-sink.ts): firing then resolved in Alertmanager v4 form, silences,
 * inhibition (and how the alerts API shows both), a receiver that is down for a while, a group
 * whose firing notification keeps failing while its resolved one is written, and a service
 * stopped mid-delivery and restarted on the same database. Planning runs on the engine's virtual
 * clock; delivery on the wall clock (real HTTP, real retries with small backoffs).
 *
 * Every test runs on each store dialect available (PostgreSQL when TXMON_TEST_PG_URL is set),
 * each on a fresh database of its own (SQLite file or PostgreSQL schema), dropped afterwards.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHttpSink, type HttpSink, type RecordedRequest } from '../src/notify/channels/test-sink.ts';
import type { VirtualClock } from '../src/domain/clock.ts';
import { get, minuteRows, normalMinute, post, startServer, storeDialects, warmupRows, type TestServer } from './helpers/server.ts';
import { SqlStore } from '../src/store/sqlStore.ts';

const T0 = Date.UTC(2025, 6, 1, 10, 0);
const min = (i: number) => T0 + i * 60_000;
const WARM = 90;
// Two problems in one minute: failed spikes (failed_high) while sales stop (sales_low).
const spike = (i: number) => minuteRows(min(i), { ...normalMinute(i), failed: 40, approved: 5 });

function alerting(url: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    external_url: 'http://txmon.test',
    receivers: [{ name: 'hook', webhook_configs: [{ url: `${url}/hook` }] }],
    route: { receiver: 'hook', group_by: ['alertname', 'scope'], group_wait: '0s', group_interval: '1m', repeat_interval: '4h' },
    delivery: { initial_backoff: '20ms', max_backoff: '100ms', max_attempts: 50 },
    ...extra,
  };
}

async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const bodyOf = (r: RecordedRequest) => r.body as { status: string; version: string; groupKey: string; alerts: Array<{ status: string; labels: Record<string, string> }>; groupLabels: Record<string, string> };
const countGroup = (r: RecordedRequest) => bodyOf(r).groupLabels.alertname === 'failed_high';

async function warm(s: TestServer): Promise<void> {
  assert.equal((await post(s.url, '/api/v1/transactions', warmupRows(T0, WARM))).status, 200);
}

interface AlertJson { id: number; fingerprint: string; rule: string; state: string; labels: Record<string, string>; status?: unknown }
const alertsOf = async (s: TestServer, query = ''): Promise<AlertJson[]> => (await get(s.url, `/api/v1/alerts${query}`)).body.alerts;
const active = { state: 'active', silencedBy: [], inhibitedBy: [], inhibitedByIds: [] };

/** Moves the delivery time of every delivered outbox row `byMs` into the past, in the server's own database. */
async function ageDeliveredRows(s: TestServer, byMs: number): Promise<number> {
  const store = s.service.ctx.store;
  if (!(store instanceof SqlStore)) throw new Error(`no raw access to a ${store.dialect} store`);
  return store.driver.run("UPDATE outbox SET delivered_at = delivered_at - :by WHERE state = 'delivered'", { by: byMs });
}

for (const d of storeDialects()) describe(`notifications end to end (webhook receiver) on ${d.name}`, { skip: d.skip }, () => {
  let sink: HttpSink;
  before(async () => { sink = await startHttpSink(); });
  after(async () => { await sink.close(); });

  /** Runs `fn` against a server on a fresh database of this dialect; drops the database after. */
  async function withServer(alertingConfig: Record<string, unknown>, fn: (s: TestServer) => Promise<void>): Promise<void> {
    const fresh = await d.fresh();
    try {
      const s = await startServer({ storeUrl: fresh.url, config: { alerting: alertingConfig } });
      try {
        await fn(s);
      } finally {
        await s.close();
      }
    } finally {
      await fresh.drop();
    }
  }

  test('one Alertmanager v4 firing notification per group, a resolved one after group_interval', async () => {
    sink.requests.length = 0;
    await withServer(alerting(sink.url), async (s) => {
      await warm(s);
      const r = await post(s.url, '/api/v1/transactions', spike(WARM));
      assert.equal(r.body.should_alert, true);
      await until(() => sink.requests.some(countGroup), 'the firing notification');
      await new Promise((res) => setTimeout(res, 100)); // nothing more should come
      const firing = sink.requests.filter(countGroup);
      assert.equal(firing.length, 1, 'exactly one notification for the failed_high group');
      const b = bodyOf(firing[0]);
      assert.equal(b.version, '4');
      assert.equal(b.status, 'firing');
      assert.equal(b.alerts.length, 1);
      assert.equal(b.alerts[0].labels.scope, 'all');
      assert.equal(b.alerts[0].labels.severity, 'critical');
      assert.match(String(firing[0].headers['idempotency-key']), /^[0-9a-f]{32}$/);
      assert.equal(firing[0].path, '/hook');
      const open = (await alertsOf(s, '?state=firing')).find((a) => a.rule === 'failed_high')!;
      assert.deepEqual(open.status, active, 'neither silenced nor inhibited');

      // Quiet minutes resolve the count alert (keep_firing_for 3).
      for (let i = WARM + 1; i <= WARM + 5; i++) await post(s.url, '/api/v1/transactions', minuteRows(min(i), normalMinute(i)));
      const count = (await alertsOf(s)).find((a) => a.rule === 'failed_high')!;
      assert.equal(count.state, 'resolved');
      assert.equal(count.status, null, 'a resolved alert has no notification status');
      await new Promise((res) => setTimeout(res, 100));
      assert.equal(sink.requests.filter(countGroup).length, 1, 'resolved waits for group_interval');
      (s.clock as VirtualClock).advance(60_000);
      await s.service.ctx.notifications!.flush();
      await until(() => sink.requests.filter(countGroup).length === 2, 'the resolved notification');
      const resolved = bodyOf(sink.requests.filter(countGroup)[1]);
      assert.equal(resolved.status, 'resolved');
      assert.equal(resolved.alerts[0].status, 'resolved');
      assert.notEqual(sink.requests.filter(countGroup)[1].headers['idempotency-key'], firing[0].headers['idempotency-key']);

      // The receiver holds the request a moment before the worker records the delivery.
      const allDelivered = async () => (await get(s.url, '/api/v1/notifications')).body.notifications.every((n: { state: string }) => n.state === 'delivered');
      await until(allDelivered, 'every outbox row recorded as delivered');
      assert.ok(await allDelivered());
      const metrics = (await get(s.url, '/metrics')).text;
      assert.match(metrics, /txmon_notifications_total\{receiver="hook\/webhook\[0\]",result="delivered"\} [1-9]/);
      assert.match(metrics, /txmon_outbox_pending 0/);
    });
  });

  test('a silenced alert is recorded but not notified, and the alerts API says which silence mutes it; silences API', async () => {
    sink.requests.length = 0;
    await withServer(alerting(sink.url), async (s) => {
      const now = (s.clock.now());
      const bad = await post(s.url, '/api/v1/silences', { matchers: [{ name: 'scope', value: 'all', isRegex: false, isEqual: true }], createdBy: 'ops', comment: 'x' });
      assert.equal(bad.status, 400);
      assert.match(bad.body.error.message, /endsAt: is required/);
      const badRe = await post(s.url, '/api/v1/silences', { matchers: [{ name: 'scope', value: '(', isRegex: true, isEqual: true }], endsAt: new Date(now + 3_600_000).toISOString(), createdBy: 'ops', comment: 'x' });
      assert.equal(badRe.status, 400);
      assert.match(badRe.body.error.message, /regex/);
      const created = await post(s.url, '/api/v1/silences', {
        matchers: [{ name: 'scope', value: 'all', isRegex: false, isEqual: true }],
        endsAt: new Date(now + 3_600_000).toISOString(), createdBy: 'ops@example.com', comment: 'maintenance',
      });
      assert.equal(created.status, 201);
      assert.equal(created.body.status.state, 'active');
      assert.equal(created.body.startsAt, new Date(now).toISOString());
      await warm(s);
      assert.equal((await post(s.url, '/api/v1/transactions', spike(WARM))).body.should_alert, true);
      const alerts = await alertsOf(s, '?state=firing');
      assert.ok(alerts.length >= 1, 'the alert is recorded');
      const silenced = { state: 'suppressed', silencedBy: [created.body.id], inhibitedBy: [], inhibitedByIds: [] };
      for (const a of alerts.filter((x) => x.labels.scope === 'all')) assert.deepEqual(a.status, silenced, `${a.rule} shows its silence`);
      const one = (await get(s.url, `/api/v1/alerts/${alerts[0].id}`)).body;
      assert.deepEqual(one.status, silenced, 'GET /api/v1/alerts/{id} too');
      assert.ok(Array.isArray(one.history));
      await new Promise((res) => setTimeout(res, 200));
      assert.equal(sink.requests.length, 0, 'nothing sent while silenced');
      assert.equal((await get(s.url, '/api/v1/notifications')).body.count, 0);

      const list = (await get(s.url, '/api/v1/silences?state=active')).body;
      assert.equal(list.count, 1);
      const del = await fetch(`${s.url}/api/v1/silences/${created.body.id}`, { method: 'DELETE' });
      assert.equal(del.status, 200);
      assert.equal((await del.json()).status.state, 'expired');
      assert.equal((await get(s.url, '/api/v1/silences?state=expired')).body.count, 1);
      assert.deepEqual((await get(s.url, `/api/v1/alerts/${alerts[0].id}`)).body.status, active, 'an expired silence mutes nothing');
      // Unsilenced: the still-firing alerts are notified at the group's next flush.
      (s.clock as VirtualClock).advance(60_000);
      await s.service.ctx.notifications!.flush();
      await until(() => sink.requests.length >= 1, 'notification after the silence expired');
    });
  });

  test('inhibition: the failed alert mutes the sales alert of the same scope, and the alerts API says by which alert', async () => {
    sink.requests.length = 0;
    const cfg = alerting(sink.url, {
      inhibit_rules: [{ source_matchers: ['alertname="failed_high"'], target_matchers: ['alertname="sales_low"'], equal: ['scope'] }],
    });
    await withServer(cfg, async (s) => {
      await warm(s);
      assert.equal((await post(s.url, '/api/v1/transactions', spike(WARM))).body.should_alert, true);
      const firing = await alertsOf(s, '?state=firing');
      assert.deepEqual(firing.map((a) => a.rule).sort(), ['failed_high', 'sales_low'], 'both alerts are recorded');
      const count = firing.find((a) => a.rule === 'failed_high')!;
      const sales = firing.find((a) => a.rule === 'sales_low')!;
      assert.deepEqual(count.status, active);
      const inhibited = { state: 'suppressed', silencedBy: [], inhibitedBy: [count.fingerprint], inhibitedByIds: [count.id] };
      assert.deepEqual(sales.status, inhibited);
      assert.deepEqual((await get(s.url, `/api/v1/alerts/${sales.id}`)).body.status, inhibited);
      await until(() => sink.requests.length >= 1, 'the count notification');
      await new Promise((res) => setTimeout(res, 150));
      assert.deepEqual(sink.requests.map((r) => bodyOf(r).groupLabels.alertname), ['failed_high']);
    });
  });

  test('receiver down (500) for a while, then back: every notification arrives exactly once', async () => {
    const down = await startHttpSink({ status: 500, body: 'down' });
    try {
      await withServer(alerting(down.url), async (s) => {
        await warm(s);
        await post(s.url, '/api/v1/transactions', spike(WARM));
        await until(() => down.requests.length >= 3, 'a few failed attempts');
        const pending = (await get(s.url, '/api/v1/notifications?state=pending')).body.notifications;
        assert.ok(pending.length >= 1);
        assert.match(pending[0].last_error, /HTTP 500/);
        const failedBefore = down.requests.length;
        down.fallback = { status: 200, body: 'ok' };
        await until(async () => (await get(s.url, '/api/v1/notifications?state=pending')).body.count === 0, 'all delivered');
        const okRequests = down.requests.slice(failedBefore);
        const keys = okRequests.map((r) => String(r.headers['idempotency-key']));
        const outbox = (await get(s.url, '/api/v1/notifications')).body.notifications;
        assert.equal(new Set(keys).size, keys.length, 'no notification delivered twice');
        assert.equal(keys.length, outbox.length, 'every notification delivered');
        assert.ok(outbox.every((n: { state: string; attempts: number }) => n.state === 'delivered' && n.attempts >= 2));
        assert.match((await get(s.url, '/metrics')).text, /txmon_notifications_total\{receiver="hook\/webhook\[0\]",result="retry"\} [1-9]/);
      });
    } finally {
      await down.close();
    }
  });

  test('a group\'s firing notification keeps failing while its resolved one is written: firing arrives first, each once; other groups flow', async () => {
    const rx = await startHttpSink({ status: 200, body: 'ok' });
    // The receiver rejects the count group's firing notification until told otherwise; it takes
    // everything else, so a resolved notification sent too early would be accepted at once.
    let rejectCountFiring = true;
    rx.decide = (r) => {
      const b = r.body as { status?: string; groupLabels?: Record<string, string> } | undefined;
      return rejectCountFiring && b?.groupLabels?.alertname === 'failed_high' && b.status === 'firing' ? { status: 503, body: 'busy' } : undefined;
    };
    try {
      await withServer(alerting(rx.url, { delivery: { initial_backoff: '20ms', max_backoff: '50ms', max_attempts: 1000 } }), async (s) => {
        await warm(s);
        assert.equal((await post(s.url, '/api/v1/transactions', spike(WARM))).body.should_alert, true);
        await until(() => rx.requests.filter((r) => countGroup(r) && r.answered === 503).length >= 3, 'a few failed attempts of the firing notification');
        assert.ok(rx.requests.some((r) => !countGroup(r) && r.answered === 200), 'the sales group is delivered meanwhile');

        // The count alert resolves; its resolved notification is written while firing still fails.
        for (let i = WARM + 1; i <= WARM + 5; i++) await post(s.url, '/api/v1/transactions', minuteRows(min(i), normalMinute(i)));
        (s.clock as VirtualClock).advance(60_000);
        await s.service.ctx.notifications!.flush();
        const countRows = async () => ((await get(s.url, '/api/v1/notifications?state=pending')).body.notifications as Array<{ status: string; alerts: Array<{ labels: Record<string, string> }> }>)
          .filter((n) => n.alerts[0]?.labels.alertname === 'failed_high').map((n) => n.status).sort();
        assert.deepEqual(await countRows(), ['firing', 'resolved'], 'both notifications of the group are pending');
        await new Promise((res) => setTimeout(res, 300));
        assert.deepEqual(rx.requests.filter((r) => countGroup(r) && bodyOf(r).status === 'resolved'), [], 'resolved is not even tried while firing is failing');

        rejectCountFiring = false;
        await until(async () => (await get(s.url, '/api/v1/notifications?state=pending')).body.count === 0, 'all delivered');
        const accepted = rx.requests.filter((r) => countGroup(r) && r.answered === 200);
        assert.deepEqual(accepted.map((r) => bodyOf(r).status), ['firing', 'resolved'], 'firing strictly before resolved, each once');
        assert.equal(new Set(accepted.map((r) => String(r.headers['idempotency-key']))).size, 2);
        assert.equal(rx.requests.filter((r) => countGroup(r) && bodyOf(r).status === 'resolved').length, 1, 'resolved sent exactly once');
      });
    } finally {
      await rx.close();
    }
  });

  test('service stopped mid-delivery and restarted on the same database: delivery resumes, arrives once, nothing re-planned', async () => {
    const rx = await startHttpSink({ status: 503, body: 'busy' });
    const fresh = await d.fresh();
    try {
      const a = await startServer({ storeUrl: fresh.url, config: { alerting: alerting(rx.url) } });
      try {
        await warm(a);
        await post(a.url, '/api/v1/transactions', spike(WARM));
        await until(() => rx.requests.length >= 2, 'failed attempts before the stop');
      } finally {
        await a.close({ keepStore: true });
      }
      const attemptsWhileDown = rx.requests.length;
      // The receiver is back, slowly; the new process must finish what the old one left.
      rx.fallback = { status: 200, body: 'ok', delayMs: 150 };
      const b = await startServer({ storeUrl: fresh.url, config: { alerting: alerting(rx.url) } });
      try {
        await until(async () => (await get(b.url, '/api/v1/notifications?state=pending')).body.count === 0, 'delivery after restart');
        // More data after the restart: the firing alerts were notified already, nothing new.
        await post(b.url, '/api/v1/transactions', spike(WARM + 1));
        await new Promise((res) => setTimeout(res, 300));
        const ok = rx.requests.slice(attemptsWhileDown);
        const keys = ok.map((r) => String(r.headers['idempotency-key']));
        const outbox = (await get(b.url, '/api/v1/notifications')).body.notifications;
        assert.equal(keys.length, outbox.length, 'each notification sent once after the restart');
        assert.equal(new Set(keys).size, keys.length);
        assert.ok(outbox.every((n: { state: string }) => n.state === 'delivered'));
        assert.equal(new Set(ok.map((r) => bodyOf(r).groupLabels.alertname)).size, ok.length, 'one notification per group, none re-planned');
      } finally {
        await b.close({ keepStore: true });
      }
      // Stop while a delivery is in flight: the drain lets it finish, so a restart sends nothing again.
      rx.fallback = { status: 200, body: 'ok', delayMs: 200 };
      const c = await startServer({ storeUrl: fresh.url, config: { alerting: alerting(rx.url) } });
      const before = rx.requests.length;
      try {
        for (let i = WARM + 2; i <= WARM + 8; i++) await post(c.url, '/api/v1/transactions', minuteRows(min(i), normalMinute(i)));
        (c.clock as VirtualClock).advance(60_000);
        await c.service.ctx.notifications!.flush();
        await until(() => rx.requests.length > before, 'a resolved notification in flight');
      } finally {
        await c.close({ keepStore: true });
      }
      const sentBeforeRestart = rx.requests.length;
      const e = await startServer({ storeUrl: fresh.url, config: { alerting: alerting(rx.url) } });
      try {
        await new Promise((res) => setTimeout(res, 300));
        assert.equal(rx.requests.length, sentBeforeRestart, 'nothing re-sent after a drained stop');
        assert.equal((await get(e.url, '/api/v1/notifications?state=pending')).body.count, 0);
      } finally {
        await e.close();
      }
    } finally {
      await rx.close();
      await fresh.drop();
    }
  });

  test('finished outbox rows older than outbox_retention are pruned by the running service; pending rows stay', async () => {
    const rx = await startHttpSink({ status: 200, body: 'ok' });
    try {
      await withServer(alerting(rx.url, { outbox_retention: '4h30m' }), async (s) => {
        await warm(s);
        await post(s.url, '/api/v1/transactions', spike(WARM));
        await until(async () => (await get(s.url, '/api/v1/notifications?state=delivered')).body.count >= 1, 'delivered notifications');
        const delivered = (await get(s.url, '/api/v1/notifications')).body.count as number;
        const n = s.service.ctx.notifications!;
        // Not old enough yet: the service's prune leaves them.
        assert.equal(await n.worker.prune(), 0);
        // A receiver that is down now: the next notification stays pending.
        rx.fallback = { status: 503, body: 'down' };
        for (let i = WARM + 1; i <= WARM + 5; i++) await post(s.url, '/api/v1/transactions', minuteRows(min(i), normalMinute(i)));
        (s.clock as VirtualClock).advance(60_000);
        await n.flush();
        await until(() => rx.requests.some((r) => r.answered === 503), 'a failing attempt');
        // Make the delivered rows finish 5 h ago, past the 4h30m retention.
        const shifted = await ageDeliveredRows(s, 5 * 3_600_000);
        assert.equal(shifted, delivered);
        assert.equal(await n.worker.prune(), delivered);
        const left = (await get(s.url, '/api/v1/notifications')).body.notifications as Array<{ state: string }>;
        assert.ok(left.length >= 1 && left.every((r) => r.state === 'pending'), 'only the pending rows remain');
      });
    } finally {
      await rx.close();
    }
  });
});

test("notification links use server.public_url when the alerting section sets no external_url", async () => {
  const { external_url: _, ...noExternalUrl } = alerting('http://127.0.0.1:9');
  const s = await startServer({ config: { server: { public_url: 'https://txmon.example/' }, alerting: noExternalUrl } });
  try {
    assert.equal(s.service.ctx.notifications!.config.externalUrl, 'https://txmon.example');
  } finally {
    await s.close();
  }
});
