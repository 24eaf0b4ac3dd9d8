import type { AppContext } from '../../kernel/context.ts';
import type { MessageTable } from '../../db/tables/conversations.ts';
import type { Executor } from '../../db/types.ts';
import { appendEvents, type NewInboxEvent } from '../events/events.repository.ts';
import { conversationIdOf, insertMessageTokens, touchInbound, touchOutbound } from './conversations.repository.ts';
import { messageTokenRows } from './message-tokens.ts';

type HistoryRow = Pick<MessageTable, 'id' | 'page_id' | 'contact_id' | 'sent_at'>;

const event = (
  type: NewInboxEvent['type'],
  pageId: string,
  at: number,
  ids: Partial<Pick<NewInboxEvent, 'conversation_id' | 'contact_id' | 'message_id' | 'delivery_id'>>,
): NewInboxEvent => ({
  page_id: pageId,
  type,
  at,
  conversation_id: ids.conversation_id ?? null,
  contact_id: ids.contact_id ?? null,
  message_id: ids.message_id ?? null,
  delivery_id: ids.delivery_id ?? null,
});

/**
 * A customer's message was stored (in the processing transaction): its conversation opens or reopens, its words join
 * the search index, and the inbox hears of both. Runs once per stored message (the caller skips duplicates).
 */
export async function recordInboundMessage(
  trx: Executor,
  ctx: AppContext,
  row: HistoryRow,
  text: string | null,
): Promise<void> {
  const now = ctx.clock.now();
  const conversationId = await touchInbound(trx, {
    pageId: row.page_id,
    contactId: row.contact_id,
    messageId: row.id,
    sentAt: row.sent_at,
    now,
  });
  await insertMessageTokens(trx, messageTokenRows(ctx.keyring, row, text, ctx.keyring.currentVersion, trx));
  const ids = { conversation_id: conversationId, contact_id: row.contact_id };
  await appendEvents(trx, ctx.database.dialect, [
    event('message.created', row.page_id, now, { ...ids, message_id: row.id }),
    event('conversation.updated', row.page_id, now, ids),
  ]);
}

/**
 * Something the Page sent joined the history (an agent's or the bot's reply, a campaign message, the Page's own
 * message seen as an echo): the conversation's last activity, the end of the wait for an answer, the index, events.
 */
export async function recordOutboundMessage(
  trx: Executor,
  ctx: AppContext,
  row: HistoryRow & { author: MessageTable['author'] },
  text: string | null,
): Promise<void> {
  const now = ctx.clock.now();
  const answers = row.author === 'agent' || row.author === 'automation' || row.author === 'page';
  const conversationId = await touchOutbound(trx, {
    pageId: row.page_id,
    contactId: row.contact_id,
    messageId: row.id,
    at: row.sent_at,
    now,
    answers,
    // Only an agent's reply through pagescope: the Page's echoes also carry Meta's own instant replies and other
    // apps' messages, which must not silence the bot.
    takesOver: row.author === 'agent',
    create: row.author === 'agent',
  });
  await insertMessageTokens(trx, messageTokenRows(ctx.keyring, row, text, ctx.keyring.currentVersion, trx));
  const ids = { conversation_id: conversationId, contact_id: row.contact_id };
  await appendEvents(trx, ctx.database.dialect, [
    event('message.created', row.page_id, now, { ...ids, message_id: row.id }),
    ...(conversationId ? [event('conversation.updated', row.page_id, now, ids)] : []),
  ]);
}

/**
 * Deliveries changed status (sent, delivered, read, failed): one event each, ids only; a receipt that moves several of
 * a contact's deliveries at once is one event without a delivery id.
 */
export async function recordDeliveryChanges(
  trx: Executor,
  ctx: AppContext,
  changes: readonly { pageId: string; contactId: string; deliveryId: string | null }[],
): Promise<void> {
  const now = ctx.clock.now();
  await appendEvents(
    trx,
    ctx.database.dialect,
    changes.map((c) =>
      event('delivery.updated', c.pageId, now, {
        conversation_id: conversationIdOf(c.contactId),
        contact_id: c.contactId,
        delivery_id: c.deliveryId,
      }),
    ),
  );
}

/**
 * A person edited a message of theirs (shown with its new text): the new words join the search index (as of the
 * edit's time, so the retention drops them with the edit's text), and the inbox refetches their history.
 */
export async function recordMessageEdit(
  trx: Executor,
  ctx: AppContext,
  edit: { pageId: string; contactId: string; text: string | null; at: number },
): Promise<void> {
  const { pageId, contactId } = edit;
  const row = { page_id: pageId, contact_id: contactId, sent_at: edit.at };
  await insertMessageTokens(trx, messageTokenRows(ctx.keyring, row, edit.text, ctx.keyring.currentVersion, trx));
  await recordMessageUpdate(trx, ctx, pageId, contactId);
}

/** An event of a contact alone, with nothing but its id: the inbox refetches what the type says of that contact. */
function contactSignal(type: 'message.updated' | 'contact.updated') {
  return async (trx: Executor, ctx: AppContext, pageId: string, contactId: string): Promise<void> => {
    await appendEvents(trx, ctx.database.dialect, [event(type, pageId, ctx.clock.now(), { contact_id: contactId })]);
  };
}

/** What a person did to a message changed how it shows (an edit, a reaction): the inbox refetches their history. */
export const recordMessageUpdate = contactSignal('message.updated');

/** A contact's details changed (profile, consent, tags, reachability): the inbox refetches it. */
export const recordContactChange = contactSignal('contact.updated');
