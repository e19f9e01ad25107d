import { test } from 'node:test';
import assert from 'node:assert/strict';
import { partitionOf, scopeHash } from './partition.ts';

test('the hash is FNV-1a 32 (reference values), so every instance and version agrees', () => {
  // Reference values of FNV-1a 32 (the published test vectors).
  assert.equal(scopeHash(''), 0x811c9dc5);
  assert.equal(scopeHash('a'), 0xe40c292c);
  assert.equal(scopeHash('foobar'), 0xbf9cf968);
});

test('partitions are in range and spread scopes about evenly', () => {
  const counts = new Array(16).fill(0);
  for (let i = 0; i < 16_000; i++) counts[partitionOf(`merchant-${i}`, 16)]++;
  for (const c of counts) assert.ok(c > 800 && c < 1200, `partition sizes ${counts.join(' ')}`);
  assert.equal(partitionOf('all', 1), 0);
  assert.equal(partitionOf('é', 7), scopeHash('é') % 7);
});
