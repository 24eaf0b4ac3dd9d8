import type { TableClassification } from '../classification.ts';

/**
 * Data subject requests (access, erasure, rectification). The row outlives an erasure as its tombstone: it keeps
 * the opaque contact id, the times, the actor and the counts, never personal data in plaintext.
 */
export interface PrivacyRequestTable {
  id: string;
  page_id: string | null;
  /** Null while a request from Meta's callback waits for an operator to find the person. */
  contact_id: string | null;
  type: 'access' | 'erasure' | 'rectification';
  regime: 'gdpr' | 'ccpa';
  status: 'pending' | 'in_progress' | 'completed' | 'failed';
  source: 'api' | 'cli' | 'meta_data_deletion' | 'meta_deauthorize' | 'retention';
  /** Why an operator must act before the request can run (e.g. `asid_unmapped`); null when it can run. */
  review_reason: string | null;
  /** The Meta callback that opened it, if any. */
  callback_id: string | null;
  received_at: number;
  due_at: number;
  extended: number;
  extension_notice_at: number | null;
  warned_at: number | null;
  started_at: number | null;
  completed_at: number | null;
  attempts: number;
  next_attempt_at: number;
  error: string | null;
  actor_type: string;
  actor_id: string | null;
  request_id: string | null;
  /** Encrypted JSON input (the attribute patch of a rectification). */
  input_enc: string | null;
  /** Encrypted export of an access request, sealed under the contact's own key so erasure destroys it. */
  export_enc: string | null;
  /** JSON counts of what was exported or erased: the tombstone. */
  result: string | null;
  updated_at: number;
}

/** Meta's data-deletion and deauthorize callbacks, with the confirmation code their status page answers to. */
export interface PrivacyCallbackTable {
  id: string;
  kind: 'data_deletion' | 'deauthorize';
  confirmation_code: string;
  /** Blind index of the app-scoped user id. */
  user_bidx: string;
  /** The app-scoped user id, encrypted; cleared once the callback is settled. */
  user_enc: string | null;
  status: 'received' | 'in_progress' | 'needs_review' | 'completed';
  contacts_found: number | null;
  issued_at: number;
  received_at: number;
  completed_at: number | null;
  attempts: number;
  next_attempt_at: number;
  updated_at: number;
}

/** The consent ledger: every grant and withdrawal, per contact and purpose, with its provenance. Append-only. */
export interface ConsentRecordTable {
  id: string;
  page_id: string;
  contact_id: string;
  /** `replies`, `marketing` or `topic:<name>`. */
  purpose: string;
  action: 'grant' | 'withdraw';
  /** What carried it: `keyword`, `optin`, `marketing_optin`, `operator`, `api`, `import`, `meta_deauthorize`, … */
  source: string;
  /** The webhook event, message or request that carried it. */
  event_id: string | null;
  /** The wording shown to the person when they chose (the business's text, not theirs), and its version. */
  wording: string | null;
  wording_version: string | null;
  actor_type: string;
  actor_id: string | null;
  request_id: string | null;
  occurred_at: number;
  recorded_at: number;
}

export interface PrivacyTables {
  privacy_requests: PrivacyRequestTable;
  privacy_callbacks: PrivacyCallbackTable;
  consent_records: ConsentRecordTable;
}

export const PRIVACY_CLASSIFICATION: Record<keyof PrivacyTables, TableClassification> = {
  privacy_requests: {
    idColumn: 'id',
    pageColumn: 'page_id',
    contactColumn: null,
    columns: {
      id: 'reference',
      page_id: 'reference',
      contact_id: 'reference',
      type: 'system',
      regime: 'system',
      status: 'system',
      source: 'system',
      review_reason: 'system',
      callback_id: 'reference',
      received_at: 'system',
      due_at: 'system',
      extended: 'system',
      extension_notice_at: 'system',
      warned_at: 'system',
      started_at: 'system',
      completed_at: 'system',
      attempts: 'system',
      next_attempt_at: 'system',
      error: 'system',
      actor_type: 'system',
      actor_id: 'reference',
      request_id: 'system',
      input_enc: 'encrypted',
      export_enc: 'encrypted',
      result: 'system',
      updated_at: 'system',
    },
  },
  privacy_callbacks: {
    idColumn: 'id',
    pageColumn: null,
    contactColumn: null,
    columns: {
      id: 'reference',
      kind: 'system',
      confirmation_code: 'reference',
      user_bidx: 'blind_index',
      user_enc: 'encrypted',
      status: 'system',
      contacts_found: 'system',
      issued_at: 'system',
      received_at: 'system',
      completed_at: 'system',
      attempts: 'system',
      next_attempt_at: 'system',
      updated_at: 'system',
    },
  },
  consent_records: {
    idColumn: 'id',
    pageColumn: 'page_id',
    contactColumn: 'contact_id',
    columns: {
      id: 'reference',
      page_id: 'reference',
      contact_id: 'reference',
      purpose: 'personal',
      action: 'personal',
      source: 'personal',
      event_id: 'reference',
      wording: 'personal',
      wording_version: 'personal',
      actor_type: 'system',
      actor_id: 'reference',
      request_id: 'system',
      occurred_at: 'personal',
      recorded_at: 'personal',
    },
  },
};
