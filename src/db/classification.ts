import { FOUNDATION_CLASSIFICATION } from './tables/foundation.ts';
import { CONVERSATION_CLASSIFICATION } from './tables/conversations.ts';
import { MESSAGING_CLASSIFICATION } from './tables/messaging.ts';
import { PRIVACY_CLASSIFICATION } from './tables/privacy.ts';
import { IDENTITY_CLASSIFICATION } from './tables/identity.ts';
import { INBOX_CLASSIFICATION } from './tables/inbox.ts';
import { USER_CLASSIFICATION } from './tables/users.ts';
import { SETTINGS_CLASSIFICATION } from './tables/settings.ts';
import { CANNED_RESPONSE_CLASSIFICATION } from './tables/canned-responses.ts';
import { AUDIENCE_CLASSIFICATION } from './tables/audience.ts';
import { AUTOMATION_CLASSIFICATION } from './tables/automations.ts';
import { ASSISTANT_CLASSIFICATION } from './tables/assistant.ts';
import { META_SETTINGS_CLASSIFICATION } from './tables/meta-settings.ts';
import { CAMPAIGN_CLASSIFICATION } from './tables/campaigns.ts';
import { SEQUENCE_CLASSIFICATION } from './tables/sequences.ts';

/**
 * The data-classification registry: every column of every table, marked. The privacy module reads it to export
 * and erase; key rotation reads it to find ciphertexts; a test fails when a table or column exists in the database
 * without a mark here, so nothing personal can be added unnoticed.
 *
 * - `encrypted`: personal data stored as keyring ciphertext, bound to (table, column, page, row).
 * - `blind_index`: keyed HMAC of personal data, for equality lookups.
 * - `personal`: personal data kept in plaintext because it is coarse and needed in queries (locale, timezone, times).
 * - `reference`: an identifier of ours or Meta's Page id; not personal by itself.
 * - `system`: operational data with no personal content.
 * - `secret`: credentials (encrypted or hashed), never personal data but never exported either.
 */
export type ColumnClass = 'encrypted' | 'blind_index' | 'personal' | 'reference' | 'system' | 'secret';

export interface TableClassification {
  /** Column holding the row id used in the ciphertext's associated data. */
  idColumn: string;
  /** Column holding the Page id used in the associated data, or null for tables outside any Page. */
  pageColumn: string | null;
  /** Column linking a row to a contact, for data-subject requests; null when the table holds no contact data. */
  contactColumn: string | null;
  columns: Record<string, ColumnClass>;
  /**
   * The table name bound into this table's ciphertexts (their associated data) when it is not the table's own: a
   * table renamed after rows were sealed keeps the name they were sealed under.
   */
  sealedAs?: string;
}

/** Every table's classification; each domain's table file exports its own part. */
export const CLASSIFICATION: Record<string, TableClassification> = {
  ...FOUNDATION_CLASSIFICATION,
  ...CONVERSATION_CLASSIFICATION,
  ...MESSAGING_CLASSIFICATION,
  ...PRIVACY_CLASSIFICATION,
  ...IDENTITY_CLASSIFICATION,
  ...INBOX_CLASSIFICATION,
  ...USER_CLASSIFICATION,
  ...SETTINGS_CLASSIFICATION,
  ...CANNED_RESPONSE_CLASSIFICATION,
  ...AUDIENCE_CLASSIFICATION,
  ...AUTOMATION_CLASSIFICATION,
  ...ASSISTANT_CLASSIFICATION,
  ...META_SETTINGS_CLASSIFICATION,
  ...CAMPAIGN_CLASSIFICATION,
  ...SEQUENCE_CLASSIFICATION,
};

/** Columns holding keyring ciphertext (personal data and secrets alike): what key rotation must re-wrap. */
export function ciphertextColumns(): {
  table: string;
  sealedAs: string;
  column: string;
  idColumn: string;
  pageColumn: string | null;
}[] {
  const out: { table: string; sealedAs: string; column: string; idColumn: string; pageColumn: string | null }[] = [];
  for (const [table, t] of Object.entries(CLASSIFICATION)) {
    for (const [column, cls] of Object.entries(t.columns)) {
      if (cls === 'encrypted' || (cls === 'secret' && column.endsWith('_enc'))) {
        out.push({ table, sealedAs: t.sealedAs ?? table, column, idColumn: t.idColumn, pageColumn: t.pageColumn });
      }
    }
  }
  return out;
}
