// Drives an emulator running in a child process through its control API (CONTRACT.md "Emulator control API").
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { EmulatorOptionsInput } from '../../src/emulator/index.ts';
import { RUN_TS } from '../support/run-ts.ts';

const CHILD = fileURLToPath(new URL('./emulator-child.ts', import.meta.url));

export interface RemoteCall {
  id: number;
  at: number;
  method: string;
  path: string;
  status: number;
  params: { message?: { metadata?: string } };
}

export interface RemoteEmulator {
  url: string;
  createPage(name: string): Promise<{ id: string; access_token: string }>;
  /** A person who wrote to the Page, and their PSID there. */
  createPerson(pageId: string, firstName: string): Promise<{ userId: string; psid: string }>;
  /** The Graph call log after call `sinceId` (default: all of it), oldest first (pages through it with since_id). */
  calls(sinceId?: number): Promise<RemoteCall[]>;
  close(): Promise<void>;
}

export async function startRemoteEmulator(options: EmulatorOptionsInput): Promise<RemoteEmulator> {
  const child = spawn(process.execPath, [...RUN_TS, CHILD], {
    env: { ...process.env, EMULATOR_OPTIONS: JSON.stringify(options) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', () => reject(new Error('the emulator exited before listening')));
  });
  const request = (method: string, path: string, body?: unknown) =>
    fetch(`${url}/_emulator${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  const control = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    let res: Response;
    try {
      res = await request(method, path, body);
    } catch (err) {
      // A kept-alive connection the emulator closed as idle just as it was taken again (a loaded machine delays the
      // client's own expiry of it): a read is asked again, on a new connection.
      if (method !== 'GET' || (err as { cause?: { code?: unknown } }).cause?.code !== 'UND_ERR_SOCKET') throw err;
      res = await request(method, path, body);
    }
    if (res.status >= 300) throw new Error(`emulator ${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  return {
    url,
    createPage: (name) => control('POST', '/pages', { name }),
    async createPerson(pageId, firstName) {
      const user = await control<{ id: string }>('POST', '/users', { first_name: firstName, last_name: 'Test' });
      const acted = await control<{ psid: string }>('POST', `/users/${user.id}/actions`, {
        page_id: pageId,
        type: 'message',
        text: 'hello',
      });
      return { userId: user.id, psid: acted.psid };
    },
    async calls(sinceId = 0) {
      const all: RemoteCall[] = [];
      for (;;) {
        const since = all.length ? all[all.length - 1]!.id : sinceId;
        const page = (await control<{ data: RemoteCall[] }>('GET', `/calls?since_id=${since}`)).data;
        if (page.length === 0) return all;
        all.push(...page);
        if (page.length < 1000) return all;
      }
    },
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
