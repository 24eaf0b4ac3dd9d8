import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { startSandbox } from '../sandbox/start-sandbox.ts';
import { formatSummary } from '../sandbox/summary-view.ts';
import { globals, parsePort } from './output.ts';
import { untilSignal } from './serve.ts';

/** A rate of actions per second: 0 or more, at most 1,000. */
function parseRate(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n > 1000)
    throw new InvalidArgumentError('must be a number of actions per second from 0 to 1000 (0: the people stay quiet)');
  return n;
}

export function sandboxCommand(): Command {
  return new Command('sandbox')
    .description(
      'what `npm start` runs: pagescope + the embedded Messenger emulator + demo Pages and simulated people, offline',
    )
    .option('--port <n>', 'port of the pagescope server', parsePort, 8080)
    .option('--reset', 'start over with empty data')
    .option('--people <n>', 'simulated people', (v) => Number(v), 24)
    .option('--rate <n>', 'simulated actions per second, all people together (0: they stay quiet)', parseRate, 3)
    .option('--interval <ms>', 'how often the summary is refreshed', (v) => Number(v), 1000)
    .action(
      async (opts: { port: number; reset?: boolean; people: number; rate: number; interval: number }, cmd: Command) => {
        const g = globals(cmd);
        const dataDir = resolve(g.dataDir ?? process.env.PAGESCOPE_SANDBOX_DIR ?? './.pagescope-sandbox');
        // Listened for from the start: a Ctrl-C right after the banner (or during start-up) stops it cleanly too.
        const stopSignal = untilSignal();
        const sandbox = await startSandbox({
          dataDir,
          port: opts.port,
          reset: opts.reset ?? false,
          people: opts.people,
          actionsPerSecond: opts.rate,
        });
        const { ready } = sandbox;
        const tty = !g.json && process.stdout.isTTY;
        if (g.json) {
          process.stdout.write(
            `${JSON.stringify({ url: ready.url, owner_token: ready.owner_token, login_url: ready.login_url, emulator_url: ready.emulator_url, pages: ready.pages })}\n`,
          );
        } else {
          process.stdout.write(
            [
              'pagescope sandbox — everything runs here, offline; Ctrl-C stops it, `npm start` continues, `--reset` starts over.',
              `  pagescope    ${ready.url}   (API docs: ${ready.api_docs})`,
              `  emulator     ${ready.emulator_url}/_emulator   (Meta's stand-in: people, Pages, webhooks, Graph API)`,
              `  owner token  ${ready.owner_token}   (${ready.owner_token_kept ? 'the same as the last run' : 'new'}; it stays valid across runs until \`--reset\` or \`pagescope tokens revoke\`)`,
              `  sign in      ${ready.login_url}   (one-time link as the owner, valid 24 hours; a new one each run)`,
              ...ready.pages.map((p) => `  Page         ${p.id}  ${p.name}`),
              '',
            ].join('\n') + '\n',
          );
        }
        let lines = 0;
        let last = '';
        const show = async () => {
          const s = await sandbox.summary();
          if (g.json) {
            process.stdout.write(`${JSON.stringify({ summary: s, at: new Date().toISOString() })}\n`);
            return;
          }
          const text = formatSummary(s, ready.pages);
          if (tty) {
            if (lines) process.stdout.write(`\x1b[${lines}A\x1b[J`);
            process.stdout.write(`${text}\n`);
            lines = text.split('\n').length;
          } else if (text !== last) {
            process.stdout.write(`[${new Date().toISOString()}] ${text.replace(/\n\s*/g, ' | ')}\n`);
          }
          last = text;
        };
        const timer = setInterval(() => void show().catch(() => {}), Math.max(200, opts.interval));
        await show();
        await stopSignal;
        clearInterval(timer);
        if (!g.json) process.stdout.write('\nstopping…\n');
        await sandbox.stop();
        if (!g.json) process.stdout.write('stopped; your data is kept in ' + dataDir + '\n');
      },
    );
}
