import type { AppContext } from '../../kernel/context.ts';
import type { MessageTable } from '../../db/tables/conversations.ts';
import { toIso } from '../../lib/time.ts';
import { openMessageField } from './message-fields.ts';

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

/** The contract's Message: decrypted text and attachments, never ciphertext or internal columns. */
export function presentMessage(ctx: AppContext, row: MessageTable) {
  const quickReply = openMessageField(ctx, row, 'quick_reply_enc');
  return {
    id: row.id,
    mid: row.mid,
    contact_id: row.contact_id,
    direction: row.direction,
    author: row.author,
    text: openMessageField(ctx, row, 'text_enc'),
    attachments: attachmentsOf(ctx, row),
    ...(quickReply !== null && { quick_reply_payload: quickReply }),
    ...(row.reply_to_mid !== null && { reply_to_mid: row.reply_to_mid }),
    created_at: toIso(row.sent_at),
    ...(row.delivery_id !== null && { delivery_id: row.delivery_id }),
  };
}

export type MessageView = ReturnType<typeof presentMessage>;
