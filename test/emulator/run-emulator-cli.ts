// Runs the `emulator` command the way the main CLI will mount it, for the CLI tests.
import { Command } from 'commander';
import { emulatorCommand } from '../../src/emulator/cli.ts';

await new Command('pagescope').addCommand(emulatorCommand()).parseAsync(process.argv);
