import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MemoryRateLimiter } from './rate-limiter.ts';
import { busiestWindow } from './rate-limiter.check.ts';

const arrivals = fc
  .array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 400 })), { minLength: 1, maxLength: 300 })
  .map((gaps) => gaps.reduce<number[]>((times, gap) => [...times, (times.at(-1) ?? 1_000_000) + gap], []));

// Dense arrivals against limits above the ring's first size (16): its growth and its dropping of expired grants.
const dense = fc
  .array(fc.integer({ min: 0, max: 40 }), { minLength: 100, maxLength: 400, size: 'max' })
  .map((gaps) => gaps.reduce<number[]>((times, gap) => [...times, (times.at(-1) ?? 1_000_000) + gap], []));

function checkSlidingWindow(times: number[], limit: number, windowMs: number): void {
  const limiter = new MemoryRateLimiter();
  const granted: number[] = [];
  for (const t of times) {
    const answer = limiter.acquireSync('k', limit, windowMs, t);
    const inWindow = granted.filter((g) => t - g < windowMs);
    if (answer.ok) {
      assert.ok(inWindow.length < limit, 'granted into a full window');
      granted.push(t);
    } else {
      assert.equal(inWindow.length, limit, 'refused although the window had room');
      assert.equal(answer.retryAfterMs, Math.min(...inWindow) + windowMs - t);
      assert.ok(answer.retryAfterMs > 0);
    }
  }
  assert.ok(busiestWindow(granted, windowMs) <= limit);
}

describe('MemoryRateLimiter', () => {
  it('keeps the guarantee while its memory grows and sheds grants older than the window', () => {
    fc.assert(
      fc.property(dense, fc.integer({ min: 17, max: 80 }), fc.integer({ min: 50, max: 2000 }), checkSlidingWindow),
      { numRuns: 300 },
    );
  });

  it('never lets any window of windowMs hold more than the limit, and grants whenever the window has room', () => {
    fc.assert(
      fc.property(arrivals, fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 2000 }), checkSlidingWindow),
      { numRuns: 500 },
    );
  });

  it('measures the busiest window the way the guarantee is stated', () => {
    assert.equal(busiestWindow([0, 999, 1000, 1500, 1998], 1000), 4);
    assert.equal(busiestWindow([0, 1000, 2000], 1000), 1);
    assert.equal(busiestWindow([], 1000), 0);
  });

  it('refuses across a second boundary where a fixed window would let twice the limit through', () => {
    const limiter = new MemoryRateLimiter();
    for (let i = 0; i < 5; i++) assert.deepEqual(limiter.acquireSync('page', 5, 1000, 999), { ok: true });
    assert.deepEqual(limiter.acquireSync('page', 5, 1000, 1000), { ok: false, retryAfterMs: 999 });
    assert.deepEqual(limiter.acquireSync('page', 5, 1000, 1999), { ok: true });
  });

  it('keeps keys independent', async () => {
    const limiter = new MemoryRateLimiter();
    assert.deepEqual(await limiter.tryAcquire('a', 1, 1000, 0), { ok: true });
    assert.deepEqual(await limiter.tryAcquire('b', 1, 1000, 0), { ok: true });
    assert.equal((await limiter.tryAcquire('a', 1, 1000, 1)).ok, false);
  });

  it('does not open room when the clock steps back', () => {
    const limiter = new MemoryRateLimiter();
    limiter.acquireSync('k', 2, 1000, 5000);
    limiter.acquireSync('k', 2, 1000, 5000);
    assert.equal(limiter.acquireSync('k', 2, 1000, 0).ok, false);
  });

  it('counts recent grants against a smaller limit after the limit changes', () => {
    const limiter = new MemoryRateLimiter();
    for (let i = 0; i < 4; i++) limiter.acquireSync('k', 10, 1000, 100 + i);
    assert.equal(limiter.acquireSync('k', 3, 1000, 200).ok, false);
    assert.deepEqual(limiter.acquireSync('k', 5, 1000, 200), { ok: true });
  });

  it('forgets idle keys, so memory follows the keys in use', () => {
    const limiter = new MemoryRateLimiter();
    for (let i = 0; i < 2000; i++) limiter.acquireSync(`psid-${i}`, 3, 1000, i);
    assert.ok(limiter.trackedKeys < 2000, `tracked ${limiter.trackedKeys}`);
  });

  it('holds the grants of one window, not the limit: a limit of a million costs what the traffic costs', () => {
    const limiter = new MemoryRateLimiter();
    // 100 grants per second for 30 seconds under a limit that never binds.
    for (let i = 0; i < 3000; i++) assert.equal(limiter.acquireSync('page', 1_000_000, 1000, i * 10).ok, true);
    assert.ok(limiter.capacityOf('page') <= 256, `holds ${limiter.capacityOf('page')} grant times`);
    // A burst within one window grows it as far as the burst needs.
    for (let i = 0; i < 5000; i++) limiter.acquireSync('burst', 1_000_000, 1000, 50_000);
    assert.ok(limiter.capacityOf('burst') >= 5000 && limiter.capacityOf('burst') <= 8192);
  });

  it('never holds more grant times than the limit', () => {
    const limiter = new MemoryRateLimiter();
    for (let i = 0; i < 1000; i++) limiter.acquireSync('k', 40, 1000, i);
    assert.equal(limiter.capacityOf('k'), 40);
  });

  it('rejects a limit that is not a positive integer', () => {
    assert.throws(() => new MemoryRateLimiter().acquireSync('k', 0, 1000, 0), RangeError);
  });
});
