import type { TableClassification } from '../classification.ts';

/**
 * Account-linking authorization codes seen for a contact, kept only as a keyed hash (the code is the business's own
 * identifier of the person): the same code seen for another contact links the two, or, on the same Page, reconciles
 * them. The code itself is kept encrypted in the contact's activity (`contact_events`), never here.
 */
export interface AccountLinkCodeTable {
  id: string;
  page_id: string;
  contact_id: string;
  code_bidx: string;
  created_at: number;
}

/** When each contact's PSID is next matched to the person's PSIDs on the business's other Pages (`ids_for_pages`). */
export interface ContactIdMatchTable {
  contact_id: string;
  page_id: string;
  status: 'pending' | 'matched' | 'no_permission' | 'failed';
  next_at: number;
  checked_at: number | null;
  /** Stable code of the last failure (e.g. `meta_permission_denied`); no message, no identifier. */
  error_code: string | null;
}

export interface IdentityTables {
  account_link_codes: AccountLinkCodeTable;
  contact_id_matching: ContactIdMatchTable;
}

export const IDENTITY_CLASSIFICATION: Record<keyof IdentityTables, TableClassification> = {
  account_link_codes: {
    idColumn: 'id',
    pageColumn: 'page_id',
    contactColumn: 'contact_id',
    columns: {
      id: 'reference',
      page_id: 'reference',
      contact_id: 'reference',
      code_bidx: 'blind_index',
      created_at: 'personal',
    },
  },
  contact_id_matching: {
    idColumn: 'contact_id',
    pageColumn: 'page_id',
    contactColumn: 'contact_id',
    columns: {
      contact_id: 'reference',
      page_id: 'reference',
      status: 'system',
      next_at: 'system',
      checked_at: 'system',
      error_code: 'system',
    },
  },
};
