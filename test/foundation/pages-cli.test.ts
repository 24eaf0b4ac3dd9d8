import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulatorServer } from '../../src/emulator/index.ts';
import { runCli } from '../support/cli.ts';

test(
  'pages add reads the token from stdin or PAGESCOPE_PAGE_TOKEN, checks it with Meta unless --no-verify, and a rejected token shows as token_invalid',
  { timeout: 400_000 },
  async () => {
    const d = mkdtempSync(join(tmpdir(), 'pagescope-pages-'));
    const emu = await startEmulatorServer({ appSecret: 'pages-secret' });
    try {
      const [one, two, three] = ['Shop One', 'Shop Two', 'Shop Three'].map((name) => emu.emulator.createPage({ name }));
      const env = { META_GRAPH_URL: emu.url, META_APP_SECRET: 'pages-secret' };
      const cli = (args: string[], extra: Record<string, string> = {}) =>
        runCli(['--data-dir', d, ...args], { ...env, ...extra });
      const listed = async () =>
        Object.fromEntries(
          (
            JSON.parse((await cli(['pages', 'list', '--json'])).stdout) as { data: { id: string; status: string }[] }
          ).data.map((p) => [p.id, p.status]),
        );
      assert.equal((await cli(['init'])).code, 0);

      const fromStdin = await runCli(
        ['--data-dir', d, 'pages', 'add', '--id', one!.id, '--name', 'One', '--token', '-', '--json'],
        env,
        undefined,
        `${one!.access_token}\n`,
      );
      assert.equal(fromStdin.code, 0, fromStdin.stderr);
      assert.equal(JSON.parse(fromStdin.stdout).verified, true);
      const fromEnv = await cli(['pages', 'add', '--id', two!.id, '--name', 'Two'], {
        PAGESCOPE_PAGE_TOKEN: two!.access_token,
      });
      assert.equal(fromEnv.code, 0, fromEnv.stderr);
      assert.match(fromEnv.stdout, /token checked with Meta/);
      assert.deepEqual(await listed(), { [one!.id]: 'active', [two!.id]: 'active' });

      // Refused before anything is stored: another Page's token, a token Meta rejects.
      const wrongPage = await runCli(
        ['--data-dir', d, 'pages', 'add', '--id', three!.id, '--name', 'Three'],
        env,
        undefined,
        one!.access_token,
      );
      assert.equal(wrongPage.code, 1);
      assert.match(wrongPage.stderr, new RegExp(`belongs to Page ${one!.id}, not to Page ${three!.id}`));
      const rejected = await runCli(
        ['--data-dir', d, 'pages', 'add', '--id', three!.id, '--name', 'Three', '--token', '-'],
        env,
        undefined,
        'EAA-expired-token-of-three',
      );
      assert.equal(rejected.code, 1);
      assert.match(rejected.stderr, /Meta rejected the Page access token \(code 190/);
      assert.equal(rejected.stderr.includes('EAA-expired-token-of-three'), false);
      assert.equal(rejected.stderr.trim().split('\n').length, 1);
      assert.deepEqual(Object.keys(await listed()).sort(), [one!.id, two!.id].sort());

      // --no-verify stores it unchecked; the next call that meets Meta's 190 marks the Page token_invalid.
      const unchecked = await cli(['pages', 'add', '--id', three!.id, '--name', 'Three', '--no-verify'], {
        PAGESCOPE_PAGE_TOKEN: 'EAA-expired-token-of-three',
      });
      assert.equal(unchecked.code, 0, unchecked.stderr);
      assert.match(unchecked.stdout, /token not checked/);
      const verify = await cli(['pages', 'verify', three!.id]);
      assert.equal(verify.code, 1);
      assert.match(verify.stderr, /now token_invalid/);
      assert.match((await cli(['pages', 'list'])).stdout, new RegExp(`${three!.id}\\ttoken_invalid\\tThree`));

      // A new (good) token makes it active again.
      const renewed = await runCli(
        ['--data-dir', d, 'pages', 'add', '--id', three!.id, '--name', 'Three'],
        env,
        undefined,
        three!.access_token,
      );
      assert.equal(renewed.code, 0, renewed.stderr);
      assert.equal((await listed())[three!.id], 'active');
    } finally {
      await emu.close();
      rmSync(d, { recursive: true, force: true });
    }
  },
);
