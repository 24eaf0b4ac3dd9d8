import type { AppContext } from '../../src/kernel/context.ts';
import { newId } from '../../src/lib/ids.ts';
import type { ContactTable } from '../../src/db/tables/conversations.ts';
import { newContactRow } from '../../src/modules/contacts/contact-row.ts';

/** What fixtures add to a new contact: an en_US person at UTC who wrote just now (their window open). */
export function wroteJustNow(now: number): Partial<ContactTable> {
  return { locale: 'en_US', timezone: 0, last_user_action_at: now, last_inbound_at: now, profile_next_at: null };
}

export interface SeededContact {
  contactId: string;
  psid: string;
  messageId: string;
  deliveryId: string;
  conversationId: string;
}

/**
 * Writes a contact with one inbound message and one outbound delivery straight into the tables, encrypted as the
 * schema says, for tests that need objects on a Page without running the webhook pipeline.
 */
export async function seedContact(
  ctx: AppContext,
  pageId: string,
  p: { psid: string; name: string; text: string },
): Promise<SeededContact> {
  const now = ctx.clock.now();
  const contactId = newId('ct', now);
  const enc = (table: string, column: string, rowId: string, v: string) =>
    ctx.keyring.encrypt(v, { table, column, pageId, rowId });
  const row: ContactTable = {
    ...newContactRow({
      id: contactId,
      pageId,
      psidBidx: ctx.keyring.blindIndex(p.psid, 'psid'),
      psidEnc: enc('contacts', 'psid_enc', contactId, p.psid),
      at: now,
      now,
    }),
    ...wroteJustNow(now),
    name_enc: enc('contacts', 'name_enc', contactId, p.name),
    profile_status: 'ok',
    profile_fetched_at: now,
  };
  const messageId = newId('msg', now);
  const outId = newId('msg', now);
  const deliveryId = newId('dl', now);
  const conversationId = `cv_${contactId.slice(3)}`;
  await ctx.db.transaction().execute(async (trx) => {
    await trx.insertInto('contacts').values(row).execute();
    await trx
      .insertInto('messages')
      .values([
        {
          id: messageId,
          page_id: pageId,
          contact_id: contactId,
          mid: `m_${messageId}`,
          direction: 'inbound',
          kind: 'message',
          author: 'contact',
          text_enc: enc('messages', 'text_enc', messageId, p.text),
          attachments_enc: null,
          quick_reply_enc: null,
          reply_to_mid: null,
          app_id: null,
          delivery_id: null,
          sent_at: now,
          created_at: now,
        },
        {
          id: outId,
          page_id: pageId,
          contact_id: contactId,
          mid: null,
          direction: 'outbound',
          kind: 'message',
          author: 'agent',
          text_enc: enc('messages', 'text_enc', outId, `re: ${p.text}`),
          attachments_enc: null,
          quick_reply_enc: null,
          reply_to_mid: null,
          app_id: null,
          delivery_id: deliveryId,
          sent_at: now,
          created_at: now,
        },
      ])
      .execute();
    await trx
      .insertInto('deliveries')
      .values({
        id: deliveryId,
        page_id: pageId,
        contact_id: contactId,
        message_id: outId,
        author: 'agent',
        kind: 'text',
        messaging_type: 'RESPONSE',
        tag: null,
        body_enc: enc('deliveries', 'body_enc', deliveryId, JSON.stringify({ text: `re: ${p.text}` })),
        status: 'queued',
        reason: null,
        error_code: null,
        error_message: null,
        meta_code: null,
        meta_subcode: null,
        mid: null,
        attempts: 0,
        next_attempt_at: now + 3_600_000,
        lease_owner: null,
        lease_until: null,
        campaign_id: null,
        idempotency_key: null,
        created_by: null,
        created_at: now,
        updated_at: now,
        sent_at: null,
        delivered_at: null,
        read_at: null,
      })
      .execute();
    await trx
      .insertInto('conversations')
      .values({
        id: conversationId,
        page_id: pageId,
        contact_id: contactId,
        status: 'open',
        assignee_id: null,
        handled_by: 'human',
        labels: '[]',
        unread_count: 1,
        waiting_since: now,
        last_message_id: messageId,
        last_activity_at: now,
        snoozed_until: null,
        version: 1,
        created_at: now,
        updated_at: now,
      })
      .execute();
  });
  return { contactId, psid: p.psid, messageId, deliveryId, conversationId };
}
