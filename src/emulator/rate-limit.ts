// Fixed-window counters on the emulator's clock, so limits are deterministic when the clock is frozen.

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  /** Counts one call for `key`; false when `limit` calls already happened in the current window. */
  take(key: string, limit: number, windowMs: number, now: number): boolean {
    const w = this.windows.get(key);
    if (!w || now - w.start >= windowMs) {
      this.windows.set(key, { start: now, count: 1 });
      return limit >= 1;
    }
    if (w.count >= limit) return false;
    w.count++;
    return true;
  }
}
