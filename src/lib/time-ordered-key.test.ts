import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { timeOrderedKey } from './time-ordered-key.ts';

test('keys sort as their times do, whatever follows the time', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 2 ** 48 - 1 }),
      fc.integer({ min: 0, max: 2 ** 48 - 1 }),
      fc.string(),
      fc.string(),
      (a, b, ka, kb) => {
        fc.pre(a !== b);
        return a < b === timeOrderedKey(a, ka) < timeOrderedKey(b, kb);
      },
    ),
  );
});

test('the same time and key always make the same key; a missing or odd time counts as 0', () => {
  assert.equal(timeOrderedKey(1_764_331_200_000, 'k'), '019aca559e00k');
  assert.equal(timeOrderedKey(1_764_331_200_000.7, 'k'), timeOrderedKey(1_764_331_200_000, 'k'));
  for (const odd of [undefined, null, Number.NaN, -5, Number.POSITIVE_INFINITY])
    assert.equal(timeOrderedKey(odd, 'k'), '000000000000k');
  assert.equal(timeOrderedKey(2 ** 60, 'k'), 'ffffffffffffk', 'a time past the width is clamped, not widened');
});
