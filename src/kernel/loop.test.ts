import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../lib/logger.ts';
import { startLoop } from './loop.ts';

const logger = createLogger('silent');

/** Counts a loop's iterations; `next()` resolves when the next one runs. */
function counted() {
  let n = 0;
  let ran: (() => void) | null = null;
  return {
    count: () => n,
    next: () => new Promise<void>((resolve) => (ran = resolve)),
    iteration: async () => {
      n++;
      ran?.();
      return 0;
    },
  };
}

describe('a background loop', () => {
  it('runs its first iteration at once, or after one pause with idleFirst (or when woken)', async () => {
    const plain = counted();
    const delayed = counted();
    const plainRan = plain.next();
    const a = startLoop({ name: 'plain', logger, idleMs: 60_000 }, plain.iteration);
    const b = startLoop({ name: 'delayed', logger, idleMs: 60_000, idleFirst: true }, delayed.iteration);
    await plainRan;
    // Nothing but a wake-up ends the delayed loop's first pause (a minute) in this test.
    assert.deepEqual([plain.count(), delayed.count()], [1, 0]);
    const delayedRan = delayed.next();
    b.wake();
    await delayedRan;
    assert.deepEqual([plain.count(), delayed.count()], [1, 1]);
    await Promise.all([a.stop(), b.stop()]);
  });
});

describe('a busy background loop', () => {
  it('lets the rest of its thread run between iterations that answer at once', async () => {
    // Every iteration finds work and awaits only microtasks (as queries on SQLite's synchronous driver do), for
    // 10,000 iterations; a timer and an immediate callback set meanwhile must not wait for the loop to go idle.
    let n = 0;
    const loop = startLoop({ name: 'busy', logger, idleMs: 60_000 }, async () => {
      await Promise.resolve();
      return ++n < 10_000 ? 1 : 0;
    });
    const atImmediate = await new Promise<number>((resolve) => setImmediate(() => resolve(n)));
    const atTimer = await new Promise<number>((resolve) => setTimeout(() => resolve(n), 1));
    await loop.stop();
    assert.ok(atImmediate < 10, `an immediate callback ran after ${atImmediate} iterations`);
    assert.ok(atTimer < 10_000, `a timer ran after ${atTimer} iterations, only once the loop went idle`);
  });
});
