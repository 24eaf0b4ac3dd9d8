import type { ContactTable, MessageTable } from '../../db/tables/conversations.ts';
import { newId } from '../../lib/ids.ts';
import type { EchoEvent, MessageEditEvent, MessageEvent, PostbackEvent } from '../../platform/index.ts';
import { findContactById, touchByUserAction, touchContact } from '../contacts/contacts.repository.ts';
import { insertMessageIfAbsent } from '../conversations/messages.repository.ts';
import { sealMessageField } from '../conversations/message-fields.ts';
import {
  recordDeliveryChanges,
  recordInboundMessage,
  recordMessageEdit,
  recordOutboundMessage,
} from '../conversations/conversation-activity.ts';
import { matchEcho } from '../messaging/delivery-status.ts';
import { noteMessageChannel } from '../conversations/thread-owner.ts';
import { defined, recordContactEvent, type EffectContext } from './effect-context.ts';
import { linkUserRef } from './effects-optins.ts';

/** What a history row records of an event: a message, an echo, or a button pressed. */
interface HistoryItem {
  kind: MessageTable['kind'];
  mid: string | null;
  text?: string | undefined;
  attachments: readonly unknown[];
  /** A quick reply's or a postback's payload. */
  payload?: string | undefined;
  replyToMid?: string | undefined;
  appId?: string | undefined;
  timestamp: number;
}

function historyRow(
  e: EffectContext,
  contact: ContactTable,
  item: HistoryItem,
  direction: 'inbound' | 'outbound',
  author: MessageTable['author'],
): MessageTable {
  const id = newId('msg', e.now);
  const seal = (column: 'text_enc' | 'attachments_enc' | 'quick_reply_enc', v: string) =>
    sealMessageField(e.ctx, { id, page_id: contact.page_id, contact_id: contact.id }, column, v);
  return {
    id,
    page_id: contact.page_id,
    contact_id: contact.id,
    mid: item.mid,
    direction,
    kind: item.kind,
    author,
    text_enc: item.text === undefined ? null : seal('text_enc', item.text),
    attachments_enc: item.attachments.length ? seal('attachments_enc', JSON.stringify(item.attachments)) : null,
    quick_reply_enc: item.payload === undefined ? null : seal('quick_reply_enc', item.payload),
    reply_to_mid: item.replyToMid ?? null,
    app_id: item.appId ?? null,
    delivery_id: null,
    sent_at: item.timestamp,
    created_at: e.now,
  };
}

function messageItem(ev: MessageEvent | EchoEvent): HistoryItem {
  return {
    kind: 'message',
    mid: ev.mid,
    text: ev.text,
    attachments: ev.attachments,
    payload: ev.kind === 'message' ? ev.quickReplyPayload : undefined,
    replyToMid: ev.replyToMid,
    appId: ev.kind === 'echo' ? ev.appId : undefined,
    timestamp: ev.timestamp,
  };
}

/**
 * A button the person pressed joins the history as they saw it (its title, with its payload), and counts as their
 * turn in the conversation: it reopens it and waits for an answer, as a message does. Stored once per event (the
 * processor never applies an event twice; a postback's mid, when Meta gives one, is unique too).
 */
export async function recordPostbackInHistory(
  e: EffectContext,
  contact: ContactTable,
  ev: PostbackEvent,
): Promise<void> {
  const item = {
    kind: 'postback' as const,
    mid: ev.mid ?? null,
    text: ev.title,
    attachments: [],
    timestamp: ev.timestamp,
  };
  const row = historyRow(e, contact, { ...item, payload: ev.payload }, 'inbound', 'contact');
  if (await insertMessageIfAbsent(e.trx, row)) await recordInboundMessage(e.trx, e.ctx, row, ev.title ?? null);
}

/**
 * An inbound message: history (unique by mid), window refresh, reachability, checkbox user_ref link, referral;
 * then the inbound hooks with the stored contact.
 */
export async function applyMessage(e: EffectContext, contact: ContactTable, ev: MessageEvent): Promise<void> {
  const row = historyRow(e, contact, messageItem(ev), 'inbound', 'contact');
  if (await insertMessageIfAbsent(e.trx, row)) await recordInboundMessage(e.trx, e.ctx, row, ev.text ?? null);
  const touched = await touchByUserAction(e.trx, contact, ev.timestamp, e.now, { inbound: true });
  let changedSince = await noteMessageChannel(e.trx, e.ctx, contact, ev.channel, ev.timestamp);
  if (ev.priorMessage) {
    await linkUserRef(e, contact, ev.priorMessage.identifier, ev.timestamp);
    changedSince = true;
  }
  if (ev.referral)
    await recordContactEvent(e, contact, 'referral', ev.timestamp, defined({ ...ev.referral, via: 'message' }));
  if (e.ctx.inboundHooks.names().length === 0) return;
  // The contact as the hooks must see it: the touch's result, unless something since may have changed it.
  const after = (changedSince ? await findContactById(e.trx, contact.id, null) : touched) ?? contact;
  await e.ctx.inboundHooks.run({
    ctx: e.ctx,
    trx: e.trx,
    contact: after,
    event: ev,
    messageId: row.id,
    ...(ev.text !== undefined && { text: ev.text }),
    ...(ev.quickReplyPayload !== undefined && { payload: ev.quickReplyPayload }),
  });
}

/** What the Page sent, seen as an echo: our own send is matched to its delivery, anything else is history by 'page'. */
export async function applyEcho(e: EffectContext, contact: ContactTable, ev: EchoEvent): Promise<void> {
  const matched = await matchEcho(e.trx, contact.page_id, ev.mid, ev.metadata, ev.timestamp);
  if (matched === null) {
    const row = historyRow(e, contact, messageItem(ev), 'outbound', 'page');
    if (await insertMessageIfAbsent(e.trx, row)) await recordOutboundMessage(e.trx, e.ctx, row, ev.text ?? null);
  } else {
    await recordDeliveryChanges(e.trx, e.ctx, [{ pageId: contact.page_id, contactId: contact.id, deliveryId: null }]);
  }
  await touchContact(e.trx, contact.id, ev.timestamp, e.now, { outbound: true });
}

/**
 * An edit is kept as activity: the history row keeps the text as the person first sent it, and the history shows the
 * newest edit beside it (list-messages.ts), whichever of the two was stored first. The inbox hears of it.
 */
export async function applyMessageEdit(e: EffectContext, contact: ContactTable, ev: MessageEditEvent): Promise<void> {
  await recordContactEvent(
    e,
    contact,
    'message_edit',
    ev.timestamp,
    defined({ mid: ev.mid, text: ev.text, num_edit: ev.numEdit }),
  );
  await recordMessageEdit(e.trx, e.ctx, {
    pageId: contact.page_id,
    contactId: contact.id,
    text: ev.text ?? null,
    at: ev.timestamp,
  });
  await touchContact(e.trx, contact.id, ev.timestamp, e.now, {});
}
