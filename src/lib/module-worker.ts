import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts the module at `moduleUrl` (its `import.meta.url`) in a worker thread with `workerData`. Compiled
 * (dist/…/x.js) it is started as it is. Run from source (x.ts: the tests, and a checkout without a build) the thread
 * must register a TypeScript hook before it loads the module, since Node 20 does not carry the process's `--import`
 * hooks into workers: the repository's own (scripts/ts-loader.mjs, esbuild with its output cached), found beside this
 * file, not from the working directory, so a server started from any folder still works. The module tells it is the
 * thread's entry by a `role` in its workerData.
 */
export function startModuleWorker(
  moduleUrl: string,
  workerData: Record<string, unknown>,
  opts: Omit<WorkerOptions, 'eval' | 'workerData'> = {},
): Worker {
  if (!moduleUrl.endsWith('.ts')) return new Worker(new URL(moduleUrl), { ...opts, workerData });
  const loader = new URL('../../scripts/ts-loader.mjs', import.meta.url).href;
  const entry = `import(${JSON.stringify(loader)}).then(() => import(${JSON.stringify(moduleUrl)}))`;
  return new Worker(entry, { ...opts, eval: true, workerData });
}
