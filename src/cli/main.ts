import { Command, CommanderError } from 'commander';
import { reportError } from './output.ts';

/**
 * Every command, with the one line the top-level help shows and how to load it. A call loads only the command it
 * names (`pages list` never loads the HTTP server, the emulator or Redis): most of a CLI call's time went into
 * loading modules it did not use.
 */
const COMMANDS: { name: string; summary: string; load: () => Promise<Command> }[] = [
  {
    name: 'init',
    summary: 'create the data dir, master key, database and first owner token',
    load: async () => (await import('./init.ts')).initCommand(),
  },
  {
    name: 'serve',
    summary: 'the production server: webhook, REST API and background workers',
    load: async () => (await import('./serve.ts')).serveCommand(),
  },
  {
    name: 'sandbox',
    summary: 'what `npm start` runs: pagescope + the embedded emulator + demo data, offline',
    load: async () => (await import('./sandbox.ts')).sandboxCommand(),
  },
  {
    name: 'migrate',
    summary: 'apply pending database migrations',
    load: async () => (await import('./migrate.ts')).migrateCommand(),
  },
  {
    name: 'pages',
    summary: 'register and inspect Facebook Pages',
    load: async () => (await import('./pages.ts')).pagesCommand(),
  },
  { name: 'tokens', summary: 'API tokens', load: async () => (await import('./tokens.ts')).tokensCommand() },
  {
    name: 'users',
    summary: 'people who sign in: add, list, disable',
    load: async () => (await import('./users.ts')).usersCommand(),
  },
  {
    name: 'keys',
    summary: 'encryption key versions and rotation',
    load: async () => (await import('./keys.ts')).keysCommand(),
  },
  {
    name: 'send',
    summary: 'queue a message to a contact',
    load: async () => (await import('./send.ts')).sendCommand(),
  },
  {
    name: 'contacts',
    summary: 'merge two records of one person on a Page, or undo it; tag them and set their attributes',
    load: async () => (await import('./contacts.ts')).contactsCommand(),
  },
  {
    name: 'export',
    summary: "export a Page's contacts as CSV or JSON Lines",
    load: async () => (await import('./export.ts')).exportCommand(),
  },
  {
    name: 'import',
    summary: 'import contacts, products or orders from a CSV or JSON Lines file',
    load: async () => (await import('./import.ts')).importCommand(),
  },
  {
    name: 'attributes',
    summary: "define and list a Page's contact attributes",
    load: async () => (await import('./attributes.ts')).attributesCommand(),
  },
  {
    name: 'privacy',
    summary: 'data subject requests and retention',
    load: async () => (await import('./privacy.ts')).privacyCommand(),
  },
  {
    name: 'emulator',
    summary: 'the standalone Messenger Platform emulator',
    load: async () => (await import('../emulator/cli.ts')).emulatorCommand(),
  },
];

/** Global options that take a value: the word after them is not a command name. */
const VALUE_OPTIONS = new Set(['--data-dir']);

/** The command an argument list names (the first word that is not an option, an option's value or `help`), if any. */
export function commandNamed(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (VALUE_OPTIONS.has(a)) i++;
    else if (a === 'help') continue;
    else if (!a.startsWith('-')) return COMMANDS.some((c) => c.name === a) ? a : undefined;
  }
  return undefined;
}

/**
 * The program with the commands `argv` needs: the one it names, loaded; or, for the top-level help and unknown
 * words, every command as a name and summary only (each loads when called).
 */
export async function buildProgram(argv: string[] = []): Promise<Command> {
  const program = new Command('pagescope')
    .description('Messenger contacts, conversations and sends around the Page-scoped ID')
    .option('--json', 'print one JSON object on stdout, for scripts')
    .option('--debug', 'print stack traces with errors')
    .option('--data-dir <dir>', 'data dir (PAGESCOPE_DATA_DIR, default ./.pagescope)')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  const named = commandNamed(argv.slice(2));
  for (const c of COMMANDS) {
    program.addCommand(named === c.name ? await c.load() : new Command(c.name).summary(c.summary));
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
  const json = argv.includes('--json');
  try {
    await (await buildProgram(argv)).parseAsync(argv);
    return 0;
  } catch (err) {
    if (
      err instanceof CommanderError &&
      (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help')
    )
      return 0;
    return reportError(err, debug, json);
  }
}
