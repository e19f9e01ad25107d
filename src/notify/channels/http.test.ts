import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyHttp, parseRetryAfter, shortDetail } from './http.ts';

test('parseRetryAfter reads seconds and HTTP-dates, ignores junk', () => {
  const now = Date.parse('2025-07-15T14:00:00Z');
  assert.equal(parseRetryAfter('120', now), 120_000);
  assert.equal(parseRetryAfter(' 0 ', now), 0);
  assert.equal(parseRetryAfter('Tue, 15 Jul 2025 14:01:00 GMT', now), 60_000);
  assert.equal(parseRetryAfter('Tue, 15 Jul 2025 13:00:00 GMT', now), 0, 'a past date means now');
  assert.equal(parseRetryAfter('5x', now), undefined);
  assert.equal(parseRetryAfter('-3', now), undefined);
  assert.equal(parseRetryAfter(null, now), undefined);
  assert.equal(parseRetryAfter('', now), undefined);
});

test('classifyHttp: 2xx ok, 408/429/5xx retryable, other 4xx permanent', () => {
  assert.deepEqual(classifyHttp('x', 204, '', undefined), { ok: true, retryable: false, status: 204, detail: 'x: HTTP 204' });
  for (const s of [408, 429, 500, 502, 503, 504]) assert.equal(classifyHttp('x', s, '', undefined).retryable, true, String(s));
  for (const s of [400, 401, 403, 404, 410, 413, 422]) assert.equal(classifyHttp('x', s, '', undefined).retryable, false, String(s));
  assert.equal(classifyHttp('x', 429, '', 5000).retryAfterMs, 5000);
  assert.equal(classifyHttp('x', 400, '', 5000).retryAfterMs, undefined);
  assert.equal(shortDetail('a'.repeat(500)).length, 200);
});
