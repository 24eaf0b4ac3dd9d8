import { Command, CommanderError } from 'commander';
import { emulatorCommand } from '../emulator/cli.ts';
import { contactsCommand } from './contacts.ts';
import { initCommand } from './init.ts';
import { keysCommand } from './keys.ts';
import { migrateCommand } from './migrate.ts';
import { reportError } from './output.ts';
import { pagesCommand } from './pages.ts';
import { privacyCommand } from './privacy.ts';
import { sandboxCommand } from './sandbox.ts';
import { sendCommand } from './send.ts';
import { serveCommand } from './serve.ts';
import { tokensCommand } from './tokens.ts';

export function buildProgram(): Command {
  const program = new Command('pagescope')
    .description('Messenger contacts, conversations and sends around the Page-scoped ID')
    .option('--json', 'print one JSON object on stdout, for scripts')
    .option('--debug', 'print stack traces with errors')
    .option('--data-dir <dir>', 'data dir (PAGESCOPE_DATA_DIR, default ./.pagescope)')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const cmd of [initCommand(), serveCommand(), sandboxCommand(), migrateCommand(), pagesCommand(), tokensCommand(), keysCommand(), sendCommand(), contactsCommand(), privacyCommand(), emulatorCommand()]) {
    program.addCommand(cmd);
  }
  // Options may follow the subcommand (`pagescope pages list --json`): let every subcommand see the globals.
  program.commands.forEach(function allowGlobals(c: Command) {
    c.exitOverride();
    c.commands.forEach(allowGlobals);
  });
  program.exitOverride();
  return program;
}

/** Runs the CLI; resolves to the exit code (0 success, 1 failure, 2 usage error). */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError && (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help')) return 0;
    return reportError(err, debug);
  }
}
