import type { Command } from 'commander';
import type { AppContext } from '../app/context.ts';
import { closeApp, openApp } from '../app/bootstrap.ts';
import { createLogger } from '../lib/logger.ts';
import { configFor } from './output.ts';

/** Opens the app for one CLI command (logging only warnings, to stderr) and always closes it. */
export async function withApp<T>(cmd: Command, fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const config = configFor(cmd);
  const ctx = await openApp(config, { logger: createLogger(process.env.LOG_LEVEL ?? 'warn', process.stderr as never) });
  try {
    return await fn(ctx);
  } finally {
    await closeApp(ctx);
  }
}
