import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testDialects } from '../../../test/support/db.ts';
import { drain, envelope, ingestApp, messageItem, postWebhook, PAGE_A } from '../../../test/ingest/support.ts';
import { currentIntakeKey } from '../privacy/intake-keys.ts';
import { postRow } from './accept-post.ts';
import { BODY_HASH_DAYS, purgeRawWebhookData } from './purge-raw.ts';
import { insertPosts } from './webhook.repository.ts';

const DAY = 24 * 3600_000;

for (const dialect of testDialects()) {
  describe(`raw webhook retention [${dialect}]`, () => {
    it('keeps no raw body once processed, keeps a failed one and raw events until the retention, and keeps the dedupe rows', async () => {
      const app = await ingestApp(dialect, { PAGESCOPE_RAW_RETENTION_DAYS: '3' });
      try {
        const t = app.clock.now();
        const status = async () =>
          (await app.ctx.db.selectFrom('webhook_posts').select(['status', 'body_enc']).orderBy('status').execute()).map(
            (r) => [r.status, r.body_enc === null],
          );
        await postWebhook(
          app,
          envelope(PAGE_A, [
            messageItem(PAGE_A, '6000000000000001', 'm_old', 'old', t),
            { sender: { id: '6000000000000001' }, recipient: { id: PAGE_A }, timestamp: t, mystery: {} },
          ]),
        );
        await drain(app);
        assert.deepEqual(await status(), [['processed', true]], 'its effects are in the tables: the body goes at once');
        // A stored body that processing cannot apply (as a parser that changed would leave) fails and keeps its body.
        const intake = currentIntakeKey(app.ctx);
        const failing = postRow(app.ctx.keyring, intake, Buffer.from('{"object":"page"}'), 'f'.repeat(64), t);
        await insertPosts(app.ctx.db, [failing]);
        await drain(app);
        await postWebhook(
          app,
          envelope(PAGE_A, [messageItem(PAGE_A, '6000000000000001', 'm_pending', 'still pending', t)]),
        );
        assert.deepEqual(await status(), [
          ['failed', false],
          ['pending', false],
          ['processed', true],
        ]);
        assert.equal(await purgeRawWebhookData(app.ctx), 0, 'nothing is older than the retention yet');
        app.clock.advance(4 * DAY);
        assert.equal(await purgeRawWebhookData(app.ctx), 2, 'the failed body and the raw event');
        assert.deepEqual(await status(), [
          ['pending', false],
          ['processed', true],
          ['purged', true],
        ]);
        assert.equal(
          (await app.ctx.db.selectFrom('webhook_events').select('raw_enc').where('raw_enc', 'is not', null).execute())
            .length,
          0,
        );
        assert.equal(
          (
            await postWebhook(
              app,
              envelope(PAGE_A, [
                messageItem(PAGE_A, '6000000000000001', 'm_old', 'old', t),
                { sender: { id: '6000000000000001' }, recipient: { id: PAGE_A }, timestamp: t, mystery: {} },
              ]),
            )
          ).statusCode,
          200,
        );
        await drain(app);
        assert.deepEqual(
          await status(),
          [
            ['duplicate', true],
            ['processed', true],
            ['processed', true],
            ['purged', true],
          ],
          'a dropped body still deduplicates',
        );
      } finally {
        await app.close();
      }
    });

    it('drops the hash of a body a week after it was sent: the same bytes later are processed again and apply nothing twice', async () => {
      const app = await ingestApp(dialect);
      try {
        const t = app.clock.now();
        const body = envelope(PAGE_A, [messageItem(PAGE_A, '6000000000000002', 'm_hashed', 'hello', t)]);
        const hashes = async () =>
          (await app.ctx.db.selectFrom('webhook_body_hashes').select('body_hash').execute()).length;
        const statuses = async () =>
          (await app.ctx.db.selectFrom('webhook_posts').select('status').orderBy('id').execute()).map((r) => r.status);
        await postWebhook(app, body);
        await drain(app);
        app.clock.advance((BODY_HASH_DAYS - 1) * DAY);
        assert.equal(await purgeRawWebhookData(app.ctx), 0);
        assert.equal(await hashes(), 1, 'a retry may still come');
        await postWebhook(app, body);
        await drain(app);
        assert.deepEqual(await statuses(), ['processed', 'duplicate']);
        app.clock.advance(2 * DAY);
        assert.equal(await purgeRawWebhookData(app.ctx), 1, 'the hash, and nothing else');
        assert.equal(await hashes(), 0);
        await postWebhook(app, body);
        await drain(app);
        assert.deepEqual(await statuses(), ['processed', 'duplicate', 'processed']);
        const ledger = await app.ctx.db.selectFrom('webhook_events').select('status').execute();
        assert.equal(ledger.length, 1, 'its event is found in the ledger');
        assert.equal((await app.ctx.db.selectFrom('messages').select('id').execute()).length, 1);
      } finally {
        await app.close();
      }
    });
  });
}
