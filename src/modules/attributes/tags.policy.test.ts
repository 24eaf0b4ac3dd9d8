import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_TAGS_PER_CONTACT, overTagCap } from './tags.policy.ts';

test('an enforced cap refuses exactly the counts past the maximum; an exempt writer is never refused', () => {
  fc.assert(
    fc.property(fc.nat(10 * MAX_TAGS_PER_CONTACT), (count) => {
      assert.equal(overTagCap(count, 'enforced'), count > MAX_TAGS_PER_CONTACT);
      assert.equal(overTagCap(count, 'exempt'), false);
    }),
  );
  assert.equal(overTagCap(MAX_TAGS_PER_CONTACT, 'enforced'), false);
  assert.equal(overTagCap(MAX_TAGS_PER_CONTACT + 1, 'enforced'), true);
});
