import { Command } from 'commander';
import { initialise } from '../app/bootstrap.ts';
import { configFor, print } from './output.ts';

export function initCommand(): Command {
  return new Command('init')
    .description('create the data dir, the master key file (mode 0600), the database and the first owner account; prints a one-time API token')
    .action(async (_opts, cmd: Command) => {
      const r = await initialise(configFor(cmd));
      print(
        cmd,
        r,
        [
          `Initialised ${r.data_dir} (${r.database}).`,
          r.key_file ? `Master key: ${r.key_file} (mode 0600) — back it up; without it the data cannot be read.` : 'Master key: from PAGESCOPE_MASTER_KEY.',
          `Owner API token (shown once, store it now): ${r.owner_token}`,
        ].join('\n'),
      );
    });
}
