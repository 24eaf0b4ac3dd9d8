import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/db.ts';
import type { ContactTable } from '../../src/db/tables/conversations.ts';
import type { MessageEvent } from '../../src/platform/index.ts';
import { InboundHooks } from '../../src/kernel/inbound-hooks.ts';
import { registerConsentKeywordHook } from '../../src/modules/consent/keyword-hook.ts';
import { startDispatcher } from '../../src/modules/messaging/dispatcher.ts';
import { addContact, addPage, createMessagingWorld, eventually, type MessagingWorld } from './support.ts';
import { openContactField } from '../../src/crypto/contact-layer.ts';

for (const dialect of testDialects()) {
  test(`opt-out and opt-in keywords [${dialect}]`, async (t) => {
    let w!: MessagingWorld;
    let page!: { id: string };
    let contact!: { id: string; userId: string; psid: string };
    const hooks = new InboundHooks();
    registerConsentKeywordHook(hooks);
    before(async () => {
      w = await createMessagingWorld(dialect);
      page = await addPage(w, 'Keyword Page');
      contact = await addContact(w, page.id, { locale: 'fr_FR' });
    });
    after(async () => w.close());

    // What the ingest processor does for each new inbound message: run the hooks inside its transaction.
    async function inbound(text: string, mid: string, at: number): Promise<void> {
      await w.ctx.db.transaction().execute(async (trx) => {
        const row = (await trx
          .selectFrom('contacts')
          .selectAll()
          .where('id', '=', contact.id)
          .executeTakeFirstOrThrow()) as ContactTable;
        const event: MessageEvent = {
          kind: 'message',
          isEcho: false,
          mid,
          text,
          attachments: [],
          pageId: page.id,
          psid: contact.psid,
          timestamp: at,
          channel: 'messaging',
          idempotencyKey: mid,
        };
        await hooks.run({ ctx: w.ctx, trx, contact: row, event, text });
      });
    }
    const consent = async () =>
      await w.ctx.db
        .selectFrom('contacts')
        .select(['consent_replies', 'consent_replies_at'])
        .where('id', '=', contact.id)
        .executeTakeFirstOrThrow();
    const confirmations = () =>
      w.ctx.db.selectFrom('deliveries').selectAll().where('contact_id', '=', contact.id).orderBy('id').execute();

    await t.test('ignores a message that merely contains a keyword', async () => {
      await inbound('please stop the music', 'm_plain', Date.now());
      assert.equal((await consent()).consent_replies, 'granted');
      assert.equal((await confirmations()).length, 0);
    });

    await t.test(
      'withdraws consent on ARRÊT (the contact speaks French) and queues one confirmation in French',
      async () => {
        const at = Date.now();
        await inbound('Arrêt !', 'm_stop', at);
        assert.deepEqual(await consent(), { consent_replies: 'withdrawn', consent_replies_at: at });
        const queued = await confirmations();
        assert.equal(queued.length, 1);
        assert.equal(queued[0]!.idempotency_key, 'consent:m_stop');
        const text = openContactField(w.ctx, queued[0]!.contact_id, queued[0]!.body_enc, {
          table: 'deliveries',
          column: 'body_enc',
          pageId: page.id,
          rowId: queued[0]!.id,
        });
        assert.match(text, /désabonné/);
        const events = await w.ctx.db
          .selectFrom('contact_events')
          .selectAll()
          .where('contact_id', '=', contact.id)
          .where('kind', '=', 'consent')
          .execute();
        assert.equal(events.length, 1);
        const data = JSON.parse(
          openContactField(w.ctx, events[0]!.contact_id, events[0]!.data_enc!, {
            table: 'contact_events',
            column: 'data_enc',
            pageId: page.id,
            rowId: events[0]!.id,
          }),
        );
        assert.deepEqual(
          [data.source_event_key, data.keyword, typeof data.wording_version],
          ['m_stop', 'opt_out', 'string'],
        );
        const audit = await w.ctx.db
          .selectFrom('audit_events')
          .select('action')
          .where('subject_id', '=', contact.id)
          .execute();
        assert.deepEqual(
          audit.map((a) => a.action),
          ['consent.withdraw'],
        );
        const ledger = await w.ctx.db
          .selectFrom('consent_records')
          .select(['purpose', 'action', 'source', 'event_id'])
          .where('contact_id', '=', contact.id)
          .execute();
        assert.deepEqual(ledger, [{ purpose: 'replies', action: 'withdraw', source: 'keyword', event_id: 'm_stop' }]);
      },
    );

    await t.test('never queues a second confirmation when the same message is handled again', async () => {
      const { consent_replies_at } = await consent();
      await inbound('Arrêt !', 'm_stop', consent_replies_at!);
      assert.equal((await confirmations()).length, 1);
    });

    await t.test('keeps a later choice when an older keyword arrives late', async () => {
      await inbound('START', 'm_old_start', Date.now() - 3_600_000);
      assert.equal((await consent()).consent_replies, 'withdrawn');
      assert.equal((await confirmations()).length, 1);
    });

    await t.test('sends the opt-out confirmation to the opted-out contact, and nothing else', async () => {
      const worker = startDispatcher(w.ctx, {});
      await eventually(async () => (await confirmations())[0]!.status === 'sent', 'the confirmation is sent');
      await worker.stop();
      const inbox = w.meta.emulator.inbox(contact.userId, page.id);
      assert.equal(inbox.length, 1);
      assert.match(String(inbox[0]!.text), /ABONNER/);
    });

    await t.test('gives consent back on START and confirms it', async () => {
      await inbound('start', 'm_start', Date.now());
      assert.equal((await consent()).consent_replies, 'granted');
      const all = await confirmations();
      assert.equal(all.length, 2);
      assert.equal(all[1]!.idempotency_key, 'consent:m_start');
    });
  });
}
