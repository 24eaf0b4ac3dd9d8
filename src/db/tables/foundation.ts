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
  status: 'active' | 'paused_reauth' | 'disabled';
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
}

/** Append-only: triggers refuse UPDATE and DELETE on both dialects. Holds ids, never personal data. */
export interface AuditEventTable {
  id: string;
  at: number;
  actor_type: 'token' | 'cli' | 'system' | 'anonymous' | 'meta';
  actor_id: string | null;
  request_id: string | null;
  action: string;
  outcome: 'success' | 'failure';
  page_id: string | null;
  subject_type: string | null;
  subject_id: string | null;
  details: string | null;
}

export interface FoundationTables {
  meta: MetaTable;
  key_versions: KeyVersionTable;
  pages: PageTable;
  accounts: AccountTable;
  api_tokens: ApiTokenTable;
  audit_events: AuditEventTable;
}
