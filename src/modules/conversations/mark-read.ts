import type { AppContext } from '../../kernel/context.ts';
import { assertCan, type Actor } from '../access/actor.ts';
import { appendEvents } from '../events/events.repository.ts';
import { updateConversation } from './conversations.repository.ts';
import { loadVisibleConversation } from './get-conversation.ts';

/** The customer's messages have been read in the inbox: no unread left. Idempotent; not audited (no data changes hands). */
export async function markConversationRead(ctx: AppContext, actor: Actor, conversationId: string): Promise<void> {
  assertCan(actor, 'messages:read');
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const conversation = await loadVisibleConversation(trx, actor, conversationId);
    if (conversation.unread_count === 0) return;
    await updateConversation(trx, conversation.id, { unread_count: 0 }, now, null);
    await appendEvents(trx, ctx.database.dialect, [
      {
        page_id: conversation.page_id,
        type: 'conversation.updated',
        conversation_id: conversation.id,
        contact_id: conversation.contact_id,
        message_id: null,
        delivery_id: null,
        at: now,
      },
    ]);
  });
}
