import { Command } from 'commander';
import { loadMasterKey } from '../crypto/index.ts';
import { cliActor } from '../modules/access/actor.ts';
import { KEY_REFRESH_MS } from '../modules/keys/keyring-store.ts';
import { addKeyVersion, keyStatus, rewrapPending, rotationPending } from '../modules/keys/rotate-keys.ts';
import { configFor, print, progress } from './output.ts';
import { withApp } from './with-app.ts';

export function keysCommand(): Command {
  const keys = new Command('keys').description('encryption key versions');
  keys
    .command('status')
    .description('how many stored values each key version still protects')
    .action(async (_opts, cmd: Command) =>
      withApp(cmd, async (ctx) => {
        const versions = await keyStatus(ctx);
        const pending = await rotationPending(ctx);
        // Raw webhook bodies are sealed under intake keys: the current one, and old ones until their bodies are gone.
        const intake = ctx.contactKeys.intakeKeyList().length;
        print(
          cmd,
          { versions, rotation_pending: pending, intake_keys: intake },
          versions.map((v) => `v${v.version}${v.current ? ' (current)' : ''}: ${v.rows} rows`).join('\n') +
            `\nintake keys: ${intake}` +
            (pending
              ? '\nA re-wrap is pending: `pagescope keys rotate --resume`, or any running server finishes it.'
              : ''),
        );
      }),
    );
  keys
    .command('rotate')
    .description('add a new key version and re-encrypt every stored value with it, beside live traffic; resumable')
    .option('--resume', 'finish a pending re-wrap without adding another version')
    .action(async (opts: { resume?: boolean }, cmd: Command) =>
      withApp(cmd, async (ctx) => {
        let version = ctx.keyring.currentVersion;
        if (!opts.resume) {
          const config = configFor(cmd);
          const master = loadMasterKey({
            env: { ...process.env, PAGESCOPE_MASTER_KEY: config.masterKey ?? undefined },
            dataDir: config.dataDir,
          });
          version = await addKeyVersion(ctx, cliActor, master);
          master.fill(0);
          // A running server loads the new version within KEY_REFRESH_MS; values re-wrapped before that would be
          // unreadable to it for the rest of that time (its reads would fail), so the re-wrap starts after it.
          progress(`waiting ${Math.ceil(KEY_REFRESH_MS / 1000) + 1} s for running servers to load key v${version}`);
          await new Promise((resolve) => setTimeout(resolve, KEY_REFRESH_MS + 1000));
        }
        const abort = new AbortController();
        const onSignal = () => abort.abort();
        process.once('SIGINT', onSignal);
        try {
          const result = await rewrapPending(ctx, {
            signal: abort.signal,
            onProgress: (p) =>
              progress(`re-wrapping ${p.source}: ${p.scanned} scanned, ${p.rewrapped} re-wrapped (pass ${p.pass})`),
          });
          if (process.stderr.isTTY) progress('', true);
          const versions = await keyStatus(ctx);
          print(
            cmd,
            {
              version,
              rewrapped: result?.rewrapped ?? 0,
              completed: result?.completed ?? true,
              aborted: result?.aborted ?? false,
              versions,
            },
            result?.aborted
              ? `Stopped. Key v${version} is current; finish with \`pagescope keys rotate --resume\`.`
              : `Key v${version} is current; re-wrapped ${result?.rewrapped ?? 0} values.\n` +
                  versions.map((v) => `v${v.version}: ${v.rows} rows`).join('\n'),
          );
        } finally {
          process.off('SIGINT', onSignal);
        }
      }),
    );
  return keys;
}
