import { Command, CommanderError, InvalidArgumentError } from 'commander';
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

/** `--port`: a usage error naming the flag for anything but 0-65535 (0 picks a free port). */
export function parsePort(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535)
    throw new InvalidArgumentError('must be a whole number from 0 to 65535 (0 picks a free port)');
  return Number(value);
}

/** A listen that failed because the address is taken: one line with the fix, not a raw EADDRINUSE. */
function addressInUse(err: unknown): string | null {
  if (!(err instanceof Error) || !('code' in err) || err.code !== 'EADDRINUSE') return null;
  const { address, port } = err as Error & { address?: string; port?: number };
  const where = port !== undefined ? `port ${port}${address ? ` on ${address}` : ''}` : 'the address';
  return `${where} is already in use by another process: stop that process, or choose another port with --port (or PORT)`;
}

/** Writes an error as one JSON object on stdout, for scripts that asked for --json. */
function printJsonError(code: string, message: string): void {
  process.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`);
}

/**
 * One clear line per failure on stderr (the stack only with --debug); with --json also `{"error": {"code",
 * "message"}}` on stdout, so a script reading stdout sees the failure too. Exit 2 for usage errors, 1 for the rest.
 */
export function reportError(err: unknown, debug: boolean, json = false): number {
  if (err instanceof CommanderError) {
    if (err.exitCode === 0) return 0;
    // Commander has written its own message to stderr already.
    if (json) printJsonError('usage', err.message.replace(/^error: /, ''));
    return 2;
  }
  if (err instanceof UsageError) {
    process.stderr.write(`pagescope: ${err.message}\n`);
    if (json) printJsonError('usage', err.message);
    return 2;
  }
  let line: string;
  let code: string;
  if (err instanceof ConfigError) [code, line] = ['config_invalid', `configuration error: ${err.message}`];
  else if (isAppError(err)) [code, line] = [err.code, err.message];
  else if (addressInUse(err)) [code, line] = ['address_in_use', addressInUse(err)!];
  else if (err instanceof Error && 'code' in err && err.code === 'ECONNREFUSED')
    [code, line] = [
      'database_unreachable',
      `cannot connect (${err.message}); is the database running and DATABASE_URL right?`,
    ];
  else [code, line] = ['failed', err instanceof Error ? err.message : String(err)];
  process.stderr.write(`pagescope: ${line}\n`);
  if (json) printJsonError(code, line);
  if (debug && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  return 1;
}
