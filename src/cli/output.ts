import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig, type Config, type ConfigOverrides } from '../config/config.ts';
import { isAppError } from '../errors.ts';

/** Global options every command accepts. */
export interface GlobalOptions {
  json?: boolean;
  debug?: boolean;
  dataDir?: string;
}

export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals() as GlobalOptions;
}

/** The configuration for a command: environment, then the command's flags. */
export function configFor(cmd: Command, overrides: ConfigOverrides = {}): Config {
  const g = globals(cmd);
  return loadConfig(process.env, { ...(g.dataDir ? { dataDir: g.dataDir } : {}), ...overrides });
}

/** Prints one JSON object with --json, otherwise the human text. */
export function print(cmd: Command, json: unknown, human: string): void {
  if (globals(cmd).json) process.stdout.write(`${JSON.stringify(json)}\n`);
  else process.stdout.write(`${human}\n`);
}

/** Progress for long work: on stderr, so --json output on stdout stays one object. In place on a TTY. */
export function progress(text: string, done = false): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${text}${done ? '\n' : ''}`);
  else process.stderr.write(`${text}\n`);
}

export class UsageError extends Error {}

/** One clear line per failure (the stack only with --debug); exit 2 for usage errors, 1 for the rest. */
export function reportError(err: unknown, debug: boolean): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
  if (err instanceof UsageError) {
    process.stderr.write(`pagescope: ${err.message}\n`);
    return 2;
  }
  let line: string;
  if (err instanceof ConfigError) line = `configuration error: ${err.message}`;
  else if (isAppError(err)) line = err.message;
  else if (err instanceof Error && 'code' in err && err.code === 'ECONNREFUSED') line = `cannot connect (${(err as Error).message}); is the database running and DATABASE_URL right?`;
  else line = err instanceof Error ? err.message : String(err);
  process.stderr.write(`pagescope: ${line}\n`);
  if (debug && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  return 1;
}
