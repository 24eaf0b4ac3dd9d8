import { Command, Option } from 'commander';
import { startPagescope, type Role } from '../app/server.ts';
import { createServerLogger } from '../lib/logger.ts';
import { configFor, globals, parsePort } from './output.ts';

/** Resolves once SIGINT or SIGTERM arrives. */
export function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: string) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export function serveCommand(): Command {
  return new Command('serve')
    .description('the production server: webhook, REST API, web UI and background workers')
    .option('--port <n>', 'port to listen on (PORT)', parsePort)
    .option('--host <h>', 'address to listen on (HOST)')
    .addOption(
      new Option('--role <role>', 'which parts this process runs').choices(['all', 'web', 'worker']).default('all'),
    )
    .action(async (opts: { port?: number; host?: string; role: Role }, cmd: Command) => {
      const config = configFor(cmd, {
        ...(opts.port !== undefined ? { port: opts.port } : {}),
        ...(opts.host ? { host: opts.host } : {}),
      });
      // Readable lines on a terminal; JSON lines when asked (--json, LOG_FORMAT=json) or when not a terminal.
      const format = globals(cmd).json ? 'json' : (config.logFormat ?? 'auto');
      const running = await startPagescope(config, {
        role: opts.role,
        logger: createServerLogger(config.logLevel, format),
      });
      // Listening before the line is printed: whoever waits for it may stop the server at once.
      const signal = untilSignal();
      if (running.url) process.stderr.write(`pagescope ${opts.role} listening on ${running.url}\n`);
      if (running.metricsUrl) process.stderr.write(`metrics on ${running.metricsUrl}\n`);
      const sig = await signal;
      running.ctx.logger.info({ signal: sig }, 'stopping: draining in-flight work');
      await running.close(10_000);
    });
}
