// The owner's first sign-in and managing accounts, as a person runs them: `init`, `users add|list|disable`, `serve`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exitOf, runCli, startCli } from '../support/cli.ts';
import { closedPort } from '../support/ports.ts';

test(
  'init prints a sign-in link that works in a browser; users add, list and disable manage the others',
  { timeout: 400_000 },
  async () => {
    const d = mkdtempSync(join(tmpdir(), 'pagescope-users-'));
    const env = { PORT: String(await closedPort()) };
    try {
      const cli = async (...args: string[]) => {
        const r = await runCli(['--data-dir', d, ...args], env);
        return { ...r, json: () => JSON.parse(r.stdout) as Record<string, unknown> };
      };
      const init = await cli('init', '--email', 'Boss@Example.com', '--json');
      assert.equal(init.code, 0, init.stderr);
      const owner = init.json() as {
        owner_token: string;
        owner_user_id: string;
        owner_email: string;
        login_url: string;
      };
      assert.match(owner.owner_user_id, /^us_/);
      assert.equal(owner.owner_email, 'boss@example.com');
      assert.match(owner.login_url, new RegExp(`^http://127\\.0\\.0\\.1:${env.PORT}/login/psl_[A-Za-z0-9_-]{32}$`));

      const added = await cli('users', 'add', '--email', 'ann@example.com', '--role', 'agent', '--json');
      assert.equal(added.code, 0, added.stderr);
      const ann = added.json() as { id: string; email: string; login_url: string };
      assert.equal(ann.email, 'ann@example.com');
      assert.match(ann.login_url, /\/login\/psl_/);
      const twice = await cli('users', 'add', '--email', 'ANN@example.com', '--role', 'agent');
      assert.equal(twice.code, 1);
      assert.match(twice.stderr, /already/);
      const badRole = await cli('users', 'add', '--email', 'x@example.com', '--role', 'boss');
      assert.equal(badRole.code, 1);
      assert.match(badRole.stderr, /role must be one of/);

      const listed = await cli('users', 'list', '--json');
      assert.equal(listed.code, 0, listed.stderr);
      const rows = listed.json().data as { id: string; email: string; role: string; status: string }[];
      assert.deepEqual(
        rows.map((r) => [r.email, r.role, r.status]),
        [
          ['boss@example.com', 'owner', 'invited'],
          ['ann@example.com', 'agent', 'invited'],
        ],
      );
      assert.equal(listed.stdout.includes('scrypt'), false);
      assert.match(
        (await cli('users', 'list')).stdout,
        new RegExp(`${ann.id}\\tinvited\\tagent\\tall Pages\\t.*ann@example.com`),
      );

      const relinked = await cli('users', 'link', ann.id, '--json');
      assert.equal(relinked.code, 0, relinked.stderr);
      assert.match(relinked.json().login_url as string, /\/login\/psl_/);
      const disabled = await cli('users', 'disable', ann.id, '--json');
      assert.equal(disabled.code, 0, disabled.stderr);
      assert.equal(disabled.json().status, 'disabled');
      assert.equal((await cli('users', 'disable', 'us_missing')).code, 1);

      const { child } = await startCli(
        ['--data-dir', d, 'serve'],
        { ...env, META_APP_SECRET: 's3cret' },
        /listening on (http:\/\/\S+)/,
        60_000,
      );
      try {
        // The owner opens the link from init: a session cookie, and a redirect to set a password.
        const opened = await fetch(owner.login_url, { redirect: 'manual' });
        assert.equal(opened.status, 303);
        assert.equal(opened.headers.get('location'), '/?set_password=1');
        const cookie = opened.headers.get('set-cookie')!.split(';')[0]!;
        const me = (await (await fetch(`http://127.0.0.1:${env.PORT}/api/v1/me`, { headers: { cookie } })).json()) as {
          user: { email: string; role: string };
          csrf_token: string;
        };
        assert.deepEqual([me.user.email, me.user.role], ['boss@example.com', 'owner']);
        const set = await fetch(`http://127.0.0.1:${env.PORT}/api/v1/auth/password`, {
          method: 'POST',
          headers: { cookie, 'x-csrf-token': me.csrf_token, 'content-type': 'application/json' },
          body: JSON.stringify({ new_password: 'the owner passphrase' }),
        });
        assert.equal(set.status, 200, await set.text());
        const login = await fetch(`http://127.0.0.1:${env.PORT}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'boss@example.com', password: 'the owner passphrase' }),
        });
        assert.equal(login.status, 200);
        // The link worked once; the disabled account's link does not work at all.
        assert.equal((await fetch(owner.login_url, { redirect: 'manual' })).status, 401);
        assert.equal((await fetch(ann.login_url, { redirect: 'manual' })).status, 401);
        assert.equal((await fetch(relinked.json().login_url as string, { redirect: 'manual' })).status, 401);
      } finally {
        child.kill('SIGTERM');
        await exitOf(child);
      }
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  },
);

test('init refuses a malformed owner email before it writes anything', async () => {
  const d = mkdtempSync(join(tmpdir(), 'pagescope-users-'));
  try {
    const r = await runCli(['--data-dir', join(d, 'data'), 'init', '--email', 'not an email']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /email must be an address/);
    assert.equal((await runCli(['--data-dir', join(d, 'data'), 'init'])).code, 0);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
