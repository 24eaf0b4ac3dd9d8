import type { TableClassification } from '../classification.ts';

/** Settings of this installation (key check value, rotation progress). */
export interface MetaTable {
  key: string;
  value: string;
}

/** Data-encryption keys, one per version, wrapped under the key-encryption key derived from the master key. */
export interface KeyVersionTable {
  version: number;
  wrapped: string;
  created_at: number;
}

export interface PageTable {
  id: string;
  name: string;
  access_token_enc: string;
  /** `token_invalid`: Meta rejected the Page access token (code 190); sends wait until a new token is added. */
  status: 'active' | 'token_invalid' | 'disabled';
  created_at: number;
  updated_at: number;
}

export interface AccountTable {
  id: string;
  name: string;
  role: string;
  created_at: number;
}

export interface ApiTokenTable {
  id: string;
  account_id: string;
  name: string;
  role: string;
  token_hash: string;
  /** JSON array of Page ids, or null for every Page. */
  page_scope: string | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  /** Null: never expires. */
  expires_at: number | null;
}

/** Append-only: triggers refuse UPDATE and DELETE on both dialects. Holds ids, never personal data. */
export interface AuditEventTable {
  id: string;
  at: number;
  actor_type: 'token' | 'user' | 'cli' | 'system' | 'anonymous' | 'meta';
  actor_id: string | null;
  request_id: string | null;
  action: string;
  outcome: 'success' | 'failure';
  page_id: string | null;
  subject_type: string | null;
  subject_id: string | null;
  details: string | null;
}

/**
 * Failed authentications counted per kind, source address, minute and reason (one row, not one per request); noise
 * with a retention, apart from the audit log. `source` is the client's address as the server saw it.
 */
export interface AuthFailureTable {
  id: string;
  kind: 'api_token' | 'operator_login' | 'meta_data_deletion' | 'meta_deauthorize';
  source: string;
  reason: string;
  /** Start of the minute, ms since the epoch. */
  minute: number;
  failures: number;
  last_at: number;
}

export interface FoundationTables {
  meta: MetaTable;
  key_versions: KeyVersionTable;
  pages: PageTable;
  accounts: AccountTable;
  api_tokens: ApiTokenTable;
  audit_events: AuditEventTable;
  auth_failures: AuthFailureTable;
}

export const FOUNDATION_CLASSIFICATION: Record<keyof FoundationTables, TableClassification> = {
  meta: { idColumn: 'key', pageColumn: null, contactColumn: null, columns: { key: 'system', value: 'system' } },
  key_versions: {
    idColumn: 'version',
    pageColumn: null,
    contactColumn: null,
    columns: { version: 'system', wrapped: 'secret', created_at: 'system' },
  },
  pages: {
    idColumn: 'id',
    pageColumn: 'id',
    contactColumn: null,
    columns: {
      id: 'reference',
      name: 'system',
      access_token_enc: 'secret',
      status: 'system',
      created_at: 'system',
      updated_at: 'system',
    },
  },
  accounts: {
    idColumn: 'id',
    pageColumn: null,
    contactColumn: null,
    columns: { id: 'reference', name: 'system', role: 'system', created_at: 'system' },
  },
  api_tokens: {
    idColumn: 'id',
    pageColumn: null,
    contactColumn: null,
    columns: {
      id: 'reference',
      account_id: 'reference',
      name: 'system',
      role: 'system',
      token_hash: 'secret',
      page_scope: 'system',
      created_at: 'system',
      last_used_at: 'system',
      revoked_at: 'system',
      expires_at: 'system',
    },
  },
  audit_events: {
    idColumn: 'id',
    pageColumn: 'page_id',
    contactColumn: null,
    columns: {
      id: 'reference',
      at: 'system',
      actor_type: 'system',
      actor_id: 'reference',
      request_id: 'system',
      action: 'system',
      outcome: 'system',
      page_id: 'reference',
      subject_type: 'system',
      subject_id: 'reference',
      details: 'system',
    },
  },
  // An address may identify a person: plaintext because it is what an operator blocks, bounded by a retention job.
  auth_failures: {
    idColumn: 'id',
    pageColumn: null,
    contactColumn: null,
    columns: {
      id: 'reference',
      kind: 'system',
      source: 'personal',
      reason: 'system',
      minute: 'system',
      failures: 'system',
      last_at: 'system',
    },
  },
};
