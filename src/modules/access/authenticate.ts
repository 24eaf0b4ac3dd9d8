import type { AppContext } from '../../app/context.ts';
import { AppError } from '../../errors.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import type { Actor } from './actor.ts';
import { isRole } from './roles.ts';
import { findActiveTokenByHash, touchToken } from './tokens.repository.ts';

const TOUCH_EVERY_MS = 60_000;
const lastTouched = new Map<string, number>();

/**
 * Resolves a bearer token to an actor, or throws `unauthenticated` (unknown, revoked or expired). Every failure is
 * audited (without the token).
 * `last_used_at` is written at most once a minute per token so reads stay reads.
 */
export async function authenticate(ctx: AppContext, header: string | undefined, requestId: string): Promise<Actor> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  const fail = async (reason: string, tokenId?: string): Promise<never> => {
    ctx.metrics.authFailures.inc();
    const subject = tokenId ? { subjectType: 'token', subjectId: tokenId } : {};
    await appendAudit(ctx.db, { type: 'anonymous', id: null, requestId }, { action: 'auth.failure', outcome: 'failure', ...subject, details: { reason } }, ctx.clock.now());
    throw new AppError('unauthenticated', 'a valid API token is required: send Authorization: Bearer <token>');
  };
  if (!match?.[1]) return fail(header ? 'malformed_header' : 'missing_token');
  const row = await findActiveTokenByHash(ctx.db, ctx.keyring.hashToken(match[1]));
  if (!row || !isRole(row.role)) return fail('unknown_or_revoked_token');
  const now = ctx.clock.now();
  // An expired token is refused like an unknown one; its use is recorded under its id (never the secret).
  if (row.expires_at !== null && row.expires_at <= now) return fail('expired_token', row.id);
  if ((lastTouched.get(row.id) ?? 0) + TOUCH_EVERY_MS <= now) {
    lastTouched.set(row.id, now);
    await touchToken(ctx.db, row.id, now);
  }
  return {
    type: 'token',
    id: row.id,
    accountId: row.account_id,
    role: row.role,
    pageScope: row.page_scope ? (JSON.parse(row.page_scope) as string[]) : null,
    requestId,
  };
}
