import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { newId } from './ids.ts';

describe('newId', () => {
  it('orders ids made in the same millisecond by their order of creation', () => {
    const ids = Array.from({ length: 1000 }, () => newId('dl', 1_764_331_200_000));
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('orders ids by time, whatever the order of the times they are made at', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 1, max: 2 ** 20 }), (t, later) => {
        assert.ok(newId('ct', t) < newId('ct', t + later));
        assert.ok(newId('ct', t + later) > newId('ct', t));
      }),
    );
  });

  it('carries over when the random part of the millisecond ends in the last digit', () => {
    // Many ids in one millisecond cross several carries of the last digits (31 → 0 and the next digit up).
    const ids = Array.from({ length: 5000 }, () => newId('m', 42));
    for (let i = 1; i < ids.length; i++) assert.ok(ids[i - 1]! < ids[i]!, `${ids[i - 1]} < ${ids[i]}`);
    assert.match(ids[0]!, /^m_[0-9a-hjkmnp-tv-z]{26}$/);
  });
});
