import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { signWebhookBody } from '../../src/platform/index.ts';
import { testDialects } from '../support/db.ts';
import { bearer, type TestApp } from '../support/app.ts';
import { PAGE_A, SECRET, countRows, envelope, ingestApp, messageItem } from './support.ts';

// The real server answers POST /webhook from node:http ahead of Fastify; these requests go over a socket so that
// path (not inject()'s) is the one tested, and must answer exactly as the Fastify route does.
for (const dialect of testDialects()) {
  test(`POST /webhook over HTTP [${dialect}]`, async (t) => {
    let app!: TestApp;
    let base = '';
    before(async () => {
      app = await ingestApp(dialect, { PAGESCOPE_WEBHOOK_MAX_BYTES: '4096' });
      base = await app.server.listen({ port: 0, host: '127.0.0.1' });
    });
    after(async () => app.close());
    // On SQLite the 200 comes once the POST is in the spool; the spool's mover then makes it a row.
    const stored = async () => {
      await app.ctx.intake.settled();
      return countRows(app, 'webhook_posts');
    };
    const post = (
      body: string,
      headers: Record<string, string> = { 'x-hub-signature-256': signWebhookBody(body, SECRET) },
    ) =>
      fetch(`${base}/webhook`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

    await t.test('acknowledges a signed envelope with 200 only once it is stored', async () => {
      const res = await post(
        envelope(PAGE_A, [messageItem(PAGE_A, '3000000000000001', 'm_http_1', 'over the socket', 1_764_331_200_000)]),
      );
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'EVENT_RECEIVED');
      assert.ok(res.headers.get('x-request-id'));
      assert.equal(await stored(), 1);
    });

    await t.test('refuses a wrong signature with 403 and the error envelope, storing nothing', async () => {
      const body = envelope(PAGE_A, [messageItem(PAGE_A, '3000000000000002', 'm_http_2', 'forged', 1_764_331_200_001)]);
      const res = await post(body, { 'x-hub-signature-256': signWebhookBody(`${body} `, SECRET) });
      assert.equal(res.status, 403);
      const json = (await res.json()) as { error: { code: string; request_id: string } };
      assert.equal(json.error.code, 'invalid_signature');
      assert.equal(json.error.request_id, res.headers.get('x-request-id'));
      const sha1Only = await post(body, { 'x-hub-signature': 'sha1=3daa41999293ff66c3eb313e04bcf77861bb0276' });
      assert.equal(sha1Only.status, 403);
      assert.equal(await stored(), 1);
    });

    await t.test('answers 400 to a signed body that is not an envelope, and 413 past the size limit', async () => {
      const notEnvelope = '{"hello":"world"}';
      assert.equal((await post(notEnvelope)).status, 400);
      const big = envelope(PAGE_A, [
        messageItem(PAGE_A, '3000000000000003', 'm_http_3', 'x'.repeat(5000), 1_764_331_200_002),
      ]);
      assert.equal((await post(big)).status, 413);
      assert.equal(await stored(), 1);
    });

    await t.test('leaves every other route to Fastify on the same server', async () => {
      const challenge = await fetch(`${base}/webhook?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=42`);
      assert.equal(await challenge.text(), '42');
      const pages = await fetch(`${base}/api/v1/pages`, { headers: bearer(app.ownerToken) });
      assert.equal(pages.status, 200);
      assert.ok(pages.headers.get('content-security-policy'), 'Fastify routes keep their security headers');
    });
  });
}
