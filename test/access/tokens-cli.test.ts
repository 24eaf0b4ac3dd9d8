import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exitOf, runCli, startCli } from '../support/cli.ts';

test(
  'tokens list shows each token without its secret, tokens revoke makes it answer 401, and both are audited',
  { timeout: 400_000 },
  async () => {
    const d = mkdtempSync(join(tmpdir(), 'pagescope-tokens-'));
    try {
      const cli = async (...args: string[]) => {
        const r = await runCli(['--data-dir', d, ...args]);
        return { ...r, json: () => JSON.parse(r.stdout) as Record<string, unknown> };
      };
      const owner = (await cli('init', '--json')).json().owner_token as string;
      const created = await cli(
        'tokens',
        'create',
        '--name',
        'support desk',
        '--role',
        'agent',
        '--expires-in',
        '30d',
        '--json',
      );
      assert.equal(created.code, 0, created.stderr);
      const agent = created.json() as { id: string; token: string; expires_at: string };
      assert.ok(Date.parse(agent.expires_at) > Date.now() + 29 * 86_400_000);

      const listed = await cli('tokens', 'list', '--json');
      assert.equal(listed.code, 0, listed.stderr);
      const rows = listed.json().data as {
        id: string;
        name: string;
        role: string;
        status: string;
        expires_at: string | null;
        revoked_at: string | null;
      }[];
      const row = rows.find((r) => r.id === agent.id)!;
      assert.deepEqual(
        [row.name, row.role, row.status, row.expires_at, row.revoked_at],
        ['support desk', 'agent', 'active', agent.expires_at, null],
      );
      assert.equal(rows.length, 2, 'the owner token from init and the new one');
      assert.equal(listed.stdout.includes(agent.token), false);
      assert.equal(listed.stdout.includes(owner), false);
      const human = await cli('tokens', 'list');
      assert.match(human.stdout, new RegExp(`${agent.id}\\tactive\\tagent\\tall Pages\\t.*support desk`));

      const revoked = await cli('tokens', 'revoke', agent.id, '--json');
      assert.equal(revoked.code, 0, revoked.stderr);
      assert.equal(revoked.json().status, 'revoked');
      const missing = await cli('tokens', 'revoke', 'tok_missing');
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /token not found/);
      const badExpiry = await cli('tokens', 'create', '--name', 'x', '--role', 'agent', '--expires-in', 'tomorrow');
      assert.equal(badExpiry.code, 1);
      assert.match(badExpiry.stderr, /--expires-in must be a duration/);

      const { child, match } = await startCli(
        ['--data-dir', d, 'serve', '--port', '0'],
        { META_APP_SECRET: 's3cret' },
        /listening on (http:\/\/\S+)/,
        60_000,
      );
      try {
        const get = (token: string, path: string) =>
          fetch(`${match[1]!}${path}`, { headers: { authorization: `Bearer ${token}` } });
        assert.equal((await get(agent.token, '/api/v1/pages')).status, 401);
        const audit = (await (await get(owner, '/api/v1/audit-events?limit=200')).json()) as {
          data: { action: string; subject: { id: string } | null }[];
        };
        const onAgent = audit.data
          .filter((e) => e.subject?.id === agent.id)
          .map((e) => e.action)
          .sort();
        assert.deepEqual(onAgent, ['token.create', 'token.revoke']);
      } finally {
        child.kill('SIGTERM');
        await exitOf(child);
      }
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  },
);
