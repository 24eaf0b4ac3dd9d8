import type { AppContext } from '../../kernel/context.ts';
import type { MessageTable } from '../../db/tables/conversations.ts';
import { openContactField, sealContactField } from '../../crypto/contact-layer.ts';

type EncryptedColumn = 'text_enc' | 'attachments_enc' | 'quick_reply_enc';

/** Encrypts one history field bound to its row and Page, under the contact's own key (erasure destroys it). */
export function sealMessageField(
  ctx: AppContext,
  row: Pick<MessageTable, 'id' | 'page_id' | 'contact_id'>,
  column: EncryptedColumn,
  value: string,
): string {
  return sealContactField(ctx, row.contact_id, value, {
    table: 'messages',
    column,
    pageId: row.page_id,
    rowId: row.id,
  });
}

export function openMessageField(ctx: AppContext, row: MessageTable, column: EncryptedColumn): string | null {
  const value = row[column];
  return value === null
    ? null
    : openContactField(ctx, row.contact_id, value, { table: 'messages', column, pageId: row.page_id, rowId: row.id });
}
