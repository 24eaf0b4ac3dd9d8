import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from './random.ts';

describe('seeded randomness for tests', () => {
  it('gives the same sequence for the same seed, and another for another seed', () => {
    const take = (seed: number) => Array.from({ length: 8 }, seededRandom(seed));
    assert.deepEqual(take(42), take(42));
    assert.notDeepEqual(take(42), take(43));
  });

  it('stays in [0, 1) and spreads over it', () => {
    const random = seededRandom(7);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 10_000; i++) {
      const x = random();
      assert.ok(x >= 0 && x < 1);
      buckets[Math.floor(x * 10)]!++;
    }
    for (const n of buckets) assert.ok(n > 800 && n < 1200, `a tenth of the range got ${n} of 10,000`);
  });
});
