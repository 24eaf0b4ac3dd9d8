import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { signWebhookBody } from '../../src/platform/index.ts';
import { exitOf, runCli, startCli } from '../support/cli.ts';

const SECRET = 'modes-app-secret';
const PAGE = '100000000000077';

/** Every path under `dir` (itself included) whose mode is not 0700 (a dir) or 0600 (a file), with its mode. */
function loosePaths(dir: string): string[] {
  const out: string[] = [];
  const check = (path: string) => {
    const st = lstatSync(path);
    const want = st.isDirectory() ? 0o700 : 0o600;
    if ((st.mode & 0o777) !== want) out.push(`${path} ${(st.mode & 0o777).toString(8)}`);
    if (st.isDirectory()) for (const name of readdirSync(path)) check(join(path, name));
  };
  check(dir);
  return out;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

test('the data dir is 0700 and every file in it 0600 after init, serving traffic and an export, even when the dir was made 0755 beforehand', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'pagescope-modes-'));
  const d = join(parent, 'data');
  // Made beforehand by an operator with a usual umask, holding a file and a folder of their own.
  mkdirSync(d, { mode: 0o755 });
  chmodSync(d, 0o755);
  mkdirSync(join(d, 'notes'), { mode: 0o755 });
  chmodSync(join(d, 'notes'), 0o755);
  writeFileSync(join(d, 'notes', 'readme.txt'), 'ours', { mode: 0o644 });
  chmodSync(join(d, 'notes', 'readme.txt'), 0o644);
  try {
    const init = await runCli(['--data-dir', d, 'init', '--json'], { LOG_LEVEL: 'info' });
    assert.equal(init.code, 0, init.stderr);
    assert.match(init.stderr + init.stdout, /file mode tightened/, 'tightening is logged');
    const printed = init.stdout.split('\n').find((line) => line.includes('"owner_token"'))!;
    const owner = (JSON.parse(printed) as { owner_token: string }).owner_token;
    assert.deepEqual(loosePaths(d), []);
    assert.equal(
      (
        await runCli([
          '--data-dir',
          d,
          'pages',
          'add',
          '--id',
          PAGE,
          '--name',
          'Modes',
          '--token',
          'page-token',
          '--no-verify',
        ])
      ).code,
      0,
    );

    // Files left readable by an earlier run or another tool are tightened at the next start.
    chmodSync(join(d, 'pagescope.db'), 0o644);
    const { child, match } = await startCli(
      ['--data-dir', d, 'serve', '--port', '0'],
      { META_APP_SECRET: SECRET, META_VERIFY_TOKEN: 'v', LOG_LEVEL: 'info' },
      /listening on (http:\/\/\S+)/,
      90_000,
    );
    try {
      const base = match[1]!;
      const auth = { authorization: `Bearer ${owner}` };
      for (let i = 0; i < 5; i++) {
        const body = JSON.stringify({
          object: 'page',
          entry: [
            {
              id: PAGE,
              time: 1,
              messaging: [
                {
                  sender: { id: '7100000000000001' },
                  recipient: { id: PAGE },
                  timestamp: 1_764_331_200_000 + i,
                  message: { mid: `m_modes_${i}`, text: `hello ${i}` },
                },
              ],
            },
          ],
        });
        const res = await fetch(`${base}/webhook`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody(body, SECRET) },
        });
        assert.equal(res.status, 200);
      }
      const contact = await until('the contact', async () => {
        const list = (await (await fetch(`${base}/api/v1/pages/${PAGE}/contacts`, { headers: auth })).json()) as {
          data?: { id: string }[];
        };
        return list.data?.[0]?.id;
      });
      const created = await fetch(`${base}/api/v1/privacy/requests`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'access', contact_id: contact }),
      });
      assert.equal(created.status, 202, await created.clone().text());
      const request = ((await created.json()) as { id: string }).id;
      const runs = await runCli(['--data-dir', d, 'privacy', 'run']);
      assert.equal(runs.code, 0, runs.stderr);
      const exported = await runCli(['--data-dir', d, 'privacy', 'export', request, '--out', join(d, 'export.json')]);
      assert.equal(exported.code, 0, exported.stderr);
      const names = readdirSync(d);
      for (const f of [
        'pagescope.db',
        'pagescope.db-wal',
        'pagescope.db-shm',
        'webhook-spool.ring',
        'webhook-spool.lock',
        'contact-keys.db',
        'master.key',
        'export.json',
      ]) {
        assert.ok(names.includes(f), `${f} is there while serving`);
      }
      assert.deepEqual(loosePaths(d), [], 'while serving');
    } finally {
      child.kill('SIGTERM');
      await exitOf(child);
    }
    assert.deepEqual(loosePaths(d), [], 'after stopping');
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});
