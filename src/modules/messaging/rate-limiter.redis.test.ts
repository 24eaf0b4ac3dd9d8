import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisRateLimiter } from './rate-limiter.redis.ts';
import { busiestWindow } from './rate-limiter.check.ts';

const url = process.env.PAGESCOPE_TEST_REDIS_URL;

describe('RedisRateLimiter', { skip: url ? false : 'PAGESCOPE_TEST_REDIS_URL is not set' }, () => {
  const prefix = `pagescope-test:${randomUUID()}:`;
  let first: Redis;
  let second: Redis;

  before(() => {
    first = new Redis(url!);
    second = new Redis(url!);
  });

  after(async () => {
    const keys = await first.keys(`${prefix}*`);
    if (keys.length > 0) await first.del(...keys);
    first.disconnect();
    second.disconnect();
  });

  it('grants up to the limit, then refuses with the time until the oldest grant leaves the window', async () => {
    const limiter = new RedisRateLimiter(first, { prefix });
    for (let i = 0; i < 3; i++) assert.deepEqual(await limiter.tryAcquire('burst', 3, 60_000), { ok: true });
    const refused = await limiter.tryAcquire('burst', 3, 60_000);
    assert.equal(refused.ok, false);
    assert.ok(!refused.ok && refused.retryAfterMs > 0 && refused.retryAfterMs <= 60_000);
  });

  it('counts two grants in the same millisecond separately', async () => {
    const limiter = new RedisRateLimiter(first, { prefix });
    const answers = await Promise.all(Array.from({ length: 10 }, () => limiter.acquireAt('same-ms', 4, 60_000)));
    assert.equal(answers.filter((a) => a.ok).length, 4);
  });

  it('keeps two instances on two connections within the limit together, in every 1-second window', async () => {
    const limit = 25;
    const windowMs = 1000;
    const limiters = [new RedisRateLimiter(first, { prefix }), new RedisRateLimiter(second, { prefix })];
    const granted: number[] = [];
    const deadline = Date.now() + 2500;
    const hammer = async (limiter: RedisRateLimiter) => {
      while (Date.now() < deadline) {
        const answer = await limiter.acquireAt('shared', limit, windowMs);
        if (answer.ok) granted.push(answer.at);
      }
    };
    // Several callers per connection, so requests from both instances interleave inside Redis.
    await Promise.all(limiters.flatMap((l) => [hammer(l), hammer(l), hammer(l), hammer(l)]));
    assert.ok(busiestWindow(granted, windowMs) <= limit, `busiest window held ${busiestWindow(granted, windowMs)}`);
    // 2.5 s of constant demand spans at least two full windows, each of which must have been filled.
    assert.ok(granted.length >= 2 * limit, `only ${granted.length} grants`);
  });

  it('lets the key expire once its window has passed', async () => {
    const limiter = new RedisRateLimiter(first, { prefix });
    await limiter.tryAcquire('expiring', 1, 50);
    await new Promise((resolve) => setTimeout(resolve, 120));
    assert.equal(await first.exists(`${prefix}expiring`), 0);
  });
});
