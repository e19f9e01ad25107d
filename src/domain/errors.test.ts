import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tooDeep } from './errors.ts';

test('tooDeep: flat records pass; the first path deeper than the limit is named, in objects and arrays', () => {
  assert.equal(tooDeep({ id: 'a', count: 3, note: null }, 1), null);
  assert.equal(tooDeep({ id: 'a', meta: { x: 1 } }, 1), '$.meta');
  assert.equal(tooDeep({ id: 'a', meta: { x: 1 } }, 2), null);
  assert.equal(tooDeep([[1]], 1), '$[0]');
  assert.equal(tooDeep({ a: 1 }, 0), '$', 'even a flat object is deeper than 0');
  let deep: unknown = 1;
  for (let i = 0; i < 40; i++) deep = { k: deep };
  assert.match(tooDeep({ row: deep })!, /^\$\.row(\.k)+$/);
});
