/**
 * Named queries: header parsing, parameter validation and binding, injection attempts on every
 * dialect, the CLI (`txmon query`) and the API (`/api/v1/queries`).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TxmonError } from '../src/domain/errors.ts';
import type { MinuteCount } from '../src/domain/types.ts';
import {
  bindQuery, formatRows, getNamedQuery, listNamedQueries, namedToPositional, parseNamedQuery, placeholderNames,
  resolveParams, runNamedQuery, timeColumnKind, type NamedQuery,
} from '../src/store/namedQueries.ts';
import { testDialects, reportSkippedPostgres, type TestStore } from '../src/store/postgres/testing.ts';
import { describeQueries, parseParamOptions, runQueryCommand } from '../src/cli/query.ts';
import { get, startServer, type TestServer } from './helpers/server.ts';

const BASE = Date.UTC(2025, 6, 12) / 60_000;
const iso = (minute: number) => new Date(minute * 60_000).toISOString();
const INJECTION = "all'; DROP TABLE minute_counts; --";

const isCode = (code: string) => (err: unknown) => {
  assert.ok(err instanceof TxmonError, `expected a TxmonError, got ${err}`);
  assert.equal(err.code, code, err.message);
  return true;
};

const SAMPLE = `-- name: sample
--
-- What it answers: a sample? More text.
--
-- Parameters:
--   :from    time     default=-2h              first minute
--   :to      time     default=latest           end
--   :scope   text     default=all              scope
--   :n       integer  default=5 range=1..10    how many
--   :x       number   default=0.5 range=0..1   a share
--   :kind    enum     default=a values=a|b     a kind
--   :source  text                              required one
SELECT ':not_a_param', "col:umn", x::text -- :nor_this
FROM t /* :nor_that */ WHERE a = :scope AND b >= :from AND b < :to AND c = :n AND d = :x AND e = :kind AND f = :source AND g = :n;
`;

describe('named query files and headers', () => {
  test('placeholders skip literals, quoted identifiers, comments and :: casts', () => {
    const q = parseNamedQuery('sample', SAMPLE);
    assert.deepEqual(placeholderNames(SAMPLE), ['scope', 'from', 'to', 'n', 'x', 'kind', 'source']);
    assert.equal(q.summary, 'a sample?');
    assert.deepEqual(q.params.map((p) => [p.name, p.type, p.default]), [
      ['from', 'time', '-2h'], ['to', 'time', 'latest'], ['scope', 'text', 'all'], ['n', 'integer', '5'], ['x', 'number', '0.5'], ['kind', 'enum', 'a'], ['source', 'text', undefined],
    ]);
    const { text, values } = namedToPositional("SELECT ':a', :a, :b, :a", { a: 1, b: 'x' });
    assert.equal(text, "SELECT ':a', $1, $2, $1");
    assert.deepEqual(values, [1, 'x']);
    assert.throws(() => namedToPositional('SELECT :a', {}), isCode('TXMON_ERR_BAD_PARAMETER'));
  });

  test('a header that disagrees with its SQL is refused', () => {
    assert.throws(() => parseNamedQuery('q', '-- q: what?\nSELECT :x'), /uses :x but its header declares no such parameter/);
    assert.throws(() => parseNamedQuery('q', '-- q: what?\n-- Parameters:\n--   :x  integer  default=1  x\n--   :y  text  default=a  y\nSELECT :x'), /declares :y but the SQL never uses it/);
    assert.throws(() => parseNamedQuery('q', '-- q: what?\n-- Parameters:\n--   :x  blob  x\nSELECT :x'), /unknown type "blob"/);
    assert.throws(() => parseNamedQuery('q', '-- q: what?\n-- Parameters:\n--   :x  integer  default=11 range=1..10  x\nSELECT :x'), /default of :x is invalid/);
    assert.throws(() => parseNamedQuery('q', '-- q: what?\n-- Parameters:\n--   :x  time  default=yesterday  x\nSELECT :x'), /expected latest or -<n>m\|h\|d/);
    assert.throws(() => parseNamedQuery('q', 'SELECT 1'), /must say what the query answers/);
  });

  test('the catalogue holds every query the issue asks for, each documented', () => {
    const names = listNamedQueries().map((q) => q.name);
    for (const required of [
      'minute_aggregation', 'minute_rates', 'failed_spikes', 'denied_anomalies', 'window_vs_baseline', 'alert_summary',
      'recent_alerts', 'hourly_trends', 'anomalous_runs', 'ingest_summary', 'auth_code_mix', 'checkout_hourly',
    ]) assert.ok(names.includes(required), `${required} missing from ${names.join(', ')}`);
    for (const q of listNamedQueries()) {
      assert.ok(q.summary.length > 10, `${q.name} has a summary`);
      for (const p of q.params) assert.ok(p.description.length > 2, `${q.name} :${p.name} is described`);
    }
    assert.throws(() => getNamedQuery('no_such_query'), (err: unknown) => {
      isCode('TXMON_ERR_NOT_FOUND')(err);
      assert.match((err as Error).message, /no named query "no_such_query"; available: .*minute_aggregation/);
      return true;
    });
  });

  test('time columns are recognised by name', () => {
    assert.equal(timeColumnKind('minute'), 'minute');
    assert.equal(timeColumnKind('start_minute'), 'minute');
    assert.equal(timeColumnKind('started_at'), 'ms');
    assert.equal(timeColumnKind('minutes'), null);
    assert.equal(timeColumnKind('mean_per_min'), null);
  });
});

describe('parameters are typed, validated and defaulted', () => {
  const q: NamedQuery = parseNamedQuery('sample', SAMPLE);
  const ctx = { latestMinute: BASE + 999, now: 0 };

  test('defaults: latest = one minute after the newest data; -2h relative to to', () => {
    const v = resolveParams(q, { source: 's' }, ctx);
    assert.deepEqual(v, { from: BASE + 1000 - 120, to: BASE + 1000, scope: 'all', n: 5, x: 0.5, kind: 'a', source: 's' });
    const w = resolveParams(q, { source: 's', to: iso(BASE + 50), n: '7', x: '1', kind: 'b' }, ctx);
    assert.deepEqual(w, { from: BASE - 70, to: BASE + 50, scope: 'all', n: 7, x: 1, kind: 'b', source: 's' });
    assert.equal(resolveParams(q, { source: 's' }, { latestMinute: null, now: (BASE + 5) * 60_000 + 30_000 }).to, BASE + 6, 'empty store: now');
    assert.equal(resolveParams(q, { source: 's', from: '2025-07-12 01:00' }, { ...ctx, timeZone: 'America/Sao_Paulo' }).from, BASE + 60 + 180, 'naive times in the configured zone');
  });

  test('bad input gets precise TXMON_ERR_BAD_PARAMETER messages', () => {
    const msg = (input: Record<string, string>) => {
      try {
        resolveParams(q, input, ctx);
      } catch (err) {
        isCode('TXMON_ERR_BAD_PARAMETER')(err);
        return (err as Error).message;
      }
      assert.fail(`accepted ${JSON.stringify(input)}`);
    };
    assert.match(msg({}), /query "sample" needs parameter "source" \(text\)/);
    assert.match(msg({ source: 's', bogus: '1' }), /query "sample" has no parameter "bogus"; its parameters are: from, to, scope, n, x, kind, source/);
    assert.match(msg({ source: 's', n: '11' }), /parameter "n" must be an integer from 1 to 10, got "11"/);
    assert.match(msg({ source: 's', n: '2.5' }), /parameter "n" must be an integer/);
    assert.match(msg({ source: 's', n: '1; DROP TABLE t' }), /parameter "n" must be an integer/);
    assert.match(msg({ source: 's', x: 'NaN' }), /parameter "x" must be a number from 0 to 1/);
    assert.match(msg({ source: 's', kind: "a' OR '1'='1" }), /parameter "kind" must be one of a, b/);
    assert.match(msg({ source: 's', from: 'yesterday' }), /parameter "from" must be an ISO-8601 timestamp/);
    assert.match(msg({ source: 's', from: iso(BASE + 10), to: iso(BASE + 10) }), /parameter "from" \(.*\) must be before "to"/);
    assert.match(msg({ source: 's', from: iso(BASE), to: iso(BASE + 401 * 1440) }), /must be at most 400 days/);
    assert.match(msg({ source: 'x'.repeat(201) }), /parameter "source" must be a text of 1 to 200 characters/);
  });

  test('binding casts every placeholder to its declared type, per dialect', () => {
    const v = resolveParams(q, { source: 's' }, ctx);
    const lite = bindQuery(q, 'sqlite', v);
    assert.match(lite.sql, /c = CAST\(:n AS INTEGER\) AND d = CAST\(:x AS REAL\) AND e = CAST\(:kind AS TEXT\)/);
    assert.match(lite.sql, /SELECT ':not_a_param'/, 'literals untouched');
    const pg = bindQuery(q, 'postgres', v);
    assert.match(pg.sql, /b >= CAST\(:from AS BIGINT\) AND b < CAST\(:to AS BIGINT\) AND c = CAST\(:n AS BIGINT\) AND d = CAST\(:x AS DOUBLE PRECISION\)/);
    assert.deepEqual(Object.keys(pg.params), ['from', 'to', 'scope', 'n', 'x', 'kind', 'source']);
    const positional = namedToPositional(pg.sql, pg.params);
    assert.match(positional.text, /a = CAST\(\$1 AS TEXT\) AND b >= CAST\(\$2 AS BIGINT\)/);
    assert.match(positional.text, /g = CAST\(\$4 AS BIGINT\)/, 'a repeated name reuses its position');
    assert.equal(positional.values.length, 7);
  });

  test('output formats: aligned table, CSV with quoting, JSON', () => {
    const rows = [{ a: 'x,"y"', b: 1.234567, c: null }, { a: 'z', b: 2, c: 3 }];
    assert.equal(formatRows(['a', 'b', 'c'], rows, 'csv'), 'a,b,c\n"x,""y""",1.234567,\nz,2,3\n');
    assert.equal(formatRows(['a', 'b', 'c'], rows, 'table'), 'a     |      b |    c\n------|--------|-----\nx,"y" | 1.2346 | NULL\nz     |      2 |    3\n(2 rows)\n');
    assert.deepEqual(JSON.parse(formatRows(['a', 'b', 'c'], rows, 'json')), rows);
    assert.equal(formatRows([], [], 'table'), '(0 rows)\n');
  });

  test('CSV neutralises cells that a spreadsheet would run as formulas; numbers stay numbers', () => {
    const rows = [{ s: '=HYPERLINK("http://evil")', n: -3.5 }, { s: '+1', n: 2 }, { s: '-cmd', n: 0 }, { s: '@SUM(A1)', n: 1 }, { s: '\tx', n: 1 }, { s: 'pos-1', n: -1 }];
    assert.equal(formatRows(['s', 'n'], rows, 'csv'),
      's,n\n"\'=HYPERLINK(""http://evil"")",-3.5\n\'+1,2\n\'-cmd,0\n\'@SUM(A1),1\n\'\tx,1\npos-1,-1\n');
  });
});

// ---------------------------------------------------------------------------------------------

function counts(scope: string, n: number): MinuteCount[] {
  const out: MinuteCount[] = [];
  for (let i = 0; i < n; i++) {
    out.push({ scope, minute: BASE + i, status: 'approved', count: 100 + (i % 5) });
    out.push({ scope, minute: BASE + i, status: 'failed', count: i === n - 3 ? 40 : 1 + (i % 2) });
  }
  return out;
}

reportSkippedPostgres();

for (const d of testDialects()) {
  describe(`injection attempts change nothing on ${d.dialect}`, () => {
    let ts: TestStore;
    before(async () => {
      ts = await d.open();
      await ts.store.writeBatch({ counts: counts('all', 120), authCodes: [], raw: [] });
      await ts.store.writeCheckout('pos-1', Array.from({ length: 24 }, (_, hour) => ({ hour, today: 5, yesterday: 4, same_day_last_week: 3, avg_last_week: 4.5, avg_last_month: 4.25 })));
    });
    after(async () => ts.dispose());

    test('a text parameter carrying SQL is bound as a value', async () => {
      const before = await ts.store.stats();
      const hit = await runNamedQuery(ts.store, 'minute_aggregation', { from: iso(BASE), to: iso(BASE + 120), scope: INJECTION });
      assert.deepEqual(hit.rows, []);
      const checkout = await runNamedQuery(ts.store, 'checkout_hourly', { source: "pos-1' OR '1'='1" });
      assert.deepEqual(checkout.rows, []);
      const star = await runNamedQuery(ts.store, 'ingest_summary', { from: iso(BASE), to: iso(BASE + 120), scope: "*' OR scope <> '" });
      assert.deepEqual(star.rows, []);
      assert.deepEqual(await ts.store.stats(), before);
      const ok = await runNamedQuery(ts.store, 'minute_aggregation', { from: iso(BASE), to: iso(BASE + 120) });
      assert.equal(ok.rows.length, 120, 'the table is still there');
      assert.equal((await runNamedQuery(ts.store, 'checkout_hourly', { source: 'pos-1' })).rows.length, 24);
    });

    test('typed parameters refuse SQL text; undeclared names are refused', async () => {
      for (const [name, input] of [
        ['failed_spikes', { threshold: '3; DELETE FROM minute_counts' }],
        ['failed_spikes', { window: '60) OR (1=1' }],
        ['recent_alerts', { limit: '1; DROP TABLE alerts' }],
        ['recent_alerts', { state: "open' OR '1'='1" }],
        ['minute_aggregation', { from: "2025-07-12'; DROP TABLE minute_counts; --" }],
        ['minute_aggregation', { evil: 'x' }],
        ['minute_aggregation', { "scope = 'all' OR 1": '1' }],
      ] as const) {
        await assert.rejects(runNamedQuery(ts.store, name, input), isCode('TXMON_ERR_BAD_PARAMETER'), `${name} ${JSON.stringify(input)}`);
      }
      assert.equal((await ts.store.stats()).countRows, 240);
    });

    test('the store binds runQuery values too, and runs them read-only', async () => {
      const rows = await ts.store.runQuery('SELECT COUNT(*) AS n FROM minute_counts WHERE scope = :scope', { scope: INJECTION });
      assert.deepEqual(rows.map((r) => ({ ...r })), [{ n: 0 }]);
      await assert.rejects(ts.store.runQuery('DELETE FROM minute_counts', {}), d.dialect === 'postgres' ? /read-only transaction/ : /readonly database/);
      assert.equal((await ts.store.stats()).countRows, 240);
      // The refusal lasts only for the query: the store still writes afterwards.
      await ts.store.writeCheckout('after-read-only-query', []);
    });

    test('a spike in the data is found with default-ish parameters', async () => {
      const r = await runNamedQuery(ts.store, 'failed_spikes', { from: iso(BASE), to: iso(BASE + 120) });
      assert.deepEqual(r.rows.map((x) => x.minute), [iso(BASE + 117)]);
      assert.equal(r.params.threshold, 3);
      assert.equal(r.params.from, iso(BASE));
    });
  });
}

// ---------------------------------------------------------------------------------------------

describe('txmon query (CLI)', () => {
  let ts: TestStore;
  before(async () => {
    ts = await testDialects()[0].open();
    await ts.store.writeBatch({ counts: counts('all', 60), authCodes: [], raw: [] });
  });
  after(async () => ts.dispose());

  test('--list names every query with its parameters', async () => {
    let printed = '';
    await runQueryCommand(undefined, { list: true }, { print: (t) => { printed += t; } });
    for (const q of listNamedQueries()) assert.ok(printed.includes(`${q.name}\n  ${q.summary}`), q.name);
    assert.match(printed, /--param threshold=… {2}\(number; default 3, range 0\.\.1000\)/);
    assert.equal(describeQueries([]), '');
  });

  test('runs a query with --from/--to/--scope/--param in each format', async () => {
    const opts = { from: iso(BASE), to: iso(BASE + 3), scope: 'all', param: [] as string[] };
    const json = JSON.parse(await runQueryCommand('minute_aggregation', { ...opts, format: 'json' }, { store: ts.store, print: () => {} }));
    assert.deepEqual(json.map((r: Record<string, unknown>) => [r.minute, r.total, r.failed]), [[iso(BASE), 101, 1], [iso(BASE + 1), 103, 2], [iso(BASE + 2), 103, 1]]);
    const csv = await runQueryCommand('minute_aggregation', { ...opts, format: 'csv' }, { store: ts.store, print: () => {} });
    assert.equal(csv.split('\n')[0], 'minute,total,approved,denied,failed,reversed,backend_reversed,refunded,processing,other');
    assert.equal(csv.split('\n')[1], `${iso(BASE)},101,100,0,1,0,0,0,0,0`);
    const table = await runQueryCommand('failed_spikes', { from: iso(BASE), to: iso(BASE + 60), param: ['threshold=2', 'min_count=3'] }, { store: ts.store, print: () => {} });
    assert.match(table, /\(1 row\)/);
  });

  test('bad names, formats and parameters fail with TxmonErrors', async () => {
    const quiet = { store: ts.store, print: () => {} };
    await assert.rejects(runQueryCommand('nope', {}, quiet), /no named query "nope"; available: /);
    await assert.rejects(runQueryCommand(undefined, {}, quiet), /name a query or use --list/);
    await assert.rejects(runQueryCommand('minute_aggregation', { format: 'xml' }, quiet), /--format must be one of table, csv, json/);
    await assert.rejects(runQueryCommand('minute_aggregation', { param: ['scope'] }, quiet), /--param must be name=value/);
    await assert.rejects(runQueryCommand('minute_aggregation', { scope: 'a', param: ['scope=b'] }, quiet), /scope is given both/);
    await assert.rejects(runQueryCommand('minute_aggregation', { param: ['threshold=3'] }, quiet), /has no parameter "threshold"/);
    assert.deepEqual(parseParamOptions(['a=1', 'b=x=y']), { a: '1', b: 'x=y' });
  });

  test('the txmon binary registers the command and exits 2 on an unknown query', () => {
    const bin = fileURLToPath(new URL('../bin/txmon.js', import.meta.url));
    const list = spawnSync(process.execPath, [bin, 'query', '--list'], { encoding: 'utf8' });
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /^alert_summary\n/);
    const bad = spawnSync(process.execPath, [bin, 'query', 'nope', '--db', ':memory:'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /TXMON_ERR_NOT_FOUND: no named query "nope"/);
  });
});

describe('GET /api/v1/queries', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
    await server.service.ctx.store.writeBatch({ counts: counts('all', 60), authCodes: [], raw: [] });
  });
  after(async () => server.close());

  test('lists names, summaries and parameters', async () => {
    const res = await get(server.url, '/api/v1/queries');
    assert.equal(res.status, 200);
    assert.equal(res.body.count, listNamedQueries().length);
    const spikes = res.body.queries.find((q: { name: string }) => q.name === 'failed_spikes');
    assert.ok(spikes.summary.startsWith('which minutes had a failed count'));
    assert.deepEqual(spikes.parameters.find((p: { name: string }) => p.name === 'window'), {
      name: 'window', type: 'integer', required: false, default: '60', min: 5, max: 10080, description: 'baseline length in minutes',
    });
    const checkout = res.body.queries.find((q: { name: string }) => q.name === 'checkout_hourly');
    assert.equal(checkout.parameters[0].required, true);
  });

  test('runs a query with its parameters, as JSON or CSV', async () => {
    const path = `/api/v1/queries/minute_aggregation?from=${iso(BASE)}&to=${iso(BASE + 2)}&scope=all`;
    const res = await get(server.url, path);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.count, 2);
    assert.equal(res.body.rows[0].minute, iso(BASE));
    assert.deepEqual(res.body.params, { from: iso(BASE), to: iso(BASE + 2), scope: 'all' });
    const csv = await get(server.url, `${path}&format=csv`);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    assert.equal(csv.text.split('\n').length, 4);
  });

  test('unknown names, bad and undeclared parameters, injections', async () => {
    const missing = await get(server.url, '/api/v1/queries/nope');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'TXMON_ERR_NOT_FOUND');
    assert.match(missing.body.error.message, /available: alert_summary, /);
    const badParam = await get(server.url, '/api/v1/queries/failed_spikes?threshold=abc');
    assert.equal(badParam.status, 400);
    assert.equal(badParam.body.error.code, 'TXMON_ERR_BAD_PARAMETER');
    assert.match(badParam.body.error.message, /parameter "threshold" must be a number from 0 to 1000, got "abc"/);
    const undeclared = await get(server.url, '/api/v1/queries/failed_spikes?limit=5');
    assert.equal(undeclared.status, 400);
    assert.match(undeclared.body.error.message, /has no parameter "limit"/);
    const twice = await get(server.url, '/api/v1/queries/minute_aggregation?scope=a&scope=b');
    assert.equal(twice.status, 400);
    const injected = await get(server.url, `/api/v1/queries/minute_aggregation?from=${iso(BASE)}&scope=${encodeURIComponent(INJECTION)}`);
    assert.equal(injected.status, 200);
    assert.deepEqual(injected.body.rows, []);
    assert.equal((await server.service.ctx.store.stats()).countRows, 120);
  });
});
