import type { Actor } from '../access/actor.ts';
import type { Role } from '../access/roles.ts';
import type { UserTable } from '../../db/tables/users.ts';
import { toIso } from '../../lib/time.ts';

export type UserStatus = 'active' | 'locked' | 'disabled' | 'invited';

export function userStatus(
  row: Pick<UserTable, 'disabled_at' | 'locked_until' | 'password_hash'>,
  now: number,
): UserStatus {
  if (row.disabled_at !== null) return 'disabled';
  if (row.locked_until !== null && row.locked_until > now) return 'locked';
  return row.password_hash === null ? 'invited' : 'active';
}

/** What a signed-in person sees of themselves (`/api/v1/me`, sign-in): never the hash, the counts or the index. */
export function presentSignedIn(row: UserTable, email: string) {
  // Written only by commands that check it with isRole.
  return { id: row.id, email, role: row.role as Role, pages: row.pages ? (JSON.parse(row.pages) as string[]) : null };
}

/** An account as `users list` shows it; `email` is the opened ciphertext. */
export function presentUser(row: UserTable, email: string, now: number) {
  return {
    ...presentSignedIn(row, email),
    status: userStatus(row, now),
    created_at: toIso(row.created_at),
    password_changed_at: toIso(row.password_changed_at),
    disabled_at: toIso(row.disabled_at),
  };
}

export type UserView = ReturnType<typeof presentUser>;

/**
 * `/api/v1/me`: a signed-in person sees themselves and the CSRF token their changes must carry; a bearer token sees
 * its id, role and Pages (never its hash or its account's secrets).
 */
export function presentMe(who: { user: ReturnType<typeof presentSignedIn>; csrfToken: string } | { actor: Actor }) {
  if ('user' in who) return { user: who.user, csrf_token: who.csrfToken };
  const { actor } = who;
  return {
    token: {
      id: actor.id ?? actor.type,
      role: actor.role,
      pages: actor.pageScope === null ? null : [...actor.pageScope],
    },
  };
}

/** After a password change: how many other sessions of the account were ended. */
export function presentPasswordChange(r: { sessionsRevoked: number }) {
  return { sessions_revoked: r.sessionsRevoked };
}
