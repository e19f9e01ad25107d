/**
 * The OpenAPI document at /docs/json is complete enough to generate a client from: every
 * operation has a described 2xx response with a schema and TXMON_ERR error responses, bodies are
 * described, path parameters declared; `openapi-typescript` (npm) turns it into types, a small
 * client written against them compiles with tsc (strict) — and a misuse does not — and the client
 * then talks to the running server.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import { startServer, warmupRows, type TestServer } from './helpers/server.ts';
import { runCommand } from './helpers/external.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

const CLIENT = `
import type { components, paths } from './api.ts';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
export type Recommendation = Json<paths['/api/v1/transactions']['post']['responses'][200]>;
export type CountRows = NonNullable<paths['/api/v1/transactions']['post']['requestBody']>['content']['application/json'];
export type AlertList = Json<paths['/api/v1/alerts']['get']['responses'][200]>;
export type Silence = components['schemas']['Silence'];
export type ErrorCode = components['schemas']['TxmonError']['error']['code'];
export type AmAlerts = Json<paths['/api/v2/alerts']['get']['responses'][200]>;
export type PostableSilence = components['schemas']['AmPostableSilence'];

export class TxmonApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  constructor(status: number, code: ErrorCode, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function call<T>(base: string, path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(base + path, init);
  const body = await res.json();
  if (!res.ok) {
    const e = body as components['schemas']['TxmonError'];
    throw new TxmonApiError(res.status, e.error.code, e.error.message);
  }
  return body as T;
}

export function ingest(base: string, rows: CountRows): Promise<Recommendation> {
  return call(base, '/api/v1/transactions?complete=true', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rows) });
}
export function alerts(base: string): Promise<AlertList> {
  return call(base, '/api/v1/alerts');
}
export async function silence(base: string, s: PostableSilence): Promise<string> {
  return (await call<{ silenceID: string }>(base, '/api/v2/silences', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(s) })).silenceID;
}
export async function alertNames(base: string): Promise<string[]> {
  return (await call<AmAlerts>(base, '/api/v2/alerts')).map((a) => a.labels.alertname);
}
export function shouldAlert(r: Recommendation): boolean {
  const late: string[] = r.late_minutes.map((m) => m.minute);
  return r.should_alert && late.length >= 0;
}
export const notFound: ErrorCode = 'TXMON_ERR_NOT_FOUND';
`;

const MISUSE = `
import type { components } from './api.ts';
const code: components['schemas']['TxmonError']['error']['code'] = 'TXMON_ERR_NO_SUCH_CODE';
const s: components['schemas']['Silence'] = { id: 'x' };
export { code, s };
`;

describe('OpenAPI document and a client generated from it', () => {
  let srv: TestServer;
  let dir: string;
  let doc: { paths: Record<string, Record<string, any>>; components: { schemas: Record<string, unknown> } };
  before(async () => {
    srv = await startServer();
    doc = await (await fetch(`${srv.url}/docs/json`)).json() as typeof doc;
    dir = mkdtempSync(join(tmpdir(), 'txmon-openapi-'));
  });
  after(async () => {
    await srv?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('every operation: a described 2xx with a schema, TXMON_ERR error bodies, declared path parameters, bodies described', () => {
    const ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
    assert.ok(ops.length >= 30, `only ${ops.length} operations`);
    for (const { path, method, op } of ops) {
      const where = `${method.toUpperCase()} ${path}`;
      const codes = Object.keys(op.responses ?? {});
      const ok = codes.filter((c) => /^2\d\d$/.test(c));
      assert.ok(ok.length > 0, `${where}: no 2xx response`);
      for (const c of codes) assert.notEqual(op.responses[c].description, 'Default Response', `${where} ${c}: undescribed`);
      if (!(method === 'delete' && path.startsWith('/api/v2/'))) {
        assert.ok(ok.some((c) => op.responses[c].content), `${where}: 2xx without a body schema`);
      }
      const errors = codes.filter((c) => /^[45]\d\d$/.test(c));
      // /health answers without a token; everything else says what a missing or weak token gets.
      assert.ok(errors.includes('500') && (path === '/health' || (errors.includes('401') && errors.includes('403'))), `${where}: error responses ${errors}`);
      const errSchema = JSON.stringify(op.responses['500'].content);
      assert.match(errSchema, /TxmonError/, `${where}: 500 is not the TXMON_ERR body`);
      for (const p of path.matchAll(/\{(\w+)\}/g)) {
        assert.ok((op.parameters ?? []).some((x: { in: string; name: string }) => x.in === 'path' && x.name === p[1]), `${where}: path parameter ${p[1]} undeclared`);
      }
      // Every POST takes a body except the stream ticket and the reload.
      if (method === 'post' && !['/api/v1/events/ticket', '/-/reload'].includes(path)) assert.ok(op.requestBody?.content, `${where}: no requestBody`);
    }
    const codes = JSON.stringify(doc.components.schemas.TxmonError);
    for (const c of ['TXMON_ERR_VALIDATION', 'TXMON_ERR_STORE_UNAVAILABLE', 'TXMON_ERR_LIMIT']) assert.ok(codes.includes(c), c);
    const ingest = doc.paths['/api/v1/transactions'].post.requestBody.content;
    assert.deepEqual(Object.keys(ingest).sort(), ['application/json', 'application/x-ndjson', 'text/csv']);
  });

  test('openapi-typescript generates types; a client compiles against them with tsc --strict, a misuse does not, and the client works', async () => {
    const ast = await openapiTS(doc as never);
    writeFileSync(join(dir, 'api.ts'), astToString(ast));
    writeFileSync(join(dir, 'client.ts'), CLIENT);
    writeFileSync(join(dir, 'misuse.ts'), MISUSE);
    const flags = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--allowImportingTsExtensions', '--lib', 'es2022,dom', '--skipLibCheck'];
    const ok = await runCommand(process.execPath, [TSC, ...flags, join(dir, 'client.ts')], 120_000);
    assert.equal(ok.code, 0, `the client does not compile:\n${ok.stdout}${ok.stderr}`);
    const bad = await runCommand(process.execPath, [TSC, ...flags, join(dir, 'misuse.ts')], 120_000);
    assert.notEqual(bad.code, 0, 'a wrong error code and an incomplete Silence must not compile');
    assert.match(bad.stdout, /TXMON_ERR_NO_SUCH_CODE/);

    // The compiled client (Node strips the types) against the running server.
    const client = await import(join(dir, 'client.ts'));
    const rec = await client.ingest(srv.url, warmupRows(Date.UTC(2025, 6, 1, 10, 0), 3, 'gen'));
    assert.equal(rec.accepted.counts, 18);
    assert.equal(typeof client.shouldAlert(rec), 'boolean');
    assert.ok(Array.isArray((await client.alerts(srv.url)).alerts));
    const id = await client.silence(srv.url, {
      matchers: [{ name: 'scope', value: 'gen', isRegex: false, isEqual: true }],
      startsAt: new Date(srv.clock.now()).toISOString(), endsAt: new Date(srv.clock.now() + 3_600_000).toISOString(), createdBy: 'client', comment: 'generated client',
    });
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(await client.alertNames(srv.url), []);
    await assert.rejects(client.silence(srv.url, { matchers: [], endsAt: 'x', createdBy: '', comment: '' }), (e: { status: number; code: string }) => e.status === 400 && e.code.startsWith('TXMON_ERR_'));
  });
});
