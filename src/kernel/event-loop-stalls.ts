import { Gauge, Histogram, type Registry } from 'prom-client';

/** How often the watch's timer asks to run: a stall shorter than this is not seen. */
const TICK_MS = 10;

/** Upper bounds, in seconds, of the buckets of the stalls histogram. */
const STALL_BUCKETS = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5];

export interface StallWatch {
  stop(): void;
}

/**
 * Watches the stalls of this thread's event loop: a timer that asks to run every TICK_MS notes how much later than
 * that it ran (the time the loop stood still, running something else), and publishes
 * - `pagescope_event_loop_stall_seconds`, a histogram of the longest stall of each window (a second by default), from
 *   which any span of time can be read by the difference of two scrapes: how many seconds of a load had a stall over
 *   50 ms, the longest in that span to the bucket;
 * - `pagescope_event_loop_stall_max_seconds`, the longest since the watch began (start-up included).
 * Node's monitorEventLoopDelay is not used: after each reset it drops the interval in progress, so a stall that
 * began just before a window closed would be lost from both windows.
 */
export function watchEventLoopStalls(registry: Registry, opts: { windowMs?: number } = {}): StallWatch {
  const windowMs = opts.windowMs ?? 1000;
  const stalls = new Histogram({
    name: 'pagescope_event_loop_stall_seconds',
    help: "Longest stall of the server thread's event loop in each second (what an acknowledgement may wait behind)",
    buckets: STALL_BUCKETS,
    registers: [registry],
  });
  let worstInWindow = 0;
  let worstSinceStart = 0;
  new Gauge({
    name: 'pagescope_event_loop_stall_max_seconds',
    help: "Longest stall of the server thread's event loop since start",
    registers: [registry],
    collect() {
      this.set(Math.max(worstSinceStart, worstInWindow) / 1000);
    },
  });
  let last = performance.now();
  let windowStart = last;
  const timer = setInterval(() => {
    const now = performance.now();
    const stall = Math.max(0, now - last - TICK_MS);
    last = now;
    if (stall > worstInWindow) worstInWindow = stall;
    if (now - windowStart < windowMs) return;
    stalls.observe(worstInWindow / 1000);
    if (worstInWindow > worstSinceStart) worstSinceStart = worstInWindow;
    worstInWindow = 0;
    windowStart = now;
  }, TICK_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
