// Sliding-log rate limiting: a grant is recorded with its time, and a new one is refused while the `limit`-th most
// recent grant is younger than `windowMs`. Then no half-open interval of length windowMs ever holds more than `limit`
// grants, unlike a fixed window, which lets 2 × limit through across a boundary.

export type Acquisition = { ok: true } | { ok: false; retryAfterMs: number };

export interface RateLimiter {
  /** Grants one use of `key` unless that would put more than `limit` grants in some interval of `windowMs`. */
  tryAcquire(key: string, limit: number, windowMs: number, now?: number): Promise<Acquisition>;
}

// The last grant times of one key, oldest at `head`: at most `limit` of them, in a ring that starts small and grows
// only while the grants within one window need the room, so memory follows the traffic, not the limit.
interface Log {
  times: Float64Array;
  head: number;
  size: number;
  limit: number;
  windowMs: number;
}

const SWEEP_EVERY = 1024;
const INITIAL_CAPACITY = 16;

/** Per-process limiter; memory is bounded by the grants of one window per key, and idle keys are swept away. */
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
    const newest = log.size > 0 ? log.times[(log.head + log.size - 1) % log.times.length]! : -Infinity;
    const at = Math.max(now, newest);
    if (log.size === limit) {
      const oldest = log.times[log.head]!;
      if (at - oldest < windowMs) return { ok: false, retryAfterMs: oldest + windowMs - at };
      log.times[log.head] = at;
      log.head = (log.head + 1) % log.times.length;
    } else {
      if (log.size === log.times.length) makeRoom(log, at);
      log.times[(log.head + log.size) % log.times.length] = at;
      log.size += 1;
    }
    return { ok: true };
  }

  /** Number of keys currently tracked (idle keys disappear at the next sweep). */
  get trackedKeys(): number {
    return this.logs.size;
  }

  /** Grant times held for `key` (for tests of the memory bound). */
  capacityOf(key: string): number {
    return this.logs.get(key)?.times.length ?? 0;
  }

  private logFor(key: string, limit: number, windowMs: number): Log {
    const log = this.logs.get(key);
    if (log && log.limit === limit) {
      log.windowMs = Math.max(log.windowMs, windowMs);
      return log;
    }
    // New key, or the limit changed: keep the most recent grants that still fit, so the new limit counts them.
    const keep = log ? Math.min(log.size, limit) : 0;
    const fresh: Log = {
      times: new Float64Array(Math.min(limit, Math.max(INITIAL_CAPACITY, keep))),
      head: 0,
      size: keep,
      limit,
      windowMs,
    };
    if (log) {
      for (let i = 0; i < keep; i++) fresh.times[i] = log.times[(log.head + log.size - keep + i) % log.times.length]!;
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

// The ring is full but below the limit: grants older than a window can no longer refuse anything, so they go first;
// if the window itself holds that many, the ring doubles (never beyond the limit).
function makeRoom(log: Log, at: number): void {
  const cap = log.times.length;
  while (log.size > 0 && at - log.times[log.head]! >= log.windowMs) {
    log.head = (log.head + 1) % cap;
    log.size -= 1;
  }
  if (log.size < cap) return;
  const grown = new Float64Array(Math.min(log.limit, cap * 2));
  for (let i = 0; i < log.size; i++) grown[i] = log.times[(log.head + i) % cap]!;
  log.times = grown;
  log.head = 0;
}
