import { test } from 'node:test';
import assert from 'node:assert/strict';
import { padToBucket } from './batch-size.ts';

test('a batch is padded to the next power of two with copies of its last element', () => {
  assert.deepEqual(padToBucket([]), []);
  assert.deepEqual(padToBucket(['a']), ['a', 'a', 'a', 'a']);
  assert.deepEqual(padToBucket(['a', 'b', 'c', 'd']), ['a', 'b', 'c', 'd']);
  assert.deepEqual(padToBucket([1, 2, 3, 4, 5]), [1, 2, 3, 4, 5, 5, 5, 5]);
  assert.equal(padToBucket(Array.from({ length: 33 }, (_, i) => i)).length, 64);
});

test('so that batches of any size up to 1024 use at most nine statement shapes', () => {
  const sizes = new Set(
    Array.from({ length: 1024 }, (_, i) => padToBucket(Array.from({ length: i + 1 }, () => 0)).length),
  );
  assert.deepEqual([...sizes], [4, 8, 16, 32, 64, 128, 256, 512, 1024]);
});
