// The contacts table's encrypted columns, sealed under the contact's own key and bound to its row and Page, and the
// PSID's blind index.
import type { AppContext } from '../../kernel/context.ts';
import type { ContactTable } from '../../db/tables/conversations.ts';
import { openContactField as openOwned, sealContactField as sealOwned } from '../../crypto/contact-layer.ts';

type EncryptedColumn = 'psid_enc' | 'name_enc' | 'first_name_enc' | 'last_name_enc' | 'picture_enc';

/** Encrypts one contact field bound to its row and Page, under the contact's own key (erasure destroys it). */
export function sealContactColumn(
  ctx: AppContext,
  row: Pick<ContactTable, 'id' | 'page_id'>,
  column: EncryptedColumn,
  value: string,
): string {
  return sealOwned(ctx, row.id, value, { table: 'contacts', column, pageId: row.page_id, rowId: row.id });
}

/** Decrypts one contact field, or null when it is not set. */
export function openContactColumn(ctx: AppContext, row: ContactTable, column: EncryptedColumn): string | null {
  const value = row[column];
  return value === null
    ? null
    : openOwned(ctx, row.id, value, { table: 'contacts', column, pageId: row.page_id, rowId: row.id });
}

export function psidIndex(keyring: AppContext['keyring'], psid: string): string {
  return keyring.blindIndex(psid, 'psid');
}
