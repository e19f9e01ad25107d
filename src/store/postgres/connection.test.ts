import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePgUrl, redact } from './connection.ts';

test('?schema= becomes a search_path startup option and leaves the URL', () => {
  const t = parsePgUrl('postgres://postgres@127.0.0.1:5432/test?schema=run_42&sslmode=disable');
  assert.equal(t.schema, 'run_42');
  assert.equal(t.options, '-c search_path=run_42');
  assert.equal(t.connectionString, 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable');
  assert.equal(t.max, 10);
});

test('a search_path given through options names the schema too', () => {
  const t = parsePgUrl('postgresql://u:p@h/db?options=-c%20search_path%3Dtenant_a&pool_max=4');
  assert.equal(t.schema, 'tenant_a');
  assert.equal(t.options, '-c search_path=tenant_a');
  assert.equal(t.max, 4);
  const plain = parsePgUrl('postgres://h/db');
  assert.equal(plain.schema, null);
  assert.equal(plain.options, undefined);
});

test('unsafe schema names and bad settings are refused with TXMON_ERR_CONFIG', () => {
  for (const url of [
    'postgres://h/db?schema=a;DROP',
    'postgres://h/db?schema=Upper',
    'postgres://h/db?schema=a%22b',
    'postgres://h/db?pool_max=0',
    'mysql://h/db',
    'not a url',
  ]) assert.throws(() => parsePgUrl(url), (err: Error & { code?: string }) => err.code === 'TXMON_ERR_CONFIG', url);
});

test('redact hides the password', () => {
  assert.equal(redact('postgres://user:secret@h:5432/db'), 'postgres://user:***@h:5432/db');
  assert.equal(redact('postgres://user@h/db'), 'postgres://user@h/db');
});
