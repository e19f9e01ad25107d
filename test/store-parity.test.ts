/**
 * Store parity: every dialect available here (SQLite always; PostgreSQL when TXMON_TEST_PG_URL
 * is set, each store in a schema of its own, dropped at the end) must
 *   1. pass the same behavioural Store suite (atomic writes, replace semantics, raw dedup,
 *      evaluations with alerts and history, filters, scopes, stats), returning identical
 *      objects for an identical script of calls, and
 *   2. return the same rows for every named query on the same fixture data.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type {
  Alert, AlertChange, AlertState, Assessment, AuthCodeCount, MinuteBatch, MinuteCount, OutboxEntry, RawTransaction, Severity,
} from '../src/domain/types.ts';
import type { Store } from '../src/store/store.ts';
import { testDialects, type TestStore } from '../src/store/postgres/testing.ts';
import { listNamedQueries, runNamedQuery, type QueryInput } from '../src/store/namedQueries.ts';
import { parseCheckoutCsv } from '../src/checkout/parse.ts';
import type { CheckoutRow } from '../src/domain/checkout.ts';
import { seededRandom } from '../src/domain/prng.ts';
import { loadMigrations } from '../src/store/migrations.ts';

const DIALECTS = testDialects();
if (!process.env.TXMON_TEST_PG_URL) {
  test('PostgreSQL parity', (t) => t.skip('TXMON_TEST_PG_URL not set: only SQLite runs'));
}

// ---------------------------------------------------------------------------------------------
// Fixture data: deterministic (seeded PRNG), two days, two count scopes plus raw transactions,
// injected failed spikes and denied anomalies, a gap, an unknown status, assessments, alerts,
// checkout files.

/** Epoch minute of 2025-07-12T00:00:00Z. */
const BASE = Date.UTC(2025, 6, 12) / 60_000;
const DAYS = 2;
const iso = (minute: number) => new Date(minute * 60_000).toISOString();

/** Poisson draw (Knuth for small means, normal approximation for large). */
function poisson(rand: () => number, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 40) return Math.max(0, Math.round(mean + Math.sqrt(mean) * (rand() + rand() + rand() - 1.5) * 2));
  const l = Math.exp(-mean);
  let k = 0;
  let p = 1;
  do { k++; p *= rand(); } while (p > l);
  return k - 1;
}

function fixtureBatch(): MinuteBatch {
  const rand = seededRandom(42);
  const counts: MinuteCount[] = [];
  const authCodes: AuthCodeCount[] = [];
  for (const scope of ['all', 'pos-7']) {
    const scale = scope === 'all' ? 1 : 0.2;
    for (let i = 0; i < DAYS * 1440; i++) {
      if (scope === 'all' && i >= 1500 && i < 1510) continue; // a gap: RANGE frames must not stretch over it
      const minute = BASE + i;
      const daily = 0.5 + 0.5 * Math.sin(((i % 1440) / 1440) * 2 * Math.PI - Math.PI / 2);
      const volume = scale * (20 + 120 * daily);
      const c: Record<string, number> = {
        approved: poisson(rand, volume * 0.85),
        denied: poisson(rand, volume * 0.09),
        failed: poisson(rand, volume * 0.01),
        reversed: poisson(rand, volume * 0.02),
        backend_reversed: poisson(rand, volume * 0.005),
        refunded: poisson(rand, volume * 0.01),
      };
      if (i % 37 === 0) c.processing = poisson(rand, 2);
      if (i % 101 === 0) c.chargeback = 1; // a status outside the known seven → "other"
      if (i >= 2000 && i < 2005) c.failed += 30; // failed spike
      if (i >= 2200 && i < 2212) c.denied += Math.round(volume * 0.4); // denied anomaly
      for (const [status, count] of Object.entries(c)) if (count > 0 || status === 'approved') counts.push({ scope, minute, status, count });
      if (scope === 'all') {
        authCodes.push({ scope, minute, authCode: '00', count: c.approved });
        const d51 = Math.round(c.denied * 0.6);
        if (d51 > 0) authCodes.push({ scope, minute, authCode: '51', count: d51 });
        if (c.denied - d51 > 0) authCodes.push({ scope, minute, authCode: '59', count: c.denied - d51 }); // ties with 51 happen
        if (i % 13 === 0) authCodes.push({ scope, minute, authCode: '05', count: 1 + (i % 3) });
      }
    }
  }
  const raw: RawTransaction[] = [];
  const statuses = ['approved', 'approved', 'approved', 'denied', 'failed'];
  for (let k = 0; k < 300; k++) {
    const minute = BASE + 1000 + (k % 25);
    const status = statuses[Math.floor(rand() * statuses.length)];
    const t: RawTransaction = { id: `tx-${k % 280}`, scope: 'pos-raw', minute, at: minute * 60_000 + k, status, amount: Math.round(rand() * 10_000) / 100 };
    if (k % 4 !== 0) t.authCode = status === 'approved' ? '00' : '51';
    raw.push(t);
  }
  return { counts, authCodes, raw };
}

function assessment(scope: string, minute: number, severity: Severity, score: number, hasData = true): Assessment {
  return {
    scope, minute, anomalyScore: score, severity, hasData, findings: [], explanation: `${severity} at ${iso(minute)}`,
    metrics: { total: hasData ? 100 : 0, counts: hasData ? { approved: 90, failed: 10 } : {}, shares: hasData ? { approved: 0.9, failed: 0.1 } : {} },
  };
}

function fixtureAssessments(): Assessment[] {
  const out: Assessment[] = [];
  for (const scope of ['all', 'pos-7']) {
    for (let i = 1440; i < DAYS * 1440; i++) {
      const minute = BASE + i;
      let severity: Severity = 'none';
      let score = (i * 7) % 23;
      if (i >= 2000 && i < 2005) { severity = 'critical'; score = 90 + (i % 5); }
      else if (i >= 2200 && i < 2212) { severity = i % 5 === 0 ? 'critical' : 'warning'; score = 60 + (i % 7) * 1.5; }
      else if (i % 97 === 0 || i % 97 === 1) { severity = 'info'; score = 30.25; }
      else if (scope === 'pos-7' && i % 211 < 3) { severity = 'warning'; score = 55.5; }
      out.push(assessment(scope, minute, severity, score, !(scope === 'all' && i >= 1500 && i < 1510)));
    }
  }
  return out;
}

function alert(over: Partial<Alert> & { fingerprint: string }): Alert {
  return {
    id: 0, rule: 'failed_high', labels: { scope: 'all', status: 'failed' }, state: 'pending', severity: 'warning',
    score: 50, observed: 10, expected: 2, summary: 's', explanation: 'e', startsAt: (BASE + 1440) * 60_000, endsAt: null,
    updatedAt: (BASE + 1440) * 60_000, lastMinute: BASE + 1440, ...over,
  };
}

/** Alert changes: several severities, states and scopes; one created and resolved in one call. */
function fixtureAlertChanges(): AlertChange[] {
  const ms = (i: number) => (BASE + i) * 60_000;
  const specs: Array<[string, string, Record<string, string>, Severity, AlertState, number, number, number | null, number]> = [
    ['f1', 'failed_high', { scope: 'all', status: 'failed' }, 'critical', 'resolved', 92.5, ms(2000), ms(2006), BASE + 2005],
    ['f2', 'denied_share_high', { scope: 'all', status: 'denied' }, 'warning', 'resolved', 61, ms(2201), ms(2213), BASE + 2212],
    ['f3', 'denied_share_high', { scope: 'all', status: 'denied' }, 'critical', 'firing', 88, ms(2800), null, BASE + 2870],
    ['f4', 'approved_low', { scope: 'pos-7', status: 'approved' }, 'warning', 'pending', 40.5, ms(2860), null, BASE + 2865],
    ['f5', 'no_data', { scope: 'all' }, 'info', 'resolved', 20, ms(1500), ms(1510), BASE + 1509],
    ['f6', 'failed_high', { scope: 'pos-7', status: 'failed' }, 'critical', 'firing', 97, ms(2500), null, BASE + 2870],
    ['f7', 'reversed_high', { scope: 'pos-7', status: 'reversed' }, 'warning', 'resolved', 45, ms(100), ms(130), BASE + 129],
    ['f8', 'global_rule', { rule: 'x' }, 'info', 'firing', 10, ms(2870), null, BASE + 2871],
  ];
  return specs.map(([fingerprint, rule, labels, severity, state, score, startsAt, endsAt, lastMinute]) => ({
    alert: alert({ fingerprint, rule, labels, severity, state, score, startsAt, endsAt, lastMinute, updatedAt: endsAt ?? startsAt, observed: score / 2, expected: fingerprint === 'f8' ? null : 3 }),
    transition: { from: null, to: state, at: startsAt, note: `opened ${fingerprint}` },
  }));
}

function checkoutSources(): Map<string, CheckoutRow[]> {
  const map = new Map<string, CheckoutRow[]>();
  const rand = seededRandom(7);
  map.set('synthetic', Array.from({ length: 24 }, (_, hour) => {
    const base = 2 + 30 * Math.max(0, Math.sin(((hour - 6) / 24) * 2 * Math.PI));
    const r = (x: number) => Math.round(x * 100) / 100;
    return {
      hour, today: hour === 15 || hour === 16 ? 0 : Math.round(base * (0.8 + 0.4 * rand())),
      yesterday: Math.round(base * (0.8 + 0.4 * rand())), same_day_last_week: hour === 3 ? 0 : Math.round(base * (0.8 + 0.4 * rand())),
      avg_last_week: r(base * (0.9 + 0.2 * rand())), avg_last_month: hour === 3 ? 0 : r(base * (0.9 + 0.2 * rand())),
    };
  }));
  for (const name of ['checkout_1', 'checkout_2']) {
    const path = fileURLToPath(new URL(`../../shared/data/cloudwalk/${name}.csv`, import.meta.url));
    if (existsSync(path)) map.set(name, parseCheckoutCsv(readFileSync(path, 'utf8')));
  }
  return map;
}

async function loadFixture(store: Store): Promise<void> {
  const result = await store.writeBatch(fixtureBatch());
  assert.ok(result.rawDuplicates > 0, 'fixture has duplicate raw ids');
  const assessments = fixtureAssessments();
  for (let k = 0; k < assessments.length; k += 500) await store.saveEvaluation(assessments.slice(k, k + 500), []);
  await store.saveEvaluation([], fixtureAlertChanges());
  for (const [source, rows] of checkoutSources()) await store.writeCheckout(source, rows);
}

/** Parameter sets per query: each query must return rows for at least one of them. */
const FROM = iso(BASE);
const TO = iso(BASE + DAYS * 1440);
const QUERY_INPUTS: Record<string, QueryInput[]> = {
  minute_aggregation: [{ from: FROM, to: TO }, { from: FROM, to: TO, scope: 'pos-7' }, { from: FROM, to: TO, scope: 'nobody' }],
  minute_rates: [{ from: FROM, to: TO }, { from: iso(BASE + 1000), to: iso(BASE + 1100), scope: 'pos-raw' }],
  failed_spikes: [{ from: FROM, to: TO }, { from: FROM, to: TO, scope: 'pos-7', threshold: 2.5, min_count: 1, window: 30 }],
  denied_anomalies: [{ from: FROM, to: TO }, { from: FROM, to: TO, scope: 'pos-7', threshold: 2, min_total: 5, window: 120 }],
  window_vs_baseline: [{ to: iso(BASE + 2210) }, { to: iso(BASE + 2004), window: 5, baseline: 60, scope: 'pos-7' }, {}],
  alert_summary: [{ from: FROM, to: TO }, { from: iso(BASE + 2000), to: iso(BASE + 2300), scope: 'all' }],
  recent_alerts: [{}, { state: 'open' }, { scope: 'pos-7', limit: 2 }, { state: 'resolved', scope: 'all' }],
  hourly_trends: [{ from: FROM, to: TO }, { from: FROM, to: TO, scope: 'pos-7' }],
  anomalous_runs: [{ from: FROM, to: TO }, { from: FROM, to: TO, scope: 'pos-7', min_severity: 'info', min_length: 1 }, { from: FROM, to: TO, min_severity: 'critical' }],
  ingest_summary: [{ from: FROM, to: TO }, { from: iso(BASE + 1000), to: iso(BASE + 1030), scope: 'pos-raw' }],
  auth_code_mix: [{ from: FROM, to: TO }],
  checkout_hourly: [...checkoutSources().keys()].map((source) => ({ source })).concat([{ source: 'nobody' }]),
};

// ---------------------------------------------------------------------------------------------
// Comparison with a float tolerance

const TOLERANCE = 1e-9;

function close(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));
}

function assertSameRows(got: Array<Record<string, unknown>>, want: Array<Record<string, unknown>>, where: string): void {
  assert.equal(got.length, want.length, `${where}: row count`);
  for (let i = 0; i < want.length; i++) {
    assert.deepEqual(Object.keys(got[i]), Object.keys(want[i]), `${where}: columns of row ${i}`);
    for (const k of Object.keys(want[i])) {
      const g = got[i][k];
      const w = want[i][k];
      if (typeof g === 'number' && typeof w === 'number') assert.ok(close(g, w), `${where}: row ${i} ${k}: ${g} vs ${w}`);
      else assert.deepEqual(g, w, `${where}: row ${i} ${k}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 1. Named-query parity

describe('named queries return the same rows on every dialect', () => {
  const opened: TestStore[] = [];
  const results = new Map<string, Map<string, Array<Record<string, unknown>>>>();

  before(async () => {
    for (const d of DIALECTS) {
      const ts = await d.open();
      opened.push(ts);
      await loadFixture(ts.store);
      const byQuery = new Map<string, Array<Record<string, unknown>>>();
      for (const [name, inputs] of Object.entries(QUERY_INPUTS)) {
        inputs.forEach((input, k) => byQuery.set(`${name}#${k}`, []));
        for (let k = 0; k < inputs.length; k++) byQuery.set(`${name}#${k}`, (await runNamedQuery(ts.store, name, inputs[k], { now: 0 })).rows);
      }
      results.set(d.dialect, byQuery);
    }
  });
  after(async () => {
    for (const ts of opened) await ts.dispose();
  });

  test('every named query has fixture inputs, and returns rows for one of them', () => {
    const names = listNamedQueries().map((q) => q.name);
    assert.deepEqual(Object.keys(QUERY_INPUTS).sort(), names, 'QUERY_INPUTS must cover exactly the named queries');
    const sqlite = results.get('sqlite')!;
    for (const name of names) {
      const sizes = QUERY_INPUTS[name].map((_, k) => sqlite.get(`${name}#${k}`)!.length);
      assert.ok(sizes.some((n) => n > 0), `${name} returned no rows for any input (${sizes.join(', ')})`);
    }
  });

  test('the fixture exercises what the queries look for', () => {
    const sqlite = results.get('sqlite')!;
    const spikes = sqlite.get('failed_spikes#0')!.map((r) => r.minute);
    for (let i = 2000; i < 2005; i++) assert.ok(spikes.includes(iso(BASE + i)), `failed spike at +${i} found`);
    const denied = sqlite.get('denied_anomalies#0')!.map((r) => r.minute);
    assert.ok(denied.includes(iso(BASE + 2200)), 'denied anomaly found');
    const runs = sqlite.get('anomalous_runs#0')!;
    assert.ok(runs.some((r) => r.scope === 'all' && r.start_minute === iso(BASE + 2000) && r.minutes === 5 && r.worst_severity === 'critical'), 'critical run found');
    const agg = sqlite.get('minute_aggregation#0')!;
    assert.equal(agg.length, DAYS * 1440 - 10, 'gap minutes absent');
    assert.ok(agg.some((r) => (r.other as number) > 0), 'unknown status lands in other');
    const summary = sqlite.get('ingest_summary#1')!;
    assert.equal(summary.length, 1);
    assert.equal(summary[0].raw_transactions, 280, 'raw transactions deduplicated by id');
  });

  for (const d of DIALECTS.filter((x) => x.dialect !== 'sqlite')) {
    for (const [name, inputs] of Object.entries(QUERY_INPUTS)) {
      test(`${name} on ${d.dialect} = on sqlite`, () => {
        const want = results.get('sqlite')!;
        const got = results.get(d.dialect)!;
        for (let k = 0; k < inputs.length; k++) assertSameRows(got.get(`${name}#${k}`)!, want.get(`${name}#${k}`)!, `${name} ${JSON.stringify(inputs[k])}`);
      });
    }
  }
});

// ---------------------------------------------------------------------------------------------
// 2. Behavioural Store suite, run on every dialect; the transcript of one script of calls must
// be identical across dialects.

const M = BASE + 100;
const count = (scope: string, minute: number, status: string, n: number): MinuteCount => ({ scope, minute, status, count: n });
const outbox = (id: string): OutboxEntry => ({ id, receiver: 'log', payload: { id, n: 1 }, createdAt: 1, nextAttemptAt: 2, attempts: 0, state: 'pending', lastError: null });

const transcripts = new Map<string, unknown[]>();

for (const d of DIALECTS) {
  describe(`Store behaviour on ${d.dialect}`, () => {
    let ts: TestStore;
    let store: Store;
    const log: unknown[] = [];
    before(async () => {
      ts = await d.open();
      store = ts.store;
      transcripts.set(d.dialect, log);
    });
    after(async () => ts.dispose());

    test('migrate is idempotent and ping answers', async () => {
      await store.migrate();
      await store.migrate();
      assert.equal(await store.ping(), true);
      const versions = await store.runQuery('SELECT version FROM schema_migrations ORDER BY version', {});
      assert.deepEqual(versions.map((r) => r.version), loadMigrations(d.dialect).map((m) => m.version));
    });

    test('writeBatch is atomic: a failing batch stores nothing', async () => {
      await store.writeBatch({ counts: [count('atom', M, 'approved', 1)], authCodes: [], raw: [] });
      const bad = {
        counts: [count('atom', M, 'approved', 50), count('atom', M + 1, 'denied', 2), { scope: 'atom', minute: M + 2, status: null as unknown as string, count: 1 }],
        authCodes: [{ scope: 'atom', minute: M, authCode: '00', count: 5 }],
        raw: [{ id: 'atom-1', scope: 'atom', minute: M, at: M * 60_000, status: 'approved' }],
      };
      await assert.rejects(store.writeBatch(bad));
      assert.deepEqual(await store.readCounts('atom', M, M + 10), [count('atom', M, 'approved', 1)]);
      assert.deepEqual(await store.readAuthCodes('atom', M, M + 10), []);
      const s = await store.stats();
      log.push(['atomic', s]);
      assert.equal(s.rawRows, 0);
    });

    test('counts replace earlier values; the last value of a key in one batch wins', async () => {
      const r1 = await store.writeBatch({ counts: [count('rep', M, 'approved', 5), count('rep', M, 'failed', 1)], authCodes: [{ scope: 'rep', minute: M, authCode: '00', count: 5 }], raw: [] });
      const r2 = await store.writeBatch({
        counts: [count('rep', M, 'approved', 7), count('rep', M, 'approved', 9), count('rep', M + 1, 'approved', 3)],
        authCodes: [{ scope: 'rep', minute: M, authCode: '00', count: 9 }, { scope: 'rep', minute: M, authCode: '00', count: 8 }], raw: [],
      });
      assert.deepEqual(r1, { counts: 2, authCodes: 1, rawAccepted: 0, rawDuplicates: 0 });
      assert.deepEqual(r2, { counts: 3, authCodes: 2, rawAccepted: 0, rawDuplicates: 0 });
      const rows = await store.readCounts('rep', M, M + 2);
      assert.deepEqual(rows, [count('rep', M, 'approved', 9), count('rep', M, 'failed', 1), count('rep', M + 1, 'approved', 3)]);
      assert.deepEqual(await store.readAuthCodes('rep', M, M + 2), [{ scope: 'rep', minute: M, authCode: '00', count: 8 }]);
      assert.deepEqual(await store.readCounts('rep', M + 1, M + 1), [], '[from, to) is half-open');
      log.push(['replace', r1, r2, rows]);
    });

    test('raw transactions are deduplicated by id and aggregated into counts', async () => {
      const raw = (id: string, minute: number, status: string, authCode?: string): RawTransaction => ({ id, scope: 'raw', minute, at: minute * 60_000 + 5, status, ...(authCode ? { authCode } : {}), amount: 12.5 });
      const r1 = await store.writeBatch({ counts: [], authCodes: [], raw: [raw('a', M, 'approved', '00'), raw('b', M, 'approved', '00'), raw('a', M, 'failed', '96'), raw('c', M, 'denied')] });
      assert.deepEqual(r1, { counts: 0, authCodes: 0, rawAccepted: 3, rawDuplicates: 1 });
      const r2 = await store.writeBatch({ counts: [count('raw', M, 'denied', 10)], authCodes: [], raw: [raw('b', M, 'approved', '00'), raw('d', M, 'denied', '51'), raw('e', M + 1, 'approved', '00')] });
      assert.deepEqual(r2, { counts: 1, authCodes: 0, rawAccepted: 2, rawDuplicates: 1 });
      const counts = await store.readCounts('raw', M, M + 2);
      // denied: replaced by 10, then the new raw "d" adds one.
      assert.deepEqual(counts, [count('raw', M, 'approved', 2), count('raw', M, 'denied', 11), count('raw', M + 1, 'approved', 1)]);
      const codes = await store.readAuthCodes('raw', M, M + 2);
      assert.deepEqual(codes, [
        { scope: 'raw', minute: M, authCode: '00', count: 2 }, { scope: 'raw', minute: M, authCode: '51', count: 1 }, { scope: 'raw', minute: M + 1, authCode: '00', count: 1 },
      ]);
      const first = await store.runQuery("SELECT status, auth_code, amount, at FROM raw_transactions WHERE id = 'a'", {});
      assert.deepEqual(first.map((r) => ({ ...r })), [{ status: 'approved', auth_code: '00', amount: 12.5, at: M * 60_000 + 5 }], 'first occurrence of an id wins');
      log.push(['raw', r1, r2, counts, codes]);
    });

    test('saveEvaluation stores assessments, alerts, history and outbox in one go', async () => {
      const ms = (m: number) => m * 60_000;
      const a1 = assessment('ev', M, 'warning', 55.5);
      const a2 = assessment('ev', M + 1, 'critical', 91);
      const a3 = assessment('ev', M + 2, 'none', 1, false);
      const created = alert({ fingerprint: 'ev-1', labels: { scope: 'ev', status: 'failed' }, startsAt: ms(M), updatedAt: ms(M), lastMinute: M });
      const saved = await store.saveEvaluation([a1, a2, a3], [
        { alert: created, transition: { from: null, to: 'pending', at: ms(M), note: 'new' } },
        // The same alert again in the same call: it must get the id just assigned.
        { alert: { ...created, state: 'firing', severity: 'critical', score: 91, updatedAt: ms(M + 1), lastMinute: M + 1 }, transition: { from: 'pending', to: 'firing', at: ms(M + 1), note: 'confirmed' } },
        { alert: { ...created, state: 'resolved', endsAt: ms(M + 3), updatedAt: ms(M + 3), lastMinute: M + 2 }, transition: { from: 'firing', to: 'resolved', at: ms(M + 3), note: 'back to normal' } },
        // Same fingerprint after it resolved: a new alert.
        { alert: { ...created, state: 'pending', startsAt: ms(M + 3), endsAt: null, updatedAt: ms(M + 3), lastMinute: M + 3 }, transition: { from: null, to: 'pending', at: ms(M + 3), note: 'again' } },
        { alert: alert({ fingerprint: 'ev-2', rule: 'approved_low', labels: { scope: 'other' }, severity: 'info', state: 'firing', startsAt: ms(M - 5), updatedAt: ms(M), lastMinute: M, expected: null }) },
      ], [outbox('o-1'), outbox('o-2'), outbox('o-1')]);
      assert.equal(saved.length, 5);
      assert.ok(saved[0].id > 0);
      assert.equal(saved[1].id, saved[0].id);
      assert.equal(saved[2].id, saved[0].id);
      assert.notEqual(saved[3].id, saved[0].id);
      assert.deepEqual(await store.getAlert(saved[0].id), saved[2]);
      assert.deepEqual(await store.getAlert(saved[3].id), saved[3]);
      assert.equal(await store.getAlert(999_999), null);
      const history = await store.alertHistory(saved[0].id);
      assert.deepEqual(history.map((h) => [h.from, h.to, h.note]), [[null, 'pending', 'new'], ['pending', 'firing', 'confirmed'], ['firing', 'resolved', 'back to normal']]);
      assert.deepEqual(await store.alertHistory(saved[4].id), [], 'no transition, no history');
      // Re-saving an evaluated minute keeps the first assessment.
      await store.saveEvaluation([{ ...a1, anomalyScore: 1 }], []);
      const listed = await store.listAssessments({ scope: 'ev' });
      assert.deepEqual(listed, [a1, a2, a3]);
      assert.deepEqual(await store.listAssessments({ scope: 'ev', minSeverity: 'warning' }), [a1, a2]);
      assert.deepEqual(await store.listAssessments({ scope: 'ev', limit: 2 }), [a2, a3], 'limit keeps the most recent, in minute order');
      assert.deepEqual(await store.listAssessments({ scope: 'ev', from: M + 1, to: M + 2 }), [a2]);
      const out = await store.runQuery('SELECT id, payload, state FROM outbox ORDER BY id', {});
      assert.deepEqual(out.map((r) => ({ ...r })), [{ id: 'o-1', payload: '{"id":"o-1","n":1}', state: 'pending' }, { id: 'o-2', payload: '{"id":"o-2","n":1}', state: 'pending' }]);
      log.push(['evaluation', saved, history, listed]);
    });

    test('listAlerts filters by state, severity, scope and time; openAlerts; listScopes; stats', async () => {
      const all = await store.listAlerts({});
      assert.deepEqual(all.map((a) => a.startsAt), [...all.map((a) => a.startsAt)].sort((x, y) => y - x), 'newest first');
      const open = await store.listAlerts({ state: 'open' });
      assert.ok(open.length > 0 && open.every((a) => a.state !== 'resolved'));
      assert.deepEqual((await store.openAlerts()).map((a) => a.id), open.map((a) => a.id).sort((x, y) => x - y));
      assert.ok((await store.listAlerts({ state: 'resolved' })).every((a) => a.state === 'resolved'));
      assert.ok((await store.listAlerts({ severity: 'info' })).every((a) => a.severity === 'info'));
      const ev = await store.listAlerts({ scope: 'ev' });
      assert.equal(ev.length, 2);
      assert.ok(ev.every((a) => a.labels.scope === 'ev'));
      assert.deepEqual(await store.listAlerts({ scope: 'nobody' }), []);
      assert.equal((await store.listAlerts({ limit: 1 })).length, 1);
      // Active in [from, to): started before `to`, not ended before `from`.
      const window = await store.listAlerts({ from: (M + 3) * 60_000 + 1, to: (M + 4) * 60_000 });
      assert.ok(window.every((a) => a.startsAt < (M + 4) * 60_000 && (a.endsAt === null || a.endsAt >= (M + 3) * 60_000 + 1)));
      assert.ok(!window.some((a) => a.state === 'resolved' && a.labels.scope === 'ev'), 'the resolved ev alert ended before from');
      const scopes = await store.listScopes();
      assert.deepEqual(scopes.map((s) => s.scope), ['atom', 'raw', 'rep']);
      assert.deepEqual(scopes.find((s) => s.scope === 'raw'), { scope: 'raw', firstMinute: M, lastMinute: M + 1, lastEvaluated: null });
      await store.writeBatch({ counts: [count('ev', M + 7, 'approved', 1)], authCodes: [], raw: [] });
      assert.deepEqual((await store.listScopes()).find((s) => s.scope === 'ev'), { scope: 'ev', firstMinute: M + 7, lastMinute: M + 7, lastEvaluated: M + 2 });
      const stats = await store.stats();
      assert.deepEqual(stats, { countRows: 8, authCodeRows: 4, rawRows: 5, assessments: 3, alerts: 3 });
      log.push(['alerts', all, open, ev, window, scopes, stats]);
    });

    test('saveEvaluation is atomic: a failing change stores nothing', async () => {
      // Last: PostgreSQL sequences do not roll back, so later alert ids would differ from SQLite's.
      const before = await store.stats();
      const broken = alert({ fingerprint: 'broken', rule: null as unknown as string });
      await assert.rejects(store.saveEvaluation([assessment('atomic-ev', M, 'info', 10)], [{ alert: alert({ fingerprint: 'fine' }) }, { alert: broken }], [outbox('o-broken')]));
      assert.deepEqual(await store.stats(), before);
      assert.deepEqual(await store.listAssessments({ scope: 'atomic-ev' }), []);
      assert.deepEqual(await store.runQuery("SELECT id FROM outbox WHERE id = 'o-broken'", {}), []);
    });
  });
}

if (DIALECTS.length > 1) {
  test('every dialect returned identical objects for the same script of calls', () => {
    const want = transcripts.get('sqlite');
    for (const [dialect, got] of transcripts) if (dialect !== 'sqlite') assert.deepEqual(got, want, dialect);
  });
}

// ---------------------------------------------------------------------------------------------
// 3. PostgreSQL specifics: a schema per URL, migrations safe under concurrent starts.

const PG_URL = process.env.TXMON_TEST_PG_URL;
if (PG_URL) {
  test('PostgreSQL: ?schema= creates the schema, pins every pooled connection to it, and concurrent starts migrate once', async () => {
    const { postgresStore } = await import('../src/store/open.ts');
    const { uniqueSchema, withSchema, dropSchema } = await import('../src/store/postgres/testing.ts');
    const schema = uniqueSchema('txmon_mig');
    const url = withSchema(PG_URL, schema);
    const stores = await Promise.all([postgresStore(url), postgresStore(url), postgresStore(url)]);
    try {
      await Promise.all(stores.map((s) => s.migrate()));
      const applied = await stores[0].runQuery('SELECT version FROM schema_migrations ORDER BY version', {});
      assert.deepEqual(applied.map((r) => r.version), loadMigrations('postgres').map((m) => m.version));
      // Many connections at once: each must see the schema's tables.
      await Promise.all(Array.from({ length: 12 }, (_, i) => stores[i % 3].writeBatch({ counts: [{ scope: `s${i}`, minute: BASE, status: 'approved', count: i }], authCodes: [], raw: [] })));
      assert.equal((await stores[1].stats()).countRows, 12);
      const where = await stores[2].runQuery("SELECT table_schema AS s FROM information_schema.tables WHERE table_name = 'minute_counts' AND table_schema = :schema", { schema });
      assert.deepEqual(where.map((r) => r.s), [schema]);
    } finally {
      for (const s of stores) await s.close();
      await dropSchema(PG_URL, schema);
    }
  });
}
