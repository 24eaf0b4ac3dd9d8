import type { Keyring } from '../../crypto/index.ts';
import type { ContactTable } from '../../db/tables/conversations.ts';

type EncryptedColumn = 'psid_enc' | 'name_enc' | 'first_name_enc' | 'last_name_enc' | 'picture_enc' | 'attributes_enc';

/** Encrypts one contact field bound to its row and Page. */
export function sealContactField(keyring: Keyring, row: Pick<ContactTable, 'id' | 'page_id'>, column: EncryptedColumn, value: string): string {
  return keyring.encrypt(value, { table: 'contacts', column, pageId: row.page_id, rowId: row.id });
}

/** Decrypts one contact field, or null when it is not set. */
export function openContactField(keyring: Keyring, row: ContactTable, column: EncryptedColumn): string | null {
  const value = row[column];
  return value === null ? null : keyring.decrypt(value, { table: 'contacts', column, pageId: row.page_id, rowId: row.id });
}

export function psidIndex(keyring: Keyring, psid: string): string {
  return keyring.blindIndex(psid, 'psid');
}
