import type { TableClassification } from '../classification.ts';

/**
 * A person who signs in to operate pagescope (an agent, an admin, the owner). The email is the business's own staff
 * data, still personal: sealed by the keyring, with a blind index of its lower-cased form for sign-in.
 */
export interface UserTable {
  id: string;
  email_enc: string;
  email_bidx: string;
  /** `$scrypt$ln=…,r=…,p=…$salt$hash`; null until the person sets one through a sign-in link. */
  password_hash: string | null;
  role: string;
  /** JSON array of Page ids, or null for every Page (as `api_tokens.page_scope`). */
  pages: string | null;
  disabled_at: number | null;
  password_changed_at: number | null;
  /** Wrong passwords since the last sign-in or lockout. */
  failed_count: number;
  locked_until: number | null;
  created_at: number;
}

/** A one-time sign-in link: only the keyed hash of its secret is stored. */
export interface LoginLinkTable {
  id: string;
  token_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

/** A signed-in browser: the cookie's secret is kept only as a keyed hash; the CSRF token is derived from it. */
export interface SessionTable {
  id: string;
  token_hash: string;
  user_id: string;
  /** How it was opened: `password` or `link` (a link session may set a password without the current one). */
  method: 'password' | 'link';
  created_at: number;
  last_seen_at: number;
  /** Absolute end, whatever the activity. */
  expires_at: number;
  revoked_at: number | null;
}

export interface UserTables {
  users: UserTable;
  login_links: LoginLinkTable;
  sessions: SessionTable;
}

export const USER_CLASSIFICATION: Record<keyof UserTables, TableClassification> = {
  users: {
    idColumn: 'id',
    pageColumn: null,
    contactColumn: null,
    columns: {
      id: 'reference',
      email_enc: 'encrypted',
      email_bidx: 'blind_index',
      password_hash: 'secret',
      role: 'system',
      pages: 'system',
      disabled_at: 'system',
      password_changed_at: 'system',
      failed_count: 'system',
      locked_until: 'system',
      created_at: 'system',
    },
  },
  login_links: {
    idColumn: 'id',
    pageColumn: null,
    contactColumn: null,
    columns: {
      id: 'reference',
      token_hash: 'secret',
      user_id: 'reference',
      created_at: 'system',
      expires_at: 'system',
      used_at: 'system',
    },
  },
  sessions: {
    idColumn: 'id',
    pageColumn: null,
    contactColumn: null,
    columns: {
      id: 'reference',
      token_hash: 'secret',
      user_id: 'reference',
      method: 'system',
      created_at: 'system',
      last_seen_at: 'system',
      expires_at: 'system',
      revoked_at: 'system',
    },
  },
};
