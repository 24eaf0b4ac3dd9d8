import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/config.ts';
import { buildServer } from '../http/app.ts';
import { startMetricsServer } from '../http/metrics-server.ts';
import type { Logger } from '../lib/logger.ts';
import type { Clock } from '../lib/time.ts';
import { KEY_REFRESH_MS, refreshKeyring } from '../modules/keys/keyring-store.ts';
import { rewrapPending } from '../modules/keys/rotate-keys.ts';
import { openApp } from './bootstrap.ts';
import type { AppContext } from '../kernel/context.ts';
import { installHooks, routeModules, startWorkers } from './modules.ts';
import { startLoop, type BackgroundWorker } from '../kernel/loop.ts';
import { newLeaseOwner } from '../lib/lease-owner.ts';
import { watchEventLoopStalls } from '../kernel/event-loop-stalls.ts';
import { startProcessingThread } from './processing-thread.ts';

export type Role = 'all' | 'web' | 'worker';

export interface RunningServer {
  ctx: AppContext;
  server: FastifyInstance | null;
  url: string | null;
  /** Where /metrics is served on its own address (PAGESCOPE_METRICS_LISTEN), else null. */
  metricsUrl: string | null;
  workers: BackgroundWorker[];
  /** Stops accepting, finishes in-flight requests and work (within `graceMs`), closes the database. */
  close(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  role: Role;
  logger?: Logger;
  clock?: Clock;
  /** Hooks and extra workers registered before traffic starts (the sandbox's demo automation). */
  setup?: (ctx: AppContext) => void | Promise<void>;
  /**
   * With all roles, whether processing (webhooks, dispatcher, privacy jobs) runs in a worker thread of its own (the
   * default), or on the server's thread. It stays on the server's thread when `setup` or `clock` is given: hooks and
   * a clock of this thread cannot cross to another.
   */
  processingThread?: boolean;
}

/** Key maintenance every server runs: pick up versions added by `keys rotate`, and finish a pending re-wrap. */
function keyMaintenance(ctx: AppContext): BackgroundWorker {
  return startLoop({ name: 'keys', logger: ctx.logger, idleMs: KEY_REFRESH_MS }, async () => {
    await refreshKeyring(ctx.db, ctx.keyring);
    const r = await rewrapPending(ctx);
    return r && !r.completed ? 1 : 0;
  });
}

/** Starts pagescope in the given role: the HTTP server (web), the background workers (worker), or both. */
export async function startPagescope(config: Config, opts: StartOptions): Promise<RunningServer> {
  const threaded =
    opts.role === 'all' && (opts.processingThread ?? (opts.setup === undefined && opts.clock === undefined));
  const ctx = await openApp(config, {
    migrate: true,
    webhookSpool: opts.role !== 'worker',
    // Where processing has a thread or a process to itself, WAL checkpoints get one too: they no longer hold its commits.
    walCheckpoints: threaded || opts.role === 'worker' ? 'thread' : 'inline',
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  installHooks(ctx);
  await opts.setup?.(ctx);
  let server: FastifyInstance | null = null;
  let url: string | null = null;
  let metricsServer: Awaited<ReturnType<typeof startMetricsServer>> | null = null;
  try {
    if (opts.role !== 'worker') {
      server = await buildServer(ctx, { routes: routeModules() });
      url = await server.listen({ host: config.host, port: config.port });
    }
    const listen = config.metrics?.listen;
    if (listen) metricsServer = await startMetricsServer(ctx, listen);
  } catch (err) {
    // Nothing was served: release what opening took (the webhook spool's lock, the database) before reporting.
    await server?.close();
    await ctx.close();
    throw err;
  }
  const workers: BackgroundWorker[] = [keyMaintenance(ctx)];
  // What an acknowledgement may wait behind: pagescope_event_loop_stall_seconds and …_stall_max_seconds.
  const stallWatch = watchEventLoopStalls(ctx.metrics.registry);
  if (threaded) workers.push(startProcessingThread(ctx, config, newLeaseOwner()));
  else if (opts.role !== 'web')
    workers.push(...startWorkers(ctx, { workerId: newLeaseOwner(), ownThread: opts.role === 'worker' }));
  ctx.logger.info(
    { role: opts.role, url, database: ctx.database.dialect, workers: workers.map((w) => w.name) },
    'pagescope started',
  );
  let closing: Promise<void> | null = null;
  return {
    ctx,
    server,
    url,
    metricsUrl: metricsServer?.url ?? null,
    workers,
    close: (graceMs = 10_000) => {
      closing ??= (async () => {
        const deadline = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
        await Promise.race([
          Promise.all([server?.close(), metricsServer?.close(), ...workers.map((w) => w.stop())]),
          deadline,
        ]);
        stallWatch.stop();
        await ctx.close();
      })();
      return closing;
    },
  };
}
