// `pagescope emulator`: the standalone Messenger Platform emulator.
import { Command, InvalidArgumentError } from 'commander';
import { startEmulatorServer } from './http-server.ts';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
}

/** The `emulator` command; prints the URL (or `{"url"}` with --json) and serves until SIGINT/SIGTERM. */
export function emulatorCommand(): Command {
  return new Command('emulator')
    .description('run the Messenger Platform emulator (Graph API, webhook delivery, simulated people)')
    .option('--port <n>', 'port to listen on', port, 8081)
    .option('--host <h>', 'host to listen on', '127.0.0.1')
    .requiredOption('--app-secret <s>', 'the app secret used to sign webhooks')
    .requiredOption('--webhook <url>', 'where webhooks are delivered, e.g. http://127.0.0.1:8080/webhook')
    .option('--verify-token <t>', 'verify token for the webhook handshake', 'emulator-verify-token')
    .option('--app-id <id>', 'the emulated app id', '1517776481860111')
    .option('--seed <seed>', 'seed for ids, tokens and message ids', 'pagescope-emulator')
    .option('--json', 'print one JSON object when ready')
    .action(
      async (o: {
        port: number;
        host: string;
        appSecret: string;
        webhook: string;
        verifyToken: string;
        appId: string;
        seed: string;
        json?: boolean;
      }) => {
        try {
          new URL(o.webhook);
        } catch {
          console.error(
            `emulator: --webhook "${o.webhook}" is not a URL; give the full URL, e.g. http://127.0.0.1:8080/webhook`,
          );
          process.exit(2);
        }
        const server = await startEmulatorServer({
          port: o.port,
          host: o.host,
          appSecret: o.appSecret,
          appId: o.appId,
          verifyToken: o.verifyToken,
          seed: o.seed,
          webhookUrl: o.webhook,
        });
        // Meta verifies a callback when it is registered; pagescope may start after us, so a failed handshake only warns.
        void server.emulator.setWebhook(o.webhook, o.verifyToken).then((r) => {
          if (!r.ok)
            console.error(
              `emulator: webhook handshake with ${o.webhook} failed (${r.error ?? 'no challenge echoed'}); webhooks will be sent anyway`,
            );
        });
        if (o.json) console.log(JSON.stringify({ url: server.url }));
        else
          console.log(
            `Messenger Platform emulator listening on ${server.url} (Graph API: META_GRAPH_URL=${server.url}; control API: ${server.url}/_emulator)`,
          );
        const stop = () => void server.close().then(() => process.exit(0));
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      },
    );
}
