// pagescope started as a service manager, a container or a global install starts it: from a folder that is not the
// project's, the bin given by its absolute path. Everything must work there as it does in the project folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signWebhookBody } from '../../src/platform/index.ts';
import { exitOf, runCli, startCli } from '../support/cli.ts';

const SECRET = 'any-dir-secret';

/** A signed Meta envelope for a Page that is not registered: kept raw and counted, answered 200 once stored. */
async function postSignedWebhook(base: string): Promise<Response> {
  const body = JSON.stringify({ object: 'page', entry: [{ id: '123456789', time: Date.now(), messaging: [] }] });
  return fetch(`${base}/webhook`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody(body, SECRET) },
  });
}

/** /readyz's status once the thread that stores webhooks has finished starting. */
async function readyStatus(base: string): Promise<number> {
  for (;;) {
    const res = await fetch(`${base}/readyz`);
    const text = await res.text();
    if (!text.includes('_starting')) return res.status;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function storedWebhooks(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(/^pagescope_webhook_posts_total\{outcome="stored"\} (\d+)/m.exec(text)?.[1] ?? 0);
}

for (const [label, env] of [
  ['compiled', {}],
  ['from source (tsx)', { PAGESCOPE_FROM_SOURCE: '1' }],
] as const) {
  test(
    `serve started from an unrelated directory stores a signed webhook and is ready [${label}]`,
    { timeout: 120_000 },
    async () => {
      const cwd = mkdtempSync(join(tmpdir(), 'pagescope-elsewhere-'));
      try {
        const init = await runCli(['init', '--json'], env, cwd);
        assert.equal(init.code, 0, init.stderr);
        // The default data dir is relative to where pagescope was started.
        assert.ok(existsSync(join(cwd, '.pagescope', 'master.key')));
        const { child, match } = await startCli(
          ['serve', '--port', '0'],
          { ...env, META_APP_SECRET: SECRET, META_VERIFY_TOKEN: 'v' },
          /listening on (http:\/\/\S+)/,
          60_000,
          cwd,
        );
        try {
          const base = match[1]!;
          const res = await postSignedWebhook(base);
          assert.equal(res.status, 200, await res.text());
          assert.equal(await storedWebhooks(base), 1);
          assert.equal(await readyStatus(base), 200);
        } finally {
          child.kill('SIGTERM');
          assert.equal(await exitOf(child), 0);
        }
        const pages = await runCli(['pages', 'list', '--json'], env, cwd);
        assert.equal(pages.code, 0, pages.stderr);
        assert.deepEqual(JSON.parse(pages.stdout), { data: [] });
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    },
  );
}

test("the sandbox started from an unrelated directory takes its people's webhooks", { timeout: 90_000 }, async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'pagescope-elsewhere-'));
  try {
    const { child, match } = await startCli(
      ['sandbox', '--json', '--port', '0', '--rate', '20'],
      {},
      /^(\{"url".*)\n/m,
      60_000,
      cwd,
    );
    try {
      const ready = JSON.parse(match[1]!) as { url: string; owner_token: string; pages: { id: string }[] };
      assert.ok(existsSync(join(cwd, '.pagescope-sandbox')));
      const deadline = Date.now() + 30_000;
      let contacts = 0;
      while (contacts === 0 && Date.now() < deadline) {
        const r = (await (
          await fetch(`${ready.url}/api/v1/pages/${ready.pages[0]!.id}/contacts`, {
            headers: { authorization: `Bearer ${ready.owner_token}` },
          })
        ).json()) as { data: unknown[] };
        contacts = r.data.length;
        if (contacts === 0) await new Promise((r) => setTimeout(r, 250));
      }
      assert.ok(contacts > 0, 'the simulated people became contacts');
      assert.equal(await readyStatus(ready.url), 200);
    } finally {
      child.kill('SIGINT');
      assert.equal(await exitOf(child), 0);
    }
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});

test('the emulator started from an unrelated directory answers', { timeout: 120_000 }, async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'pagescope-elsewhere-'));
  try {
    const { child, match } = await startCli(
      ['emulator', '--port', '0', '--app-secret', 's', '--webhook', 'http://127.0.0.1:9/webhook'],
      {},
      /listening on (http:\/\/\S+)/,
      60_000,
      cwd,
    );
    try {
      assert.equal((await fetch(`${match[1]!}/_emulator`)).status, 200);
    } finally {
      child.kill('SIGTERM');
      assert.equal(await exitOf(child), 0);
    }
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});
