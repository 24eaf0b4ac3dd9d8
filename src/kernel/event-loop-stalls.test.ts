import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { watchEventLoopStalls } from './event-loop-stalls.ts';

/** The stalls histogram's observations: how many in all, and how many at or under each bucket's bound. */
async function observed(registry: Registry): Promise<{ count: number; atMost: (le: number) => number }> {
  const [metric] = (await registry.getMetricsAsJSON()).filter((m) => m.name === 'pagescope_event_loop_stall_seconds');
  const values = (metric as unknown as { values: { metricName: string; labels: { le?: number }; value: number }[] })
    .values;
  return {
    count: values.find((v) => v.metricName.endsWith('_count'))!.value,
    atMost: (le) => values.find((v) => v.metricName.endsWith('_bucket') && v.labels.le === le)!.value,
  };
}

async function maxSinceStart(registry: Registry): Promise<number> {
  const [metric] = (await registry.getMetricsAsJSON()).filter(
    (m) => m.name === 'pagescope_event_loop_stall_max_seconds',
  );
  return (metric as unknown as { values: { value: number }[] }).values[0]!.value;
}

/** Resolves once the histogram holds more than `n` windows. */
async function windowsPast(registry: Registry, n: number): Promise<void> {
  while ((await observed(registry)).count <= n) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Keeps the thread busy, its event loop standing still, for `ms`. */
function block(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('the event-loop stall watch', () => {
  it('puts a stall in the histogram of its window, and in the longest since start', async () => {
    const registry = new Registry();
    const watch = watchEventLoopStalls(registry, { windowMs: 100 });
    try {
      await windowsPast(registry, 0);
      const before = await observed(registry);
      block(150);
      await windowsPast(registry, before.count + 1);
      const after = await observed(registry);
      // The window that held the stall is over 0.1 s; the stall did not vanish between two windows.
      assert.ok(after.count - after.atMost(0.1) > before.count - before.atMost(0.1));
      assert.ok((await maxSinceStart(registry)) >= 0.14);
    } finally {
      watch.stop();
    }
  });

  it('observes nothing more once stopped', async () => {
    const registry = new Registry();
    const watch = watchEventLoopStalls(registry, { windowMs: 20 });
    await windowsPast(registry, 1);
    watch.stop();
    const stopped = (await observed(registry)).count;
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal((await observed(registry)).count, stopped);
  });
});
