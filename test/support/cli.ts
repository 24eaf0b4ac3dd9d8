import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/pagescope.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real `pagescope` bin in a child process, with a clean environment plus `env`, in `cwd` if given, and with
 * `input` on its standard input (a pipe, as in `… | pagescope pages add`) if given.
 */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  cwd?: string,
  input?: string,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (input !== undefined) child.stdin.end(input);
  });
}

/** Starts a long-running command (in `cwd` if given) and resolves once `ready` matches its stderr or stdout. */
export function startCli(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
  timeoutMs = 20_000,
  cwd?: string,
): Promise<{ child: ChildProcess; match: RegExpMatchArray; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn', ...env },
    });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`not ready after ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = out.match(ready);
      if (m) {
        clearTimeout(timer);
        resolve({ child, match: m, output: () => out });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ready:\n${out}`));
    });
  });
}

export function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('exit', (code) => resolve(code));
  });
}

/** `runCli` for a step that must succeed: its standard output, or an error carrying its standard error. */
export async function runCliOk(args: string[], env: Record<string, string>, input?: string): Promise<string> {
  const r = await runCli(args, env, undefined, input);
  if (r.code !== 0) throw new Error(`pagescope ${args[0]} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

/**
 * `pagescope serve` with every role (or as `args` say), as a service manager starts it, on a free port of 127.0.0.1; resolves with its
 * address once /readyz answers 200. `env` is laid over this process's environment, so settings such as
 * PAGESCOPE_PROCESSING_NICE given to a benchmark reach the server.
 */
export async function startServe(
  env: Record<string, string>,
  timeoutMs = 60_000,
  args: string[] = [],
): Promise<{ url: string; child: ChildProcess }> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined),
  );
  const { child, match } = await startCli(
    ['serve', '--host', '127.0.0.1', '--port', '0', ...args],
    { ...inherited, ...env },
    /listening on (http:\/\/\S+)/,
    timeoutMs,
  );
  const url = match[1]!;
  const deadline = Date.now() + timeoutMs;
  while (
    (await fetch(`${url}/readyz`).then(
      (r) => r.status,
      () => 0,
    )) !== 200
  ) {
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`serve at ${url} not ready after ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, child };
}
