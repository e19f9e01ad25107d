/**
 * Restart with the same store: baselines, the last evaluated minute, pending minutes and open
 * alerts survive; nothing is alerted twice; new minutes carry on where the old process stopped.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { get, minuteRows, normalMinute, post, startServer, storeDialects, warmupRows } from './helpers/server.ts';

const T0 = Date.UTC(2025, 6, 1, 10, 0);
const min = (i: number) => T0 + i * 60_000;
const iso = (i: number) => new Date(min(i)).toISOString();
const WARM = 90;

const sortSeries = (s: unknown[]) =>
  [...(s as Array<{ metric: string; status: string }>)].sort((x, y) => `${x.metric}:${x.status}`.localeCompare(`${y.metric}:${y.status}`));

type AlertView = { id: number; state: string; labels: { status: string }; rule: string };

for (const dialect of storeDialects()) {
  describe(`restart on the same store (${dialect.name})`, { skip: dialect.skip }, () => {
    test('baselines, last evaluated minute, pending minute and open alerts survive; nothing alerts twice', async () => {
      const fresh = await dialect.fresh();
      try {
        // ---- first process
        const a = await startServer({ storeUrl: fresh.url });
        let baselineBefore: { series: unknown[] };
        let alertsBefore: AlertView[];
        let statsBefore;
        try {
          assert.equal((await post(a.url, '/api/v1/transactions', warmupRows(T0, WARM))).status, 200);
          const spike = await post(a.url, '/api/v1/transactions', minuteRows(min(WARM), { ...normalMinute(WARM), failed: 40 }));
          assert.equal(spike.body.should_alert, true);
          // A partial minute, still pending when the process stops.
          const partial = await post(a.url, '/api/v1/transactions', { timestamp: iso(WARM + 1), status: 'approved', count: 77 });
          assert.equal(partial.body.completed, false);
          baselineBefore = (await get(a.url, '/api/v1/baseline')).body;
          alertsBefore = (await get(a.url, '/api/v1/alerts')).body.alerts;
          statsBefore = await a.service.ctx.store.stats();
          assert.ok(alertsBefore.some((x) => x.labels.status === 'failed' && x.state === 'firing'));
        } finally {
          await a.close({ keepStore: true });
        }

        // ---- second process, same store
        const b = await startServer({ storeUrl: fresh.url });
        try {
          const baseline = (await get(b.url, '/api/v1/baseline')).body;
          assert.equal(baseline.last_evaluated.all, iso(WARM), 'last evaluated minute kept');
          assert.deepEqual(sortSeries(baseline.series), sortSeries(baselineBefore!.series), 'baselines rebuilt exactly');
          const approved = baseline.series.find((s: { metric: string; status: string }) => s.metric === 'count' && s.status === 'approved');
          assert.ok(approved.history > 0 && approved.ready, 'baseline history survives');
          assert.deepEqual(await b.service.ctx.store.stats(), statsBefore);
          assert.deepEqual((await get(b.url, '/api/v1/alerts')).body.alerts, alertsBefore);

          // The spike re-sent by a retrying client is late: stored as it was, not judged again.
          const again = await post(b.url, '/api/v1/transactions', minuteRows(min(WARM), { ...normalMinute(WARM), failed: 40 }));
          assert.equal(again.status, 200);
          assert.equal(again.body.should_alert, false);
          assert.deepEqual(again.body.late_minutes, [{ scope: 'all', minute: iso(WARM) }]);
          assert.equal((await b.service.ctx.store.stats()).alerts, statsBefore!.alerts, 'no alert raised twice');

          // The rest of the pending minute, then a complete one: the pending minute closes with
          // the counts sent before the restart.
          const rest = { ...normalMinute(WARM + 1) } as Record<string, number>;
          delete rest.approved;
          assert.equal((await post(b.url, '/api/v1/transactions', minuteRows(min(WARM + 1), rest))).status, 200);
          const next = await post(b.url, '/api/v1/transactions', minuteRows(min(WARM + 2), normalMinute(WARM + 2)));
          assert.deepEqual(next.body.completed_minutes, [`all ${iso(WARM + 1)}`, `all ${iso(WARM + 2)}`]);
          assert.equal(next.body.minutes[0].metrics.counts.approved, 77);
          assert.equal(next.body.minutes[0].metrics.counts.denied, normalMinute(WARM + 1).denied);

          // Quiet minutes resolve the alerts opened before the restart (same ids, no new ones).
          for (let i = WARM + 3; i <= WARM + 15; i++) {
            const r = await post(b.url, '/api/v1/transactions', minuteRows(min(i), normalMinute(i)));
            assert.equal(r.body.completed, true);
          }
          const after = (await get(b.url, '/api/v1/alerts')).body.alerts as AlertView[];
          const failedBefore = alertsBefore!.filter((x) => x.labels.status === 'failed').map((x) => x.id).sort();
          const failedAfter = after.filter((x) => x.labels.status === 'failed');
          assert.deepEqual(failedAfter.map((x) => x.id).sort(), failedBefore, 'the same failed alerts, none new');
          for (const f of failedAfter) {
            assert.equal(f.state, 'resolved');
            const one = (await get(b.url, `/api/v1/alerts/${f.id}`)).body;
            assert.deepEqual(one.history.map((h: { from: string | null; to: string }) => [h.from, h.to]), [[null, 'firing'], ['firing', 'resolved']]);
          }
          assert.equal((await get(b.url, '/health')).body.minutes_evaluated, 15, 'new minutes evaluate after the restart');
        } finally {
          await b.close({ keepStore: true });
        }
      } finally {
        await fresh.drop();
      }
    });
  });
}
