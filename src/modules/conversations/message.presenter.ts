import type { AppContext } from '../../kernel/context.ts';
import type { MessageTable } from '../../db/tables/conversations.ts';
import { toIso } from '../../lib/time.ts';
import { openContactField } from '../../crypto/contact-layer.ts';
import { openMessageField } from './message-fields.ts';
import type { DeliveryState } from './messages.repository.ts';

export interface AttachmentView {
  type: string;
  url?: string;
  title?: string;
  sticker_id?: string;
  payload?: unknown;
}

function attachmentsOf(ctx: AppContext, row: MessageTable): AttachmentView[] {
  const json = openMessageField(ctx, row, 'attachments_enc');
  if (json === null) return [];
  const list = JSON.parse(json) as Record<string, unknown>[];
  return list.map((a) => ({
    type: String(a.type ?? 'unknown'),
    ...(typeof a.url === 'string' && { url: a.url }),
    ...(typeof a.title === 'string' && { title: a.title }),
    ...(typeof a.stickerId === 'string' && { sticker_id: a.stickerId }),
    ...(a.payload !== undefined && a.url === undefined && { payload: a.payload }),
  }));
}

export interface OfferedQuickReply {
  content_type: string;
  title?: string;
  payload?: string;
}

/** The quick replies our own send offered, from the Send API body it went out with. */
function offeredQuickReplies(ctx: AppContext, d: DeliveryState): OfferedQuickReply[] {
  const at = { table: 'deliveries', column: 'body_enc', pageId: d.page_id, rowId: d.id };
  const body = JSON.parse(openContactField(ctx, d.contact_id, d.body_enc, at)) as { quick_replies?: unknown };
  if (!Array.isArray(body.quick_replies)) return [];
  return (body.quick_replies as Record<string, unknown>[]).map((q) => ({
    content_type: String(q.content_type ?? 'text'),
    ...(typeof q.title === 'string' && { title: q.title }),
    ...(typeof q.payload === 'string' && { payload: q.payload }),
  }));
}

/** Where our own send stands (queued … read, failed, skipped), with the stable and Meta codes of a failure. */
function deliveryOf(d: DeliveryState) {
  const code = d.status === 'failed' ? (d.error_code ?? d.reason) : d.status === 'skipped' ? d.reason : null;
  return {
    id: d.id,
    status: d.status,
    ...(code !== null && {
      error: {
        code,
        ...(d.status === 'failed' && d.meta_code !== null && { meta_code: d.meta_code }),
        ...(d.status === 'failed' && d.meta_subcode !== null && { meta_subcode: d.meta_subcode }),
      },
    }),
  };
}

/** The newest edit of a person's message: its text, when, and how many times the message was edited. */
export interface MessageEdit {
  text: string;
  at: number;
  count: number;
}

export const presentEdit = (edit: MessageEdit) => ({ text: edit.text, at: toIso(edit.at), count: edit.count });

/** The person's reaction to a message now: Messenger's emoji and its name (`love`, `like`, … or `other`). */
export interface MessageReaction {
  emoji: string | null;
  reaction: string | null;
  at: number;
}

/**
 * The contract's Message: decrypted text and attachments, never ciphertext or internal columns. With the delivery
 * of an own send, its state and the quick replies it offered; with the newest edit of a person's message, the text
 * it now says (`text` stays what they first sent); with the person's reaction to it, that reaction.
 */
export function presentMessage(
  ctx: AppContext,
  row: MessageTable,
  delivery?: DeliveryState,
  activity: { edit?: MessageEdit; reaction?: MessageReaction } = {},
) {
  const { edit, reaction } = activity;
  const payload = openMessageField(ctx, row, 'quick_reply_enc');
  const postback = row.kind === 'postback';
  const offered = delivery ? offeredQuickReplies(ctx, delivery) : [];
  return {
    id: row.id,
    mid: row.mid,
    contact_id: row.contact_id,
    direction: row.direction,
    kind: row.kind,
    author: row.author,
    text: openMessageField(ctx, row, 'text_enc'),
    attachments: attachmentsOf(ctx, row),
    ...(payload !== null && !postback && { quick_reply_payload: payload }),
    ...(payload !== null && postback && { postback_payload: payload }),
    ...(row.reply_to_mid !== null && { reply_to_mid: row.reply_to_mid }),
    created_at: toIso(row.sent_at),
    ...(row.delivery_id !== null && { delivery_id: row.delivery_id }),
    ...(delivery && { delivery: deliveryOf(delivery) }),
    ...(offered.length > 0 && { quick_replies: offered }),
    ...(edit && { edited: presentEdit(edit) }),
    ...(reaction && { reaction: { emoji: reaction.emoji, reaction: reaction.reaction, at: toIso(reaction.at) } }),
  };
}

export type MessageView = ReturnType<typeof presentMessage>;
