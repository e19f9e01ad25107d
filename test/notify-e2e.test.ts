/**
 * Notifications end to end through the real server and a real local webhook receiver
 * (src/notify/channels/test-sink.ts): firing then resolved in Alertmanager v4 form, silences,
 * inhibition, a receiver that is down for a while, and a service stopped mid-delivery and
 * restarted on the same SQLite file. Planning runs on the engine's virtual clock; delivery on
 * the wall clock (real HTTP, real retries with small backoffs).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHttpSink, type HttpSink, type RecordedRequest } from '../src/notify/channels/test-sink.ts';
import type { VirtualClock } from '../src/engine/clock.ts';
import { freshSqlite, get, minuteRows, normalMinute, post, startServer, warmupRows, type TestServer } from './helpers/server.ts';

const T0 = Date.UTC(2025, 6, 1, 10, 0);
const min = (i: number) => T0 + i * 60_000;
const WARM = 90;
const spike = (i: number) => minuteRows(min(i), { ...normalMinute(i), failed: 40 });

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
const countGroup = (r: RecordedRequest) => bodyOf(r).groupLabels.alertname === 'failed_count_high';

async function warm(s: TestServer): Promise<void> {
  assert.equal((await post(s.url, '/api/v1/transactions', warmupRows(T0, WARM))).status, 200);
}

describe('notifications end to end (webhook receiver)', () => {
  let sink: HttpSink;
  before(async () => { sink = await startHttpSink(); });
  after(async () => { await sink.close(); });

  test('one Alertmanager v4 firing notification per group, a resolved one after group_interval', async () => {
    sink.requests.length = 0;
    const s = await startServer({ config: { alerting: alerting(sink.url) } });
    try {
      await warm(s);
      const r = await post(s.url, '/api/v1/transactions', spike(WARM));
      assert.equal(r.body.should_alert, true);
      await until(() => sink.requests.some(countGroup), 'the firing notification');
      await new Promise((res) => setTimeout(res, 100)); // nothing more should come
      const firing = sink.requests.filter(countGroup);
      assert.equal(firing.length, 1, 'exactly one notification for the failed_count_high group');
      const b = bodyOf(firing[0]);
      assert.equal(b.version, '4');
      assert.equal(b.status, 'firing');
      assert.equal(b.alerts.length, 1);
      assert.equal(b.alerts[0].labels.scope, 'all');
      assert.equal(b.alerts[0].labels.severity, 'critical');
      assert.match(String(firing[0].headers['idempotency-key']), /^[0-9a-f]{32}$/);
      assert.equal(firing[0].path, '/hook');

      // Quiet minutes resolve the count alert (keep_firing_for 3).
      for (let i = WARM + 1; i <= WARM + 5; i++) await post(s.url, '/api/v1/transactions', minuteRows(min(i), normalMinute(i)));
      const alerts = (await get(s.url, '/api/v1/alerts')).body.alerts as Array<{ rule: string; state: string }>;
      assert.equal(alerts.find((a) => a.rule === 'failed_count_high')?.state, 'resolved');
      await new Promise((res) => setTimeout(res, 100));
      assert.equal(sink.requests.filter(countGroup).length, 1, 'resolved waits for group_interval');
      (s.clock as VirtualClock).advance(60_000);
      await s.service.ctx.notifications!.flush();
      await until(() => sink.requests.filter(countGroup).length === 2, 'the resolved notification');
      const resolved = bodyOf(sink.requests.filter(countGroup)[1]);
      assert.equal(resolved.status, 'resolved');
      assert.equal(resolved.alerts[0].status, 'resolved');
      assert.notEqual(sink.requests.filter(countGroup)[1].headers['idempotency-key'], firing[0].headers['idempotency-key']);

      const outbox = (await get(s.url, '/api/v1/notifications')).body;
      assert.ok(outbox.notifications.every((n: { state: string }) => n.state === 'delivered'));
      const metrics = (await get(s.url, '/metrics')).text;
      assert.match(metrics, /txmon_notifications_total\{receiver="hook\/webhook\[0\]",result="delivered"\} [1-9]/);
      assert.match(metrics, /txmon_outbox_pending 0/);
    } finally {
      await s.close();
    }
  });

  test('a silenced alert is recorded but not notified; silences API', async () => {
    sink.requests.length = 0;
    const s = await startServer({ config: { alerting: alerting(sink.url) } });
    try {
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
      const alerts = (await get(s.url, '/api/v1/alerts?state=firing')).body.alerts;
      assert.ok(alerts.length >= 1, 'the alert is recorded');
      await new Promise((res) => setTimeout(res, 200));
      assert.equal(sink.requests.length, 0, 'nothing sent while silenced');
      assert.equal((await get(s.url, '/api/v1/notifications')).body.count, 0);

      const list = (await get(s.url, '/api/v1/silences?state=active')).body;
      assert.equal(list.count, 1);
      const del = await fetch(`${s.url}/api/v1/silences/${created.body.id}`, { method: 'DELETE' });
      assert.equal(del.status, 200);
      assert.equal((await del.json()).status.state, 'expired');
      assert.equal((await get(s.url, '/api/v1/silences?state=expired')).body.count, 1);
      // Unsilenced: the still-firing alerts are notified at the group's next flush.
      (s.clock as VirtualClock).advance(60_000);
      await s.service.ctx.notifications!.flush();
      await until(() => sink.requests.length >= 1, 'notification after the silence expired');
    } finally {
      await s.close();
    }
  });

  test('inhibition: the count alert mutes the share alert of the same scope', async () => {
    sink.requests.length = 0;
    const s = await startServer({
      config: {
        alerting: alerting(sink.url, {
          inhibit_rules: [{ source_matchers: ['metric="count"', 'status="failed"'], target_matchers: ['metric="share"'], equal: ['scope'] }],
        }),
      },
    });
    try {
      await warm(s);
      assert.equal((await post(s.url, '/api/v1/transactions', spike(WARM))).body.should_alert, true);
      const rules = ((await get(s.url, '/api/v1/alerts?state=firing')).body.alerts as Array<{ rule: string }>).map((a) => a.rule).sort();
      assert.deepEqual(rules, ['failed_count_high', 'failed_share_high'], 'both alerts are recorded');
      await until(() => sink.requests.length >= 1, 'the count notification');
      await new Promise((res) => setTimeout(res, 150));
      assert.deepEqual(sink.requests.map((r) => bodyOf(r).groupLabels.alertname), ['failed_count_high']);
    } finally {
      await s.close();
    }
  });

  test('receiver down (500) for a while, then back: every notification arrives exactly once', async () => {
    const down = await startHttpSink({ status: 500, body: 'down' });
    try {
      const s = await startServer({ config: { alerting: alerting(down.url) } });
      try {
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
      } finally {
        await s.close();
      }
    } finally {
      await down.close();
    }
  });

  test('service stopped mid-delivery and restarted on the same file: delivery resumes, arrives once, nothing re-planned', async () => {
    const rx = await startHttpSink({ status: 503, body: 'busy' });
    const fresh = freshSqlite();
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
      const d = await startServer({ storeUrl: fresh.url, config: { alerting: alerting(rx.url) } });
      try {
        await new Promise((res) => setTimeout(res, 300));
        assert.equal(rx.requests.length, sentBeforeRestart, 'nothing re-sent after a drained stop');
        assert.equal((await get(d.url, '/api/v1/notifications?state=pending')).body.count, 0);
      } finally {
        await d.close();
      }
    } finally {
      await rx.close();
      await fresh.drop();
    }
  });
});
