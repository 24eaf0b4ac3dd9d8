import type { AppContext } from '../../kernel/context.ts';
import type { MessageTable } from '../../db/tables/conversations.ts';
import { AppError } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { assertCan, type Actor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { appendEvents } from '../events/events.repository.ts';
import { insertMessageTokens } from './conversations.repository.ts';
import { loadVisibleConversation } from './get-conversation.ts';
import { sealMessageField } from './message-fields.ts';
import { presentMessage, type MessageView } from './message.presenter.ts';
import { messageTokenRows } from './message-tokens.ts';
import { insertMessageIfAbsent } from './messages.repository.ts';

export const MAX_NOTE_CHARS = 4000;

/**
 * A private note in the conversation's history (`author: note`): never sent to Meta, so allowed whatever the window;
 * encrypted like every message, searchable, audited (without its text) and announced to the inbox.
 */
export async function addNote(
  ctx: AppContext,
  actor: Actor,
  conversationId: string,
  text: string,
): Promise<MessageView> {
  assertCan(actor, 'conversations:write');
  const body = text.trim();
  if (body.length === 0) throw new AppError('validation_failed', 'a note needs text', { field: 'text' });
  if (body.length > MAX_NOTE_CHARS)
    throw new AppError('validation_failed', `a note is at most ${MAX_NOTE_CHARS} characters`, { field: 'text' });
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const conversation = await loadVisibleConversation(trx, actor, conversationId);
    const id = newId('msg', now);
    const at = { id, page_id: conversation.page_id, contact_id: conversation.contact_id };
    const row: MessageTable = {
      ...at,
      mid: null,
      direction: 'outbound',
      kind: 'message',
      author: 'note',
      text_enc: sealMessageField(ctx, at, 'text_enc', body),
      attachments_enc: null,
      quick_reply_enc: null,
      reply_to_mid: null,
      app_id: null,
      delivery_id: null,
      sent_at: now,
      created_at: now,
    };
    await insertMessageIfAbsent(trx, row);
    await insertMessageTokens(trx, messageTokenRows(ctx.keyring, row, body));
    await appendAudit(
      trx,
      actor,
      {
        action: 'conversation.note',
        pageId: conversation.page_id,
        subjectType: 'conversation',
        subjectId: conversation.id,
        details: { message_id: id },
      },
      now,
    );
    await appendEvents(trx, ctx.database.dialect, [
      {
        page_id: conversation.page_id,
        type: 'message.created',
        conversation_id: conversation.id,
        contact_id: conversation.contact_id,
        message_id: id,
        delivery_id: null,
        at: now,
      },
    ]);
    return presentMessage(ctx, row);
  });
}
