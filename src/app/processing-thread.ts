// In `serve` with all roles, webhook processing, the dispatcher and the privacy jobs run in a worker thread of their
// own, so their CPU work never delays an acknowledgement: the main thread keeps the HTTP server and the webhook
// intake. The two threads share nothing but messages on the worker's port: a stored POST's wake-up, the worker's
// "events appended" (which wakes the event streams), its log lines (written to the main thread's log destination, in
// its format), its metrics for /metrics, and stop.
import { setPriority } from 'node:os';
import { isMainThread, parentPort, workerData, type Worker } from 'node:worker_threads';
import { AggregatorRegistry, Counter, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import { pino } from 'pino';
import type { Config } from '../config/config.ts';
import { createLogger, type Logger } from '../lib/logger.ts';
import { startModuleWorker } from '../lib/module-worker.ts';
import { KEY_REFRESH_MS, refreshKeyring } from '../modules/keys/keyring-store.ts';
import { notifyPostStored, onPostStored } from '../kernel/notifier.ts';
import { openApp } from './bootstrap.ts';
import type { AppContext } from '../kernel/context.ts';
import { installHooks, startWorkers } from './modules.ts';
import { addReadinessCheck, readinessProblems } from '../kernel/readiness.ts';
import { startLoop, type BackgroundWorker } from '../kernel/loop.ts';
import { announceEventsAppended, onEventsAppended } from '../modules/events/events.repository.ts';

const ROLE = 'pagescope-processing';
/** The processing thread's nice value (the server thread's is the process's, usually 0); PAGESCOPE_PROCESSING_NICE. */
const PROCESSING_NICE = 10;

type Metrics = MetricObjectWithValues<MetricValue<string>>[];
/** From the main thread. */
type ToWorker =
  { type: 'wake' } | { type: 'metrics'; id: number } | { type: 'readiness'; id: number } | { type: 'stop' };
/** From the worker. */
type FromWorker =
  | { type: 'ready' }
  | { type: 'events' }
  | { type: 'log'; line: string }
  | { type: 'metrics'; id: number; metrics: Metrics }
  | { type: 'readiness'; id: number; problems: string[] }
  | { type: 'stopped' };

/** Pauses before a thread that died is started again: longer each time it dies soon after a start. */
const RESTART_MS = [100, 1000, 5000, 30_000];
/** A thread that ran this long before it died is started again after the shortest pause. */
const STABLE_MS = 60_000;

export interface ProcessingThread extends BackgroundWorker {
  /** Where the thread stands: loading and opening the app, processing, or not running (it died, or stopped). */
  state(): 'starting' | 'running' | 'stopped';
  /** Ends the thread at once, as a crash would (it is started again): what the restart is tested with. */
  crash(): Promise<void>;
}

/** The main thread's log destination, so the worker's lines come out in the same place and format. */
function destinationOf(logger: Logger): { write(line: string): void } {
  return (logger as unknown as Record<symbol, { write(line: string): void }>)[pino.symbols.streamSym]!;
}

/**
 * Starts the processing thread for this app (`ctx` is the main thread's) and keeps it running: a thread that dies is
 * logged, counted (pagescope_processing_thread_restarts_total) and started again. /readyz says `processing_starting`
 * or `processing_stopped` while it is not running; /metrics includes its metrics.
 */
export function startProcessingThread(ctx: AppContext, config: Config, workerId: string): ProcessingThread {
  const restarts = new Counter({
    name: 'pagescope_processing_thread_restarts_total',
    help: 'Times the processing thread (webhook processing, dispatcher, privacy jobs) died and was started again',
    registers: [ctx.metrics.registry],
  });
  const destination = destinationOf(ctx.logger);
  let worker: Worker | null = null;
  let state: 'starting' | 'running' | 'stopped' = 'starting';
  let stopping = false;
  let failures = 0;
  let startedAt = 0;
  let timer: NodeJS.Timeout | null = null;
  let stopped: (() => void) | null = null;
  let asked = 0;
  const answers = new Map<number, (m: unknown) => void>();

  const start = () => {
    timer = null;
    if (stopping) return;
    state = 'starting';
    startedAt = Date.now();
    const w = startModuleWorker(import.meta.url, {
      role: ROLE,
      config,
      workerId,
      lockWaiters: ctx.database.lockWaiters?.buffer ?? null,
    });
    worker = w;
    const tid = w.threadId;
    w.on('message', (m: FromWorker) => {
      if (m.type === 'log') destination.write(m.line);
      else if (m.type === 'ready') state = 'running';
      else if (m.type === 'events') announceEventsAppended();
      else if (m.type === 'metrics') answers.get(m.id)?.(m.metrics);
      else if (m.type === 'readiness') answers.get(m.id)?.(m.problems);
      else if (m.type === 'stopped') stopped?.();
    });
    w.on('error', (err: Error) =>
      ctx.logger.error({ err: { code: (err as { code?: string }).code ?? err.name } }, 'the processing thread failed'),
    );
    w.on('exit', (code) => {
      worker = null;
      // A thread that ended inside a turn no longer holds the lock: writers stop waiting for its commit.
      ctx.database.lockWaiters?.forget(tid);
      state = 'stopped';
      for (const answer of answers.values()) answer(null);
      answers.clear();
      stopped?.();
      if (stopping) return;
      if (Date.now() - startedAt >= STABLE_MS) failures = 0;
      const pause = RESTART_MS[Math.min(failures++, RESTART_MS.length - 1)]!;
      restarts.inc();
      ctx.logger.error({ exitCode: code, restartInMs: pause }, 'the processing thread stopped; starting it again');
      timer = setTimeout(start, pause);
      timer.unref();
    });
  };
  start();

  /** Asks the running thread for its metrics or its readiness problems; null when it is not running or is late. */
  const ask = <T>(type: 'metrics' | 'readiness'): Promise<T | null> => {
    const w = worker;
    if (!w || state !== 'running') return Promise.resolve(null);
    const id = ++asked;
    return new Promise((resolve) => {
      const late = setTimeout(() => answer(null), 2000);
      const answer = (m: unknown) => {
        clearTimeout(late);
        answers.delete(id);
        resolve(m as T | null);
      };
      answers.set(id, answer);
      w.postMessage({ type, id } satisfies ToWorker);
    });
  };

  // A POST stored by the main thread's intake wakes the processor on the other side: one message per turn of this
  // event loop, however many POSTs the turn stored (each message costs the acknowledging thread).
  let wakeQueued = false;
  const wake = () => {
    if (wakeQueued) return;
    wakeQueued = true;
    setImmediate(() => {
      wakeQueued = false;
      worker?.postMessage({ type: 'wake' } satisfies ToWorker);
    });
  };
  const unsubscribe = onPostStored(ctx, wake);
  // Ready once the thread runs, and its own checks (Redis, for its dispatcher) pass.
  addReadinessCheck(ctx, 'processing', async () => {
    if (state !== 'running') return state === 'starting' ? 'processing_starting' : 'processing_stopped';
    const problems = await ask<string[]>('readiness');
    return problems === null ? 'processing_stopped' : problems.length > 0 ? problems : null;
  });

  // /metrics: the main thread's own, with the worker's added (it runs in this process, so it sends no process_ or
  // nodejs_ metrics of its own: those of the process are the main thread's).
  const registry = ctx.metrics.registry;
  const own = registry.metrics.bind(registry);
  // A thread busy in a long turn may answer late: its last answer stands in, so its counters never seem to fall
  // back to zero between two scrapes (a scraper would read that as a reset).
  let lastTheirs: Metrics | null = null;
  registry.metrics = async () => {
    const theirs = (await ask<Metrics>('metrics')) ?? lastTheirs;
    if (!theirs) return own();
    lastTheirs = theirs;
    return AggregatorRegistry.aggregate([await registry.getMetricsAsJSON(), theirs] as Parameters<
      typeof AggregatorRegistry.aggregate
    >[0]).metrics();
  };

  return {
    name: 'processing-thread',
    state: () => state,
    crash: async () => {
      await worker?.terminate();
    },
    wake,
    stop: async () => {
      stopping = true;
      unsubscribe();
      if (timer) clearTimeout(timer);
      const w = worker;
      if (!w) return;
      // The worker stops its loops (each finishes its iteration) and closes its app, then says so; it exits after.
      await new Promise<void>((resolve) => {
        stopped = resolve;
        w.postMessage({ type: 'stop' } satisfies ToWorker);
      });
      await w.terminate();
    },
  };
}

/** The worker: its own app (database connections, keyring, contact keys) and the background loops of every module. */
async function runProcessing(config: Config, workerId: string, lockWaiters: SharedArrayBuffer | null): Promise<void> {
  try {
    // Linux: this thread's own priority (0 names the calling thread), below the server thread's, as the spool's
    // mover does: on a busy machine the scheduler runs acknowledgements first and processing with what is left.
    setPriority(config.processingNice ?? PROCESSING_NICE);
  } catch {
    // Not permitted here: processing runs at the server's priority.
  }
  const port = parentPort!;
  const post = (m: FromWorker) => port.postMessage(m);
  const logger = createLogger(config.logLevel, { write: (line: string) => post({ type: 'log', line }) });
  const ctx = await openApp(config, {
    logger,
    metrics: { processDefaults: false },
    walCheckpoints: 'elsewhere',
    ...(lockWaiters && { lockWaiters }),
  });
  installHooks(ctx);
  // Versions added by `keys rotate` are picked up here too (the main thread re-wraps): what is processed is sealed
  // under the current one.
  const keys = startLoop({ name: 'keys', logger, idleMs: KEY_REFRESH_MS, idleFirst: true }, async () => {
    await refreshKeyring(ctx.db, ctx.keyring);
    return 0;
  });
  // On SQLite every other writer of the database is a thread of this process (the server's, the intake's), counted
  // in the lockWaiters the server thread handed over (null on PostgreSQL): processing may take long turns and end one
  // whenever any of them waits.
  const ownThread = lockWaiters ? 'yielding' : true;
  const workers = [keys, ...startWorkers(ctx, { workerId, spoolRescue: false, ownThread })];
  // Events appended here wake the server thread's event streams (one message per turn of this event loop).
  let eventsQueued = false;
  onEventsAppended(() => {
    if (eventsQueued) return;
    eventsQueued = true;
    setImmediate(() => {
      eventsQueued = false;
      post({ type: 'events' });
    });
  });
  port.on('message', (m: ToWorker) => {
    if (m.type === 'wake') notifyPostStored(ctx);
    else if (m.type === 'readiness')
      void readinessProblems(ctx).then((problems) => post({ type: 'readiness', id: m.id, problems }));
    else if (m.type === 'metrics')
      void ctx.metrics.registry
        .getMetricsAsJSON()
        .then((metrics) => post({ type: 'metrics', id: m.id, metrics: metrics as Metrics }));
    else if (m.type === 'stop') {
      void Promise.all(workers.map((w) => w.stop()))
        .then(() => ctx.close())
        .finally(() => post({ type: 'stopped' }));
    }
  });
  logger.info({ workers: workers.map((w) => w.name) }, 'processing thread started');
  post({ type: 'ready' });
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === ROLE) {
  const d = workerData as { config: Config; workerId: string; lockWaiters: SharedArrayBuffer | null };
  await runProcessing(d.config, d.workerId, d.lockWaiters);
}
