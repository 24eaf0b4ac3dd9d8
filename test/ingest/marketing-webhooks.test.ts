// The paid Marketing Message API's webhooks, on each database: `marketing_message_deliveries` moves the send it names
// (by Meta's tracking id) to delivered, `marketing_message_delivery_failed` to failed with Meta's reason, an echo
// changes nothing, and a redelivery changes nothing more. One that comes before its send's answer (with the tracking id)
// is recorded is kept, and applied when that answer is committed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DeliveryTable } from '../../src/db/tables/messaging.ts';
import { newId } from '../../src/lib/ids.ts';
import { commitTurn } from '../../src/modules/messaging/commit-turn.ts';
import { purgeRawWebhookData } from '../../src/modules/ingest/purge-raw.ts';
import type { TestApp } from '../support/app.ts';
import { testDialects } from '../support/db.ts';
import { PAGE_A, drain, envelope, ingestApp, messageItem, postWebhook } from './support.ts';

const T0 = Date.UTC(2026, 11, 3, 10);
const PSID = '2000000000000042';

function change(field: string, trackingId: string, extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    object: 'page',
    entry: [
      {
        id: PAGE_A,
        time: T0 + 5000,
        changes: [
          {
            field,
            value: {
              recipient_id: PSID,
              page_id: PAGE_A,
              app_id: '1517776481860111',
              timestamp: T0 + 5000,
              mid: `m_${trackingId}`,
              marketing_message_tracking_id: trackingId,
              messenger_subscription_token: '8183222379117308817',
              message_id: '120000000000001',
              ...extra,
            },
          },
        ],
      },
    ],
  });
}

for (const dialect of testDialects()) {
  describe(`Marketing Message webhooks [${dialect}]`, () => {
    let app: TestApp;
    let contactId = '';
    const sent = async (trackingId: string | null) => {
      const id = newId('dl');
      const row: DeliveryTable = {
        id,
        page_id: PAGE_A,
        contact_id: contactId,
        message_id: newId('msg'),
        author: 'campaign',
        kind: 'text',
        messaging_type: 'MARKETING_MESSAGE',
        tag: null,
        body_enc: 'x',
        status: trackingId === null ? 'sending' : 'sent',
        reason: null,
        error_code: null,
        error_message: null,
        meta_code: null,
        meta_subcode: null,
        mid: trackingId,
        attempts: 1,
        next_attempt_at: T0,
        lease_owner: null,
        lease_until: null,
        campaign_id: null,
        idempotency_key: null,
        created_by: null,
        created_at: T0,
        updated_at: T0,
        sent_at: trackingId === null ? null : T0 + 1000,
        delivered_at: null,
        read_at: null,
      };
      await app.ctx.db.insertInto('deliveries').values(row).execute();
      return id;
    };
    const delivery = (id: string) =>
      app.ctx.db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

    before(async () => {
      app = await ingestApp(dialect);
      await postWebhook(app, envelope(PAGE_A, [messageItem(PAGE_A, PSID, 'm_hello', 'hello', T0)]));
      await drain(app);
      contactId = (await app.ctx.db.selectFrom('contacts').select('id').executeTakeFirstOrThrow()).id;
    });
    after(() => app.close());

    it('a delivery webhook marks the send it names delivered, and only that one', async () => {
      const named = await sent('98ecd977-245a-4ec0-a8e0-8b8ecaad8030');
      const other = await sent('11111111-245a-4ec0-a8e0-8b8ecaad8030');
      await postWebhook(app, change('marketing_message_echoes', '98ecd977-245a-4ec0-a8e0-8b8ecaad8030'));
      await drain(app);
      assert.equal((await delivery(named)).status, 'sent');
      await postWebhook(app, change('marketing_message_deliveries', '98ecd977-245a-4ec0-a8e0-8b8ecaad8030'));
      await drain(app);
      const d = await delivery(named);
      assert.equal(d.status, 'delivered');
      assert.equal(Number(d.delivered_at), T0 + 5000);
      assert.equal((await delivery(other)).status, 'sent');
    });

    it("a failure webhook marks the send failed with Meta's reason; a redelivery changes nothing", async () => {
      const id = await sent('22222222-245a-4ec0-a8e0-8b8ecaad8030');
      const body = change('marketing_message_delivery_failed', '22222222-245a-4ec0-a8e0-8b8ecaad8030', {
        error_message: 'Marketing messages are not available for this user',
      });
      await postWebhook(app, body);
      await drain(app);
      const d = await delivery(id);
      assert.equal(d.status, 'failed');
      assert.equal(d.error_code, 'marketing_delivery_failed');
      assert.equal(d.error_message, 'Marketing messages are not available for this user');
      await postWebhook(app, body);
      await drain(app);
      assert.deepEqual(await delivery(id), d);
    });

    it("a failure webhook that comes before its send's answer is kept once and applied when the answer is committed", async () => {
      const id = await sent(null);
      const body = change('marketing_message_delivery_failed', '33333333-245a-4ec0-a8e0-8b8ecaad8030', {
        error_message: 'Marketing messages are not available for this user',
      });
      await postWebhook(app, body);
      await drain(app);
      await postWebhook(app, body);
      await drain(app);
      const kept = await app.ctx.db.selectFrom('marketing_message_early_events').selectAll().execute();
      assert.deepEqual(
        kept.map((k) => [k.contact_id, k.tracking_id, k.status]),
        [[contactId, '33333333-245a-4ec0-a8e0-8b8ecaad8030', 'failed']],
      );
      assert.equal((await delivery(id)).status, 'sending');

      const attempt = { delivery: await delivery(id), attempt: 1, marketingSubscriptionId: newId('ms') };
      const turn = await commitTurn(
        app.ctx,
        [{ attempt, outcome: { type: 'sent', mid: '33333333-245a-4ec0-a8e0-8b8ecaad8030' } }],
        null,
      );
      await turn.durable;
      const d = await delivery(id);
      assert.equal(d.status, 'failed');
      assert.equal(d.error_message, 'Marketing messages are not available for this user');
      assert.equal((await app.ctx.db.selectFrom('marketing_message_early_events').selectAll().execute()).length, 0);
    });

    it('a kept webhook whose send never comes is dropped with the raw webhook data', async () => {
      await postWebhook(app, change('marketing_message_deliveries', '44444444-245a-4ec0-a8e0-8b8ecaad8030'));
      await drain(app);
      const count = async () =>
        (await app.ctx.db.selectFrom('marketing_message_early_events').select('id').execute()).length;
      assert.equal(await count(), 1);
      await purgeRawWebhookData(app.ctx);
      assert.equal(await count(), 1, 'kept within PAGESCOPE_RAW_RETENTION_DAYS');
      app.clock.advance((app.ctx.config.rawRetentionDays + 1) * 86_400_000);
      await purgeRawWebhookData(app.ctx);
      assert.equal(await count(), 0);
    });
  });
}
