import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pageOf } from './paging.ts';

test('a page with the extra row shows `limit` rows and a cursor from the last one shown', () => {
  assert.deepEqual(
    pageOf([1, 2, 3], 2, (n) => `c${n}`),
    { rows: [1, 2], nextCursor: 'c2' },
  );
});

test('a page without the extra row is the last one', () => {
  assert.deepEqual(
    pageOf([1, 2], 2, (n) => `c${n}`),
    { rows: [1, 2], nextCursor: null },
  );
  assert.deepEqual(
    pageOf([], 2, (n: number) => `c${n}`),
    { rows: [], nextCursor: null },
  );
});
