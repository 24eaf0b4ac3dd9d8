import type { ApiTokenTable } from '../../db/tables/foundation.ts';
import { toIso } from '../../lib/time.ts';
import type { Role } from './roles.ts';

export type TokenStatus = 'active' | 'expired' | 'revoked';

export function tokenStatus(row: Pick<ApiTokenTable, 'revoked_at' | 'expires_at'>, now: number): TokenStatus {
  if (row.revoked_at !== null) return 'revoked';
  if (row.expires_at !== null && row.expires_at <= now) return 'expired';
  return 'active';
}

/** What may be shown of an API token: never the secret nor its hash. */
export function presentToken(row: ApiTokenTable, now: number) {
  return {
    id: row.id,
    name: row.name,
    // The column holds only roles createToken accepted (isRole); the answer's schema lists them.
    role: row.role as Role,
    pages: row.page_scope ? (JSON.parse(row.page_scope) as string[]) : null,
    status: tokenStatus(row, now),
    created_at: toIso(row.created_at),
    last_used_at: toIso(row.last_used_at),
    expires_at: toIso(row.expires_at),
    revoked_at: toIso(row.revoked_at),
  };
}

export type TokenView = ReturnType<typeof presentToken>;

/** The answer to creating a token: its public shape and, this once, the secret (only its keyed hash is stored). */
export function presentCreatedToken(row: ApiTokenTable, secret: string, now: number) {
  return { ...presentToken(row, now), token: secret };
}
