import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testDialects } from '../../../test/support/db.ts';
import { drain, envelope, ingestApp, messageItem, postWebhook, PAGE_A } from '../../../test/ingest/support.ts';
import { purgeRawWebhookData } from './purge-raw.ts';

const DAY = 24 * 3600_000;

for (const dialect of testDialects()) {
  describe(`raw webhook retention [${dialect}]`, () => {
    it('drops raw bodies and raw events only once processed and older than the retention, keeping the dedupe rows', async () => {
      const app = await ingestApp(dialect, { PAGESCOPE_RAW_RETENTION_DAYS: '7' });
      try {
        const t = app.clock.now();
        await postWebhook(app, envelope(PAGE_A, [messageItem(PAGE_A, '6000000000000001', 'm_old', 'old', t), { sender: { id: '6000000000000001' }, recipient: { id: PAGE_A }, timestamp: t, mystery: {} }]));
        await drain(app);
        await postWebhook(app, envelope(PAGE_A, [messageItem(PAGE_A, '6000000000000001', 'm_pending', 'still pending', t)]));
        app.clock.advance(8 * DAY);
        assert.equal(await purgeRawWebhookData(app.ctx), 2);
        const rows = await app.ctx.db.selectFrom('webhook_deliveries').select(['status', 'body_enc']).orderBy('status').execute();
        assert.deepEqual(rows.map((r) => [r.status, r.body_enc === null]), [['pending', false], ['purged', true]]);
        assert.equal((await app.ctx.db.selectFrom('webhook_events').select('raw_enc').where('raw_enc', 'is not', null).execute()).length, 0);
        assert.equal((await postWebhook(app, envelope(PAGE_A, [messageItem(PAGE_A, '6000000000000001', 'm_old', 'old', t), { sender: { id: '6000000000000001' }, recipient: { id: PAGE_A }, timestamp: t, mystery: {} }]))).statusCode, 200);
        await drain(app);
        const again = await app.ctx.db.selectFrom('webhook_deliveries').select(['status', 'body_enc']).orderBy('status').execute();
        assert.deepEqual(again.map((r) => [r.status, r.body_enc === null]), [['duplicate', true], ['processed', false], ['purged', true]], 'a purged body still deduplicates');
      } finally {
        await app.close();
      }
    });
  });
}
