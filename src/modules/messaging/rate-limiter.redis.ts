import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Acquisition, RateLimiter } from './rate-limiter.ts';

// The sliding log as a sorted set scored by grant time. The script runs atomically, so instances sharing one Redis
// never exceed the limit together, and it reads Redis's own clock so their clocks need not agree.
// Members carry a per-call unique id: two grants in the same millisecond must both count. Needs Redis >= 5, whose
// scripts replicate their effects, so reading TIME before writing is allowed.
const SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, now .. ':' .. ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, 0, now}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, tonumber(oldest[2]) + window - now, now}
`;

type ScriptReply = [number, number, number];
const SCRIPT_SHA = createHash('sha1').update(SCRIPT).digest('hex');

export interface RedisRateLimiterOptions {
  /** Prefix of every key this limiter writes; one per application or test run. */
  prefix?: string;
}

/** Limiter shared by every process on one Redis; atomic per key, clocked by Redis (the `now` argument is ignored). */
export class RedisRateLimiter implements RateLimiter {
  private readonly prefix: string;
  private readonly instance = randomUUID();
  private sequence = 0;

  constructor(
    private readonly redis: Redis,
    options: RedisRateLimiterOptions = {},
  ) {
    this.prefix = options.prefix ?? 'pagescope:rl:';
  }

  async tryAcquire(key: string, limit: number, windowMs: number, _now?: number): Promise<Acquisition> {
    const reply = await this.acquireAt(key, limit, windowMs);
    return reply.ok ? { ok: true } : { ok: false, retryAfterMs: reply.retryAfterMs };
  }

  /** tryAcquire, also telling the Redis time of the decision (so tests can audit every window). */
  async acquireAt(key: string, limit: number, windowMs: number): Promise<Acquisition & { at: number }> {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
    if (!Number.isInteger(windowMs) || windowMs < 1) throw new RangeError('windowMs must be a positive integer');
    const member = `${this.instance}:${++this.sequence}`;
    const [ok, retryAfterMs, at] = await this.run(this.prefix + key, limit, windowMs, member);
    return ok === 1 ? { ok: true, at } : { ok: false, retryAfterMs, at };
  }

  // EVALSHA saves sending the script on every call; the first call after a Redis restart loads it again.
  private async run(key: string, ...args: (string | number)[]): Promise<ScriptReply> {
    try {
      return (await this.redis.evalsha(SCRIPT_SHA, 1, key, ...args)) as ScriptReply;
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return (await this.redis.eval(SCRIPT, 1, key, ...args)) as ScriptReply;
    }
  }
}
