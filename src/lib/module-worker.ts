import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts the module at `moduleUrl` (its `import.meta.url`) in a worker thread with `workerData`. Compiled
 * (dist/…/x.js) it is started as it is. Run from source (x.ts: the tests, and a checkout without a build) the thread
 * must register tsx before it loads the module, since Node 20 does not carry `--import tsx` into workers; tsx is
 * resolved from this package, not from the working directory, so a server started from any folder still works.
 * The module tells it is the thread's entry by a `role` in its workerData.
 */
export function startModuleWorker(
  moduleUrl: string,
  workerData: Record<string, unknown>,
  opts: Omit<WorkerOptions, 'eval' | 'workerData'> = {},
): Worker {
  if (!moduleUrl.endsWith('.ts')) return new Worker(new URL(moduleUrl), { ...opts, workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(moduleUrl)}); })`;
  return new Worker(entry, { ...opts, eval: true, workerData });
}
