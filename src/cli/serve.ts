import { Command, Option } from 'commander';
import { startPagescope, type Role } from '../app/server.ts';
import { configFor, parsePort } from './output.ts';

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
    .addOption(new Option('--role <role>', 'which parts this process runs').choices(['all', 'web', 'worker']).default('all'))
    .action(async (opts: { port?: number; host?: string; role: Role }, cmd: Command) => {
      const config = configFor(cmd, { ...(opts.port !== undefined ? { port: opts.port } : {}), ...(opts.host ? { host: opts.host } : {}) });
      const running = await startPagescope(config, { role: opts.role });
      // Listening before the line is printed: whoever waits for it may stop the server at once.
      const signal = untilSignal();
      if (running.url) process.stderr.write(`pagescope ${opts.role} listening on ${running.url}\n`);
      const sig = await signal;
      running.ctx.logger.info({ signal: sig }, 'stopping: draining in-flight work');
      await running.close(10_000);
    });
}
