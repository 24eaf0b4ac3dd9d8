import assert from 'node:assert/strict';
import { test } from 'node:test';
import { secureRandomBytes } from './random.ts';

test('hands out each random byte once: no two 16-byte draws among 100,000 are equal', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 100_000; i++) seen.add(secureRandomBytes(16).toString('hex'));
  assert.equal(seen.size, 100_000);
});

test('never changes bytes it has handed out, across pool refills', () => {
  const first = secureRandomBytes(12);
  const copy = Buffer.from(first);
  for (let i = 0; i < 5_000; i++) secureRandomBytes(12);
  assert.deepEqual(first, copy);
});

test('gives exactly the length asked for, large requests included, and bytes that are not all alike', () => {
  for (const n of [0, 1, 12, 16, 255, 256, 257, 10_000]) assert.equal(secureRandomBytes(n).length, n);
  const big = secureRandomBytes(4096);
  assert.ok(new Set(big).size > 200, 'a 4 KB draw covers most byte values');
});
