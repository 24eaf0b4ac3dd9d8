import type { AppContext } from '../../kernel/context.ts';
import { generateToken } from '../../crypto/index.ts';
import type { UserTable } from '../../db/tables/users.ts';
import { AppError, notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { assertCan, type Actor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import type { Executor } from '../../db/types.ts';
import { assertMayManage, visibleTo } from './list-users.ts';
import { openSession, userActor, type OpenedSession } from './sessions.ts';
import { findLoginLinkByHash, findUserById, insertLoginLink, markLoginLinkUsed } from './users.repository.ts';

export const LOGIN_LINK_VALID_MS = 24 * 3_600_000;

/** Where a link's token is opened: the public URL (PAGESCOPE_PUBLIC_URL, else http://HOST:PORT) + `/login/<token>`. */
export function loginUrl(ctx: AppContext, token: string): string {
  return `${ctx.config.publicUrl}/login/${token}`;
}

/** Writes a new link for a user in the caller's transaction; returns its one-time token. */
export async function insertLinkFor(
  ctx: AppContext,
  db: Executor,
  userId: string,
  now: number,
): Promise<{ id: string; token: string; expiresAt: number }> {
  const token = generateToken('psl_');
  const id = newId('lnk', now);
  const expiresAt = now + LOGIN_LINK_VALID_MS;
  await insertLoginLink(db, {
    id,
    token_hash: ctx.keyring.hashToken(token),
    user_id: userId,
    created_at: now,
    expires_at: expiresAt,
    used_at: null,
  });
  return { id, token, expiresAt };
}

/**
 * A new one-time sign-in link for an account (an invitation again, or a way back in after a lost password), valid 24
 * hours. Audited; the link itself is shown once and stored only as a keyed hash. Only an owner gets one for an owner.
 */
export async function createLoginLink(
  ctx: AppContext,
  actor: Actor,
  userId: string,
): Promise<{ token: string; login_url: string; expires_at: number }> {
  assertCan(actor, 'users:manage');
  const user = await findUserById(ctx.db, userId);
  if (!user || !visibleTo(actor, user)) throw notFound('user');
  assertMayManage(actor, user);
  if (user.disabled_at !== null)
    throw new AppError('conflict', 'this account is disabled; a sign-in link would not work');
  const now = ctx.clock.now();
  const link = await ctx.db.transaction().execute(async (trx) => {
    const l = await insertLinkFor(ctx, trx, userId, now);
    await appendAudit(
      trx,
      actor,
      { action: 'user.login_link.create', subjectType: 'user', subjectId: userId, details: { link_id: l.id } },
      now,
    );
    return l;
  });
  return { token: link.token, login_url: loginUrl(ctx, link.token), expires_at: link.expiresAt };
}

/**
 * Uses a sign-in link: the first use within 24 hours opens a session for an enabled account; any other (unknown,
 * used, expired, disabled) is null, told apart only in the audit. The use and the session commit together.
 */
export async function consumeLoginLink(
  ctx: AppContext,
  token: string,
  requestId: string | null,
): Promise<{ user: UserTable; session: OpenedSession } | null> {
  const now = ctx.clock.now();
  const link = await findLoginLinkByHash(ctx.db, ctx.keyring.hashToken(token));
  if (!link) return null;
  return ctx.db.transaction().execute(async (trx) => {
    const user = await findUserById(trx, link.user_id);
    const reason =
      link.used_at !== null
        ? 'used'
        : link.expires_at <= now
          ? 'expired'
          : !user || user.disabled_at !== null
            ? 'disabled'
            : null;
    if (reason !== null || !user || (await markLoginLinkUsed(trx, link.id, now)) !== 1) {
      await appendAudit(
        trx,
        { type: 'anonymous', id: null, requestId },
        {
          action: 'user.login_link',
          outcome: 'failure',
          subjectType: 'user',
          subjectId: link.user_id,
          details: { link_id: link.id, reason: reason ?? 'used' },
        },
        now,
      );
      return null;
    }
    const session = await openSession(ctx, trx, user, 'link', now);
    await appendAudit(
      trx,
      userActor(user, session.id, requestId),
      {
        action: 'user.login_link',
        subjectType: 'user',
        subjectId: user.id,
        details: { link_id: link.id, session_id: session.id },
      },
      now,
    );
    return { user, session };
  });
}
