import { Command } from 'commander';
import { initialise } from '../app/bootstrap.ts';
import { configFor, print } from './output.ts';

export function initCommand(): Command {
  return new Command('init')
    .description(
      'create the data dir, the master key file (mode 0600), the database and the owner: a one-time API token and an account with a one-time sign-in link',
    )
    .option('--email <email>', "the owner account's email, used to sign in", 'owner@localhost')
    .action(async (opts: { email: string }, cmd: Command) => {
      const r = await initialise(configFor(cmd), { ownerEmail: opts.email });
      print(
        cmd,
        r,
        [
          `Initialised ${r.data_dir} (${r.database}).`,
          r.key_file
            ? `Master key: ${r.key_file} (mode 0600) — back it up; without it the data cannot be read.`
            : 'Master key: from PAGESCOPE_MASTER_KEY.',
          `Owner API token (shown once, store it now): ${r.owner_token}`,
          `Owner account ${r.owner_email}: sign in once through this link (valid 24 hours) and set a password: ${r.login_url}`,
        ].join('\n'),
      );
    });
}
