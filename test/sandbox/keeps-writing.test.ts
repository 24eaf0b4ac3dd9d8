import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, exitOf } from '../support/cli.ts';
import { until } from './support.ts';

interface Row {
  last_activity_at: string;
  last_message: { direction: string; text: string | null } | null;
}

test(
  "the sandbox's banner prints a sign-in link, and its simulated people keep writing, so the inbox fills while it runs",
  { timeout: 180_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pagescope-sandbox-live-'));
    // As a person starts it (`npm start`), from another directory, with the default pace of the simulated people.
    const child = spawn(process.execPath, [BIN, 'sandbox', '--data-dir', join(dir, 'data'), '--port', '0'], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const banner = await until('the banner', async () => {
        const url = /pagescope {4}(http:\/\/\S+)/.exec(out)?.[1];
        const token = /owner token {2}(\S+)/.exec(out)?.[1];
        const login = /sign in {6}(http:\/\/\S+\/login\/\S+)/.exec(out)?.[1];
        const page = /Page {9}(\d+)/.exec(out)?.[1];
        return url && token && login && page ? { url, token, login, page } : undefined;
      });
      assert.ok(banner.login.startsWith(`${banner.url}/login/`), 'the link signs in on this server');
      const signIn = await fetch(banner.login, { redirect: 'manual' });
      assert.equal(signIn.status, 303, 'the printed link signs a browser in');

      const pages = /Page {9}(\d+)/g;
      const pageIds = [...out.matchAll(pages)].map((m) => m[1]!);
      assert.equal(pageIds.length, 2);
      /** The newest activity over both Pages' inboxes, and the texts people wrote that they show. */
      const look = async () => {
        let newest = 0;
        const texts = new Set<string>();
        for (const id of pageIds) {
          const r = await fetch(`${banner.url}/api/v1/pages/${id}/conversations?limit=50`, {
            headers: { authorization: `Bearer ${banner.token}` },
          });
          assert.equal(r.status, 200);
          for (const c of ((await r.json()) as { data: Row[] }).data) {
            newest = Math.max(newest, Date.parse(c.last_activity_at));
            if (c.last_message?.direction === 'inbound' && c.last_message.text) texts.add(c.last_message.text);
          }
        }
        return { newest, texts };
      };

      // Nobody does anything here: the inbox's newest activity moves on again and again, by the people alone.
      let seen = (await until('a first conversation', async () => ((await look()).newest > 0 ? look() : undefined)))
        .newest;
      const texts = new Set<string>();
      for (let i = 0; i < 4; i++) {
        const next = await until(`newer activity (${i + 1} of 4)`, async () => {
          const l = await look();
          for (const t of l.texts) texts.add(t);
          return l.newest > seen ? l : undefined;
        });
        seen = next.newest;
      }
      // Varied texts, not one line repeated.
      await until('several different texts', async () => {
        for (const t of (await look()).texts) texts.add(t);
        return texts.size >= 3 ? true : undefined;
      });

      child.kill('SIGINT');
      assert.equal(await exitOf(child), 0, stderr);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
