import type { AppContext } from '../../kernel/context.ts';
import { AppError } from '../../errors.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { failedAuthentication } from './auth-failures.ts';
import type { Actor } from './actor.ts';
import { isRole } from './roles.ts';
import { findActiveTokenByHash, touchToken } from './tokens.repository.ts';

const TOUCH_EVERY_MS = 60_000;
const lastTouched = new Map<string, number>();

/**
 * Resolves a bearer token to an actor, or throws `unauthenticated`. Failures are counted per source address and
 * minute (no write per request, see auth-failures.ts), and a source that keeps failing is answered `rate_limited`;
 * a valid token works whatever its address did before. `last_used_at` is written at most once a minute per token so
 * reads stay reads. An expired token is refused like an unknown one.
 */
export async function authenticate(
  ctx: AppContext,
  header: string | undefined,
  requestId: string,
  source: string,
): Promise<Actor> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  const fail = (reason: string): never => {
    ctx.metrics.authFailures.inc();
    throw failedAuthentication(
      ctx,
      'api_token',
      source,
      reason,
      new AppError('unauthenticated', 'a valid API token is required: send Authorization: Bearer <token>'),
    );
  };
  if (!match?.[1]) return fail(header ? 'malformed_header' : 'missing_token');
  const row = await findActiveTokenByHash(ctx.db, ctx.keyring.hashToken(match[1]));
  if (!row || !isRole(row.role)) return fail('unknown_or_revoked_token');
  const now = ctx.clock.now();
  if (row.expires_at !== null && row.expires_at <= now) {
    // An expired token is refused like an unknown one; its use is audited under its id (never the secret): whoever
    // sends it held a real secret, so the row is evidence, not noise.
    await appendAudit(
      ctx.db,
      { type: 'anonymous', id: null, requestId },
      {
        action: 'auth.failure',
        outcome: 'failure',
        subjectType: 'token',
        subjectId: row.id,
        details: { reason: 'expired_token' },
      },
      now,
    );
    return fail('expired_token');
  }
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
