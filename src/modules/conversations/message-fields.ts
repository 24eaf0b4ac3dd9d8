import type { Keyring } from '../../crypto/index.ts';
import type { MessageTable } from '../../db/tables/conversations.ts';

type EncryptedColumn = 'text_enc' | 'attachments_enc' | 'quick_reply_enc';

/** Encrypts one history field bound to its row and Page. */
export function sealMessageField(keyring: Keyring, row: Pick<MessageTable, 'id' | 'page_id'>, column: EncryptedColumn, value: string): string {
  return keyring.encrypt(value, { table: 'messages', column, pageId: row.page_id, rowId: row.id });
}

export function openMessageField(keyring: Keyring, row: MessageTable, column: EncryptedColumn): string | null {
  const value = row[column];
  return value === null ? null : keyring.decrypt(value, { table: 'messages', column, pageId: row.page_id, rowId: row.id });
}
