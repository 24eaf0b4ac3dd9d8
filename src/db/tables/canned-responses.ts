import type { TableClassification } from '../classification.ts';

/** A Page's saved reply: `/shortcut` in the composer inserts `text`, its variables filled (lib/template-variables.ts). */
export interface CannedResponseTable {
  id: string;
  page_id: string;
  /** Unique per Page: lowercase letters, digits, `_` and `-`. */
  shortcut: string;
  text: string;
  /** The token or operator that created it. */
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

export interface CannedResponseTables {
  canned_responses: CannedResponseTable;
}

export const CANNED_RESPONSE_CLASSIFICATION: Record<keyof CannedResponseTables, TableClassification> = {
  canned_responses: {
    idColumn: 'id',
    pageColumn: 'page_id',
    contactColumn: null,
    columns: {
      id: 'reference',
      page_id: 'reference',
      shortcut: 'system',
      text: 'system',
      created_by: 'reference',
      created_at: 'system',
      updated_at: 'system',
    },
  },
};
