import type { RouteModule } from '../http/app.ts';
import type { AppContext } from './context.ts';
import type { BackgroundWorker } from './worker.ts';

/**
 * The product's feature modules as the server composes them: their HTTP routes (web role) and their background
 * workers (worker role). Adding a module means adding it here, and nowhere else in the wiring.
 */
export function routeModules(): RouteModule[] {
  return [];
}

export interface WorkerOptions {
  workerId: string;
}

export function startWorkers(_ctx: AppContext, _opts: WorkerOptions): BackgroundWorker[] {
  return [];
}
