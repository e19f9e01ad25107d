/**
 * A seeded fuzz run over every write endpoint (issue #13 item 10): at least 10,000 generated bad
 * requests — each one a valid-looking body with at least one fault — must each get a 4xx with
 * the `{error: {code: "TXMON_ERR_…", message}}` body (never a 5xx, never a 2xx), and afterwards
 * the store holds exactly what it held before (no partial write).
 *
 * CI runs the fixed seed; any seed locally: TXMON_FUZZ_SEED=123 TXMON_FUZZ_COUNT=50000 npm run test:faults
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get, startServer, warmupRows, post } from '../helpers/server.ts';
import { seededRandom } from '../../src/domain/prng.ts';

const SEED = Number(process.env.TXMON_FUZZ_SEED ?? 20261204);
const COUNT = Number(process.env.TXMON_FUZZ_COUNT ?? 10_000);
const CONCURRENCY = 8;


interface Req { method: 'POST' | 'DELETE'; path: string; contentType: string; body: string; kind: string }

const T0 = Date.UTC(2025, 6, 1, 10, 0);

function generator(rand: () => number) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const ts = () => new Date(T0 + int(0, 600) * 60_000).toISOString();
  const deep = (n: number) => '['.repeat(n) + '1' + ']'.repeat(n);
  /** Strings no field accepts: blank, control characters, bidi controls, lone surrogates, too long. */
  const junkString = () => pick([' ', '\t', 'a\u0000b', 'x\u202ey', '\ud800', 'é'.repeat(200), 'x'.repeat(5000)]);
  /** Values that are wrong for the field they replace. */
  const badValue = (field: string): string => {
    const common = ['null', 'true', '[]', '{}', deep(int(40, 3000)), '"' + 'x'.repeat(int(129, 400)) + '"', JSON.stringify(junkString())];
    switch (field) {
      case 'count': return pick([...common, '-1', '1.5', '1e30', '"5"', '16777217', '"NaN"', 'NaN', 'Infinity']);
      case 'timestamp': return pick([...common, '"2025-13-01T00:00:00Z"', '"yesterday"', '"1999-12-31T23:59:00Z"', '"2125-01-01T00:00:00Z"', '-1', '1e20', '"10h 15"']);
      case 'amount': return pick(['"abc"', '1e13', '[]', '{}', deep(int(40, 3000)), 'true']);
      case 'auth_code': return pick(['0', '51', 'true', '[]', '{}', deep(int(40, 3000)), '"a\\u0000"', '"' + 'x'.repeat(200) + '"']);
      case 'scope': return pick(common.filter((c) => c !== 'null')); // a null scope means the default scope
      default: return pick(common);
    }
  };
  const countRow = (scope?: string) => ({ timestamp: ts(), status: pick(['approved', 'denied', 'failed']), count: int(0, 200), ...(scope ? { scope } : {}) });
  const codeRow = () => ({ timestamp: ts(), auth_code: pick(['00', '51', '59']), count: int(0, 50) });
  let rawId = 0;
  const rawRow = () => ({ id: `fz-${rawId++}`, timestamp: ts(), status: pick(['approved', 'denied']), amount: int(1, 999) / 10 });

  /** A JSON array of good rows with one field of one row replaced by a bad value (as text). */
  const jsonWithBadField = (rows: Array<Record<string, unknown>>, fields: string[]): string => {
    const k = int(0, rows.length - 1);
    const field = pick(fields);
    const parts = rows.map((r, i) => {
      if (i !== k) return JSON.stringify(r);
      const entries = Object.entries(r).filter(([f]) => f !== field).map(([f, v]) => `${JSON.stringify(f)}:${JSON.stringify(v)}`);
      entries.push(`${JSON.stringify(field)}:${badValue(field)}`);
      return `{${entries.join(',')}}`;
    });
    return `[${parts.join(',')}]`;
  };

  const ingest = (): Req => {
    const kind = pick(['counts', 'auth_codes', 'raw'] as const);
    const path = kind === 'counts' ? '/api/v1/transactions' : kind === 'auth_codes' ? '/api/v1/auth-codes' : '/api/v1/transactions/raw';
    const n = int(1, 30);
    const rows = Array.from({ length: n }, () => (kind === 'counts' ? countRow() : kind === 'auth_codes' ? codeRow() : rawRow())) as Array<Record<string, unknown>>;
    const fields = kind === 'counts' ? ['timestamp', 'status', 'count', 'scope'] : kind === 'auth_codes' ? ['timestamp', 'auth_code', 'count', 'scope'] : ['id', 'timestamp', 'status', 'amount', 'auth_code', 'scope'];
    const mode = int(0, 11);
    switch (mode) {
      case 0: case 1: case 2: case 3:
        return { method: 'POST', path, contentType: 'application/json', body: jsonWithBadField(rows, fields), kind: `${kind}:bad-field` };
      case 4: { // a required field missing from one row
        const k = int(0, n - 1);
        const required = kind === 'raw' ? ['id', 'timestamp', 'status'] : fields.slice(0, 3);
        delete rows[k][pick(required)];
        return { method: 'POST', path, contentType: pick(['application/json', 'application/x-ndjson']), body: pick([0, 1]) ? JSON.stringify(rows) : rows.map((r) => JSON.stringify(r)).join('\n'), kind: `${kind}:missing` };
      }
      case 5: { // truncated / corrupted JSON
        const text = JSON.stringify(rows);
        const cut = int(1, Math.max(1, text.length - 2));
        return { method: 'POST', path, contentType: 'application/json', body: text.slice(0, cut) + pick(['', '}', ',', '\u0000', ']]']), kind: `${kind}:truncated` };
      }
      case 6: { // CSV with a broken line
        const header = kind === 'counts' ? 'timestamp,status,count' : kind === 'auth_codes' ? 'timestamp,auth_code,count' : 'timestamp,id,status';
        const lines = rows.map((r) => (kind === 'counts' ? `${r.timestamp},${r.status},${r.count}` : kind === 'auth_codes' ? `${r.timestamp},${r.auth_code},${r.count}` : `${r.timestamp},${r.id},${r.status}`));
        const k = int(0, lines.length - 1);
        const breaks = [lines[k] + ',extra', lines[k].split(',').slice(0, 2).join(','), `"${lines[k]}`, lines[k].replace(/^[^,]*/, 'not-a-time')];
        if (kind !== 'raw') breaks.push(lines[k].replace(/,[^,]*$/, ',-5')); // a raw status "-5" would be valid
        lines[k] = pick(breaks);
        return { method: 'POST', path, contentType: 'text/csv', body: [pick([header, header.replace('status', 'state')]), ...lines].join('\n'), kind: `${kind}:csv` };
      }
      case 7: { // an unknown key (counts / auth codes) or a conflicting duplicate id (raw)
        if (kind === 'raw') {
          const dup = { ...rows[0], status: rows[0].status === 'approved' ? 'denied' : 'approved' };
          return { method: 'POST', path, contentType: 'application/json', body: JSON.stringify([...rows, dup]), kind: 'raw:conflict' };
        }
        rows[int(0, n - 1)][pick(['Scope', 'cnt', 'statuss', 'time'])] = 1;
        return { method: 'POST', path, contentType: 'application/json', body: JSON.stringify(rows), kind: `${kind}:unknown-key` };
      }
      case 8: { // a span past the limit
        rows.push({ ...rows[0], ...(kind === 'raw' ? { id: `fz-far-${rawId++}` } : {}), timestamp: new Date(T0 + int(10_081, 10_000_000) * 60_000).toISOString() });
        if (kind === 'counts') rows[rows.length - 1].status = 'farstatus';
        return { method: 'POST', path, contentType: 'application/json', body: JSON.stringify(rows), kind: `${kind}:span` };
      }
      case 9: // wrong content type or empty body
        return pick([
          { method: 'POST', path, contentType: 'application/xml', body: '<a/>', kind: `${kind}:media-type` } as Req,
          { method: 'POST', path, contentType: 'application/json', body: pick(['', '   ', '[]', 'null', '42', '"x"']), kind: `${kind}:empty` } as Req,
        ]);
      case 10: { // duplicate (scope, minute, key) in one request (counts, auth codes) / scope with control chars
        if (kind !== 'raw') {
          const r = rows[0];
          return { method: 'POST', path, contentType: 'application/json', body: JSON.stringify([...rows, { ...r, count: (r.count as number) + 1 }]), kind: `${kind}:duplicate` };
        }
        rows[int(0, n - 1)].scope = pick(['a\u0085b', 'x\u2066', '\u0007', 'lone\udfff']);
        return { method: 'POST', path, contentType: 'application/json', body: JSON.stringify(rows), kind: 'raw:bad-scope' };
      }
      default: { // too many statuses (counts) or scopes
        const many = Array.from({ length: int(51, 120) }, (_, i) => ({ ...rows[0], ...(kind === 'raw' ? { id: `fz-m-${rawId++}` } : {}), ...(kind === 'counts' || kind === 'raw' ? { status: `s${i}` } : {}), scope: kind === 'auth_codes' ? `sc-${i}` : undefined }));
        if (kind === 'auth_codes') { for (let i = 0; i < 60; i++) many.push({ ...codeRow(), scope: `sc-x${i}` } as never); }
        return { method: 'POST', path, contentType: 'application/json', body: JSON.stringify(many), kind: `${kind}:too-many` };
      }
    }
  };

  const silence = (): Req => {
    const good: Record<string, unknown> = { matchers: [{ name: 'scope', value: 'pos-1' }], endsAt: '2099-01-01T00:00:00Z', createdBy: 'fuzz', comment: 'fuzz' };
    const field = pick(['matchers', 'endsAt', 'startsAt', 'createdBy', 'comment', 'extra']);
    const bad: Record<string, string> = {
      matchers: pick(['[]', '{}', '"scope=x"', '[{"name":"1bad","value":"x"}]', '[{"name":"scope","value":"(a","isRegex":true}]', '[{"name":"scope","value":"(a)\\\\1","isRegex":true}]', '[{"name":"scope","value":".*","isRegex":true}]', '[{"name":"scope","value":"x","isRegex":"yes"}]', deep(int(40, 3000)), '[{"name":"scope","value":' + deep(int(40, 3000)) + '}]']),
      endsAt: pick(['"2000-01-01T00:00:00Z"', '"tomorrow"', '12345', deep(int(40, 3000)), 'null']),
      startsAt: pick(['"2100-01-01T00:00:00Z"', '"x"', '[]']),
      createdBy: pick(['""', '42', 'null', '{}']),
      comment: pick(['""', '[]', 'false']),
      extra: '1',
    };
    const entries = Object.entries(good).filter(([k]) => k !== field).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
    entries.push(`${JSON.stringify(field)}:${bad[field]}`);
    return { method: 'POST', path: '/api/v1/silences', contentType: 'application/json', body: `{${entries.join(',')}}`, kind: `silence:${field}` };
  };

  const checkout = (): Req => {
    const lines = ['time,today,yesterday,same_day_last_week,avg_last_week,avg_last_month'];
    for (let h = 0; h < 24; h++) lines.push(`${String(h).padStart(2, '0')}h,${int(0, 50)},${int(0, 50)},${int(0, 50)},${(rand() * 30).toFixed(2)},${(rand() * 30).toFixed(2)}`);
    const k = int(1, 24);
    lines[k] = pick([lines[k].replace(/,\d+,/, ',-3,'), lines[k].replace(/^\d+h/, '25h'), lines[k] + ',9', lines[k].replace(/,[^,]+$/, ',abc'), '']);
    if (lines[k] === '') lines.splice(k, 1, lines[1]); // a duplicated hour
    return { method: 'POST', path: `/api/v1/checkout?source=${pick(['fuzz', '', '%00x', 'a'.repeat(300)])}`, contentType: 'text/csv', body: lines.join('\n'), kind: 'checkout' };
  };

  return () => pick([ingest, ingest, ingest, ingest, ingest, ingest, silence, checkout])();
}

test(`fuzz: ${COUNT} bad requests across the write endpoints (seed ${SEED}): no 5xx, no 2xx, nothing stored`, { timeout: 600_000 }, async (t) => {
  const srv = await startServer();
  t.after(() => srv.close());
  // Some real state first, so a partial write would show as a change.
  assert.equal((await post(srv.url, '/api/v1/transactions', warmupRows(T0 - 120 * 60_000, 60))).status, 200);
  const store = srv.service.ctx.store;
  const snapshot = async () => ({
    stats: await store.stats(),
    silences: (await get(srv.url, '/api/v1/silences')).body.silences.length,
    checkout: (await get(srv.url, '/api/v1/checkout')).body,
  });
  const before = await snapshot();
  const next = generator(seededRandom(SEED));
  const byKind = new Map<string, Map<number, number>>();
  const failures: string[] = [];
  let sent = 0;
  const started = performance.now();
  const worker = async () => {
    while (sent < COUNT) {
      sent++;
      const r = next();
      const res = await fetch(srv.url + r.path, { method: r.method, headers: { 'content-type': r.contentType }, body: r.body });
      const text = await res.text();
      const m = byKind.get(r.kind) ?? byKind.set(r.kind, new Map()).get(r.kind)!;
      m.set(res.status, (m.get(res.status) ?? 0) + 1);
      let code: unknown;
      try { code = JSON.parse(text)?.error?.code; } catch { code = undefined; }
      if (res.status < 400 || res.status >= 500 || typeof code !== 'string' || !code.startsWith('TXMON_ERR_')) {
        if (failures.length < 20) failures.push(`${r.kind} → ${res.status} ${text.slice(0, 200)} | body: ${r.body.slice(0, 200)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const secs = (performance.now() - started) / 1000;
  t.diagnostic(`seed ${SEED}: ${sent} requests in ${secs.toFixed(1)} s; ${[...byKind].sort().map(([k, m]) => `${k} ${[...m].map(([s, n]) => `${s}×${n}`).join('/')}`).join(', ')}`);
  assert.deepEqual(failures, [], `every bad request is a 4xx with a TXMON_ERR body (reproduce: TXMON_FUZZ_SEED=${SEED})`);
  assert.deepEqual(await snapshot(), before, 'nothing stored by any bad request');
  assert.equal((await get(srv.url, '/health')).status, 200);
});
