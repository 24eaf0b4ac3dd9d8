// The dispatcher as its own process, for the crash test: killed with SIGKILL at random moments, or stopped with
// SIGTERM (then it drains and exits 0). Configured by the environment like the real server.
//
// It starts in two steps so that the test can prepare the next process while the current one works: it opens the
// app and prints 'ready', then starts dispatching when a line 'go' arrives on stdin.
import { createInterface } from 'node:readline';
import { loadConfig } from '../../src/config/config.ts';
import { openApp } from '../../src/app/bootstrap.ts';
import type { BackgroundWorker } from '../../src/kernel/loop.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { startDispatcher } from '../../src/modules/messaging/dispatcher.ts';

const config = loadConfig(process.env);
const ctx = await openApp(config, { logger: createLogger('warn', process.stderr as never) });
let worker: BackgroundWorker | null = null;
// The handler is in place before 'ready' is announced, and a repeated SIGTERM does not cut the drain short.
let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  void (worker?.stop() ?? Promise.resolve()).then(async () => {
    await ctx.close();
    process.exit(0);
  });
});
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() !== 'go' || worker || stopping) return;
  worker = startDispatcher(ctx, {
    workerId: process.env.CRASH_WORKER_ID ?? 'crash-child',
    concurrency: Number(process.env.CRASH_CONCURRENCY ?? 16),
    leaseMs: Number(process.env.CRASH_LEASE_MS ?? 3000),
    timeoutMs: 2000,
    rates: { text: Number(process.env.CRASH_PAGE_RATE ?? 250) },
    idleMs: 20,
  });
  process.stdout.write('started\n');
});
process.stdout.write('ready\n');
if (process.env.CRASH_DEBUG) {
  setInterval(() => {
    void ctx.db
      .selectFrom('deliveries')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('status')
      .execute()
      .then(async (rows) =>
        process.stderr.write(
          `${JSON.stringify(rows)} ${(await ctx.metrics.registry.metrics())
            .split('\n')
            .filter((l) => /send_api_seconds_(sum|count)/.test(l))
            .join(' ')}\n`,
        ),
      );
  }, 1000).unref();
}
