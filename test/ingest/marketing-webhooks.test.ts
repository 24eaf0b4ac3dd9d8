// The paid Marketing Message API's webhooks, on each database: `marketing_message_deliveries` moves the send it names
// (by Meta's tracking id) to delivered, `marketing_message_delivery_failed` to failed with Meta's reason, an echo
// changes nothing, and a redelivery changes nothing more.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DeliveryTable } from '../../src/db/tables/messaging.ts';
import { newId } from '../../src/lib/ids.ts';
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
    const sent = async (trackingId: string) => {
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
        status: 'sent',
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
        sent_at: T0 + 1000,
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
  });
}
