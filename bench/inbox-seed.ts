// The inbox benchmark's data: N contacts with one inbound message each, their conversations and search tokens,
// written in bulk (a few seconds per 10,000). Shared by inbox.bench.ts and anyone profiling the list by hand.
import { newId } from '../src/lib/ids.ts';
import { cliActor } from '../src/modules/access/actor.ts';
import { registerPage } from '../src/modules/pages/register-page.ts';
import { sealMessageField } from '../src/modules/conversations/message-fields.ts';
import { messageTokenRows } from '../src/modules/conversations/message-tokens.ts';
import type { AppContext } from '../src/kernel/context.ts';
import type { ContactTable, MessageTable } from '../src/db/tables/conversations.ts';
import type { ConversationTable, MessageTokenTable } from '../src/db/tables/inbox.ts';

export const PAGE = '1717527131834678';
const WORDS = ['order', 'refund', 'delivery', 'size', 'colour', 'invoice', 'parcel', 'address', 'discount', 'return'];

/** N contacts with one inbound message each and their conversations: a third unanswered, a tenth unread, some assigned. */
export async function seed(ctx: AppContext, n: number): Promise<void> {
  await registerPage(ctx, cliActor, { id: PAGE, name: 'Bench shop', access_token: 'EAAG-bench' });
  const start = ctx.clock.now() - n * 1000;
  for (let b = 0; b < n; b += 1000) {
    const contacts: ContactTable[] = [];
    const messages: MessageTable[] = [];
    const conversations: ConversationTable[] = [];
    const tokens: MessageTokenTable[] = [];
    for (let i = b; i < Math.min(n, b + 1000); i++) {
      const at = start + i * 1000;
      const id = newId('ct', at);
      const psid = String(3_000_000_000_000_000 + i);
      const enc = (column: string, v: string) =>
        ctx.keyring.encrypt(v, { table: 'contacts', column, pageId: PAGE, rowId: id });
      contacts.push({
        id,
        page_id: PAGE,
        psid_bidx: ctx.keyring.blindIndex(psid, 'psid'),
        psid_enc: enc('psid_enc', psid),
        name_enc: enc('name_enc', `Person ${i}`),
        first_name_enc: null,
        last_name_enc: null,
        picture_enc: null,
        locale: 'en_US',
        timezone: 0,
        status: 'active' as const,
        status_reason: null,
        status_at: null,
        psid_invalid_at: null,
        last_user_action_at: at,
        last_inbound_at: at,
        last_outbound_at: null,
        read_watermark: null,
        delivery_watermark: null,
        thread_owner_app_id: null,
        thread_owner_at: null,
        thread_request_app_id: null,
        thread_request_at: null,
        profile_status: 'ok' as const,
        profile_fetched_at: at,
        profile_next_at: null,
        consent_replies: 'granted' as const,
        consent_replies_at: null,
        consent_marketing: 'none' as const,
        consent_marketing_at: null,
        merged_into: null,
        created_at: at,
        updated_at: at,
        last_seen_at: at,
      });
      const mid = newId('msg', at);
      const text = `question about my ${WORDS[i % WORDS.length]} number ${i}`;
      const row = { id: mid, page_id: PAGE, contact_id: id };
      messages.push({
        ...row,
        mid: `m.${i}`,
        direction: 'inbound' as const,
        kind: 'message' as const,
        author: 'contact' as const,
        text_enc: sealMessageField(ctx, row, 'text_enc', text),
        attachments_enc: null,
        quick_reply_enc: null,
        reply_to_mid: null,
        app_id: null,
        delivery_id: null,
        sent_at: at,
        created_at: at,
      });
      tokens.push(...messageTokenRows(ctx.keyring, { ...row, sent_at: at }, text));
      conversations.push({
        id: `cv_${id.slice(3)}`,
        page_id: PAGE,
        contact_id: id,
        status: i % 5 === 0 ? ('resolved' as const) : ('open' as const),
        assignee_id: i % 3 === 0 ? 'us_benchagent0000000000000000' : null,
        handled_by: 'human' as const,
        labels: '[]',
        unread_count: i % 10 === 0 ? 1 : 0,
        waiting_since: i % 3 === 1 ? at : null,
        last_message_id: mid,
        last_activity_at: at,
        snoozed_until: null,
        version: 1,
        created_at: at,
        updated_at: at,
      });
    }
    await ctx.db.transaction().execute(async (trx) => {
      // SQLite takes at most 32,766 parameters a statement: a few hundred rows at a time.
      for (let t = 0; t < contacts.length; t += 250)
        await trx
          .insertInto('contacts')
          .values(contacts.slice(t, t + 250))
          .execute();
      for (let t = 0; t < messages.length; t += 250)
        await trx
          .insertInto('messages')
          .values(messages.slice(t, t + 250))
          .execute();
      for (let t = 0; t < conversations.length; t += 250)
        await trx
          .insertInto('conversations')
          .values(conversations.slice(t, t + 250))
          .execute();
      for (let t = 0; t < tokens.length; t += 1000)
        await trx
          .insertInto('message_tokens')
          .values(tokens.slice(t, t + 1000))
          .execute();
    });
  }
}
