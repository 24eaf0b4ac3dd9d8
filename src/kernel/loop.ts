import type { Logger } from '../lib/logger.ts';

/** A background loop: workers of every kind share start/stop semantics and drain on stop. */
export interface BackgroundWorker {
  readonly name: string;
  /** Stops taking new work and resolves once the current iteration has finished. */
  stop(): Promise<void>;
  /** Wakes the loop now instead of after its idle pause (e.g. right after a webhook was stored). */
  wake(): void;
}

export interface LoopOptions {
  name: string;
  logger: Logger;
  /** Pause after an iteration that found nothing to do. */
  idleMs: number;
  /** Pause after an iteration that failed. */
  errorMs?: number;
  /** Pause `idleMs` before the first iteration too (a loop that must let another process go first). */
  idleFirst?: boolean;
}

/** Resolves after the event loop's I/O and timer phases have run once (a macrotask, not a microtask). */
export const letEventLoopRun = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs `iteration` again and again: while it reports work done (> 0) the next one starts as soon as the event loop
 * has run once, after `idleMs` when idle. An iteration whose queries answer at once (SQLite's driver is synchronous,
 * so each await is only a microtask) would otherwise never let the thread's other work run while it finds work: the
 * campaign sender held the dispatcher's Send API answers and disk flushes, and so agents' replies, for seconds.
 * Errors are logged (without personal data: iterations throw AppErrors or driver errors) and retried later.
 */
export function startLoop(opts: LoopOptions, iteration: () => Promise<number>): BackgroundWorker {
  let stopping = false;
  let timer: NodeJS.Timeout | null = null;
  let wakeUp: (() => void) | null = null;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wakeUp = resolve;
      timer = setTimeout(resolve, ms);
    }).finally(() => {
      if (timer) clearTimeout(timer);
      timer = null;
      wakeUp = null;
    });
  const done = (async () => {
    if (opts.idleFirst) await sleep(opts.idleMs);
    while (!stopping) {
      let worked: number;
      try {
        worked = await iteration();
      } catch (err) {
        opts.logger.error({ err, worker: opts.name }, 'worker iteration failed');
        await sleep(opts.errorMs ?? 1000);
        continue;
      }
      if (stopping) break;
      if (worked === 0) await sleep(opts.idleMs);
      else await letEventLoopRun();
    }
  })();
  return {
    name: opts.name,
    wake: () => wakeUp?.(),
    stop: async () => {
      stopping = true;
      wakeUp?.();
      await done;
    },
  };
}
