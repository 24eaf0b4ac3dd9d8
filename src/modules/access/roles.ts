/**
 * What a token may do. Each route and command names the permission it needs; nothing is allowed by default.
 * `contacts:merge` (merge and split) changes whom an access export or an erasure covers, so only owners and admins
 * hold it. `identifiers:read` shows PSIDs and picture URLs; `identifiers:lookup` finds a contact by a PSID the caller
 * already knows (the answer still carries identifiers only with `identifiers:read`). `users:manage` adds, lists and
 * disables the people who sign in.
 */
export type Permission =
  | 'pages:read'
  | 'pages:write'
  | 'contacts:read'
  | 'contacts:write'
  | 'contacts:merge'
  | 'identifiers:read'
  | 'identifiers:lookup'
  | 'messages:read'
  | 'messages:send'
  | 'conversations:write'
  | 'privacy:manage'
  | 'audit:read'
  | 'tokens:manage'
  | 'users:manage'
  | 'campaigns:manage';

export const ROLES = ['owner', 'admin', 'agent', 'marketer', 'analyst'] as const;
export type Role = (typeof ROLES)[number];

const ALL: readonly Permission[] = [
  'pages:read',
  'pages:write',
  'contacts:read',
  'contacts:write',
  'contacts:merge',
  'identifiers:read',
  'identifiers:lookup',
  'messages:read',
  'messages:send',
  'conversations:write',
  'privacy:manage',
  'audit:read',
  'tokens:manage',
  'users:manage',
  'campaigns:manage',
];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  owner: ALL,
  admin: ALL,
  agent: [
    'pages:read',
    'contacts:read',
    'contacts:write',
    'identifiers:lookup',
    'messages:read',
    'messages:send',
    'conversations:write',
  ],
  marketer: ['pages:read', 'contacts:read', 'campaigns:manage'],
  analyst: ['pages:read', 'contacts:read', 'messages:read'],
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
