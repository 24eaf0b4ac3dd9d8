import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { BIN, exitOf } from '../support/cli.ts';

export interface Ready {
  url: string;
  owner_token: string;
  emulator_url: string;
  pages: { id: string; name: string }[];
}

export interface RunningSandbox {
  child: ChildProcess;
  ready: Ready;
  lines: Interface;
  stderr: () => string;
  api(path: string, init?: RequestInit, token?: string): Promise<Response>;
  emu(path: string, body?: unknown): Promise<Record<string, unknown>>;
  /** SIGINT, then the exit code. */
  stop(): Promise<number | null>;
}

export function spawnSandbox(dir: string, extra: string[] = []): ChildProcess {
  return spawn(process.execPath, [BIN, 'sandbox', '--json', '--data-dir', dir, '--port', '0', ...extra], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Starts `pagescope sandbox --json` on a data dir and resolves with its ready object. */
export async function startSandbox(dir: string, extra: string[] = []): Promise<RunningSandbox> {
  const child = spawnSandbox(dir, extra);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<Ready>((resolve, reject) => {
    lines.once('line', (l) => resolve(JSON.parse(l) as Ready));
    child.once('exit', (code) => reject(new Error(`sandbox exited with ${code}: ${stderr}`)));
  });
  return {
    child,
    ready,
    lines,
    stderr: () => stderr,
    api: (path, init = {}, token = ready.owner_token) =>
      fetch(`${ready.url}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
      }),
    emu: async (path, body) =>
      (
        await fetch(
          `${ready.emulator_url}${path}`,
          body === undefined
            ? {}
            : { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } },
        )
      ).json() as Promise<Record<string, unknown>>,
    stop: async () => {
      child.kill('SIGINT');
      return exitOf(child);
    },
  };
}

export { until } from '../support/until.ts';
