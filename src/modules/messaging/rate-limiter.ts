// Sliding-log rate limiting: a grant is recorded with its time, and a new one is refused while the `limit`-th most
// recent grant is younger than `windowMs`. Then no half-open interval of length windowMs ever holds more than `limit`
// grants, unlike a fixed window, which lets 2 × limit through across a boundary.

export type Acquisition = { ok: true } | { ok: false; retryAfterMs: number };

export interface RateLimiter {
  /** Grants one use of `key` unless that would put more than `limit` grants in some interval of `windowMs`. */
  tryAcquire(key: string, limit: number, windowMs: number, now?: number): Promise<Acquisition>;
}

// The last `limit` grant times of one key, oldest at `head`; memory is exactly `limit` numbers.
interface Log {
  times: Float64Array;
  head: number;
  size: number;
  windowMs: number;
}

const SWEEP_EVERY = 1024;

/** Per-process limiter; memory is bounded by `limit` timestamps per key, and idle keys are swept away. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly logs = new Map<string, Log>();
  private calls = 0;

  async tryAcquire(key: string, limit: number, windowMs: number, now: number = Date.now()): Promise<Acquisition> {
    return this.acquireSync(key, limit, windowMs, now);
  }

  /** Same as tryAcquire, without the promise, for hot loops and tests. */
  acquireSync(key: string, limit: number, windowMs: number, now: number = Date.now()): Acquisition {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
    if (!(windowMs > 0)) throw new RangeError('windowMs must be positive');
    if (++this.calls % SWEEP_EVERY === 0) this.sweep(now);

    const log = this.logFor(key, limit, windowMs);
    // A clock that steps back must not open room that the recorded grants already used.
    const newest = log.size > 0 ? log.times[(log.head + log.size - 1) % limit]! : -Infinity;
    const at = Math.max(now, newest);
    if (log.size === limit) {
      const oldest = log.times[log.head]!;
      if (at - oldest < windowMs) return { ok: false, retryAfterMs: oldest + windowMs - at };
      log.times[log.head] = at;
      log.head = (log.head + 1) % limit;
    } else {
      log.times[(log.head + log.size) % limit] = at;
      log.size += 1;
    }
    return { ok: true };
  }

  /** Number of keys currently tracked (idle keys disappear at the next sweep). */
  get trackedKeys(): number {
    return this.logs.size;
  }

  private logFor(key: string, limit: number, windowMs: number): Log {
    const log = this.logs.get(key);
    if (log && log.times.length === limit) {
      log.windowMs = Math.max(log.windowMs, windowMs);
      return log;
    }
    const fresh: Log = { times: new Float64Array(limit), head: 0, size: 0, windowMs };
    if (log) {
      // The limit changed: keep the most recent grants that still fit, so the new limit counts them.
      const keep = Math.min(log.size, limit);
      for (let i = 0; i < keep; i++) {
        fresh.times[i] = log.times[(log.head + log.size - keep + i) % log.times.length]!;
      }
      fresh.size = keep;
      fresh.windowMs = Math.max(log.windowMs, windowMs);
    }
    this.logs.set(key, fresh);
    return fresh;
  }

  private sweep(now: number): void {
    for (const [key, log] of this.logs) {
      if (log.size === 0) {
        this.logs.delete(key);
        continue;
      }
      const newest = log.times[(log.head + log.size - 1) % log.times.length]!;
      if (now - newest >= log.windowMs) this.logs.delete(key);
    }
  }
}
