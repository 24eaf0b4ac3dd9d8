// /readyz is what a load balancer and an operator trust: it must not say ready while a webhook would be refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { closedPort } from '../support/ports.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestRoutes } from '../../src/http/routes/webhook.ts';
import { signWebhookBody } from '../../src/platform/index.ts';
import { createTestApp } from '../support/app.ts';
import { exitOf, runCli, startCli } from '../support/cli.ts';

/** /readyz once the thread that stores webhooks has finished starting (or failed to). */
async function readiness(
  app: Awaited<ReturnType<typeof createTestApp>>,
): Promise<{ status: number; reasons: string[]; text: string }> {
  for (;;) {
    const res = await app.server.inject({ method: 'GET', url: '/readyz' });
    const body = res.json() as { error?: { details?: { reasons?: string[] } } };
    const reasons = body.error?.details?.reasons ?? [];
    if (!reasons.includes('webhook_storage_starting')) return { status: res.statusCode, reasons, text: res.body };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('/readyz is not ready, with its reason, while META_APP_SECRET is missing', async () => {
  const app = await createTestApp('sqlite', { routes: [ingestRoutes], env: { META_APP_SECRET: '' } });
  try {
    const r = await readiness(app);
    assert.equal(r.status, 503);
    assert.deepEqual(r.reasons, ['webhook_secret_missing']);
    assert.match(r.text, /META_APP_SECRET/);
  } finally {
    await app.close();
  }
});

test('/readyz is not ready while the thread that stores webhooks cannot start, and says so without personal data', async () => {
  const app = await createTestApp('sqlite', { routes: [ingestRoutes], env: { PAGESCOPE_WEBHOOK_SPOOL_MB: '0' } });
  const database = app.ctx.database;
  try {
    // The intake worker opens its own connection to this file; a folder that does not exist cannot be opened.
    app.ctx.database = { ...database, file: join(app.database.dataDir, 'missing', 'pagescope.db') };
    const body = JSON.stringify({ object: 'page', entry: [] });
    const post = await app.server.inject({
      method: 'POST',
      url: '/webhook',
      payload: body,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody(body, 'test-app-secret') },
    });
    assert.equal(post.statusCode, 503);
    const r = await readiness(app);
    assert.equal(r.status, 503);
    assert.deepEqual(r.reasons, ['webhook_storage_failed']);
    assert.doesNotMatch(r.text, /test-app-secret|missing\/pagescope\.db/);
  } finally {
    app.ctx.database = database;
    await app.close();
  }
});

test('/readyz is ready when the webhook can store', async () => {
  const app = await createTestApp('sqlite', { routes: [ingestRoutes] });
  try {
    const r = await readiness(app);
    assert.equal(r.status, 200, r.text);
  } finally {
    await app.close();
  }
});

test('serve with an unreachable REDIS_URL is not ready, naming Redis', { timeout: 120_000 }, async () => {
  const d = mkdtempSync(join(tmpdir(), 'pagescope-ready-'));
  try {
    assert.equal((await runCli(['--data-dir', d, 'init'])).code, 0);
    const { child, match } = await startCli(
      ['--data-dir', d, 'serve', '--port', '0'],
      {
        META_APP_SECRET: 's',
        META_VERIFY_TOKEN: 'v',
        REDIS_URL: `redis://127.0.0.1:${await closedPort()}`,
        LOG_LEVEL: 'error',
      },
      /listening on (http:\/\/\S+)/,
      60_000,
    );
    try {
      let res = await fetch(`${match[1]!}/readyz`);
      let body = (await res.json()) as { error: { code: string; details: { reasons: string[] } } };
      while (body.error.details.reasons.some((r) => r.endsWith('_starting'))) {
        res = await fetch(`${match[1]!}/readyz`);
        body = (await res.json()) as typeof body;
      }
      assert.equal(res.status, 503);
      assert.equal(body.error.code, 'not_ready');
      assert.deepEqual(body.error.details.reasons, ['redis_unreachable']);
    } finally {
      child.kill('SIGTERM');
      await exitOf(child);
    }
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
