import type { AppContext } from '../../kernel/context.ts';
import { checkPasswordPolicy, hashPassword, verifyPassword } from '../../crypto/passwords.ts';
import { AppError } from '../../errors.ts';
import type { Actor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { openEmail } from './user-email.ts';
import {
  findSessionById,
  findUserById,
  revokeUserSessions,
  setPasswordHash,
  setSessionMethod,
} from './users.repository.ts';

/**
 * Sets the signed-in person's password (12 characters or more, not the email). The current password is required,
 * except in a session opened by a sign-in link (the way to set a first password, or a new one after losing it).
 * Every other session of the account ends in the same transaction; this one stays. Audited, without any password.
 */
export async function setPassword(
  ctx: AppContext,
  actor: Actor,
  input: { currentPassword?: string; newPassword: string },
): Promise<{ sessionsRevoked: number }> {
  if (actor.type !== 'user' || actor.sessionId === null)
    throw new AppError('forbidden', 'only a signed-in person has a password; API tokens have none');
  const sessionId = actor.sessionId;
  const user = await findUserById(ctx.db, actor.id);
  const session = await findSessionById(ctx.db, sessionId);
  if (!user || !session) throw new AppError('session_expired', 'the session has ended; sign in again');
  checkPasswordPolicy(input.newPassword, openEmail(ctx, user));
  if (user.password_hash !== null && session.method !== 'link') {
    if (input.currentPassword === undefined)
      throw new AppError('validation_failed', 'current_password is required to change the password');
    if (!(await verifyPassword(input.currentPassword, user.password_hash))) {
      await appendAudit(
        ctx.db,
        actor,
        {
          action: 'user.password_change',
          outcome: 'failure',
          subjectType: 'user',
          subjectId: user.id,
          details: { reason: 'wrong_current_password' },
        },
        ctx.clock.now(),
      );
      throw new AppError('forbidden', 'the current password is wrong');
    }
  }
  const hash = await hashPassword(input.newPassword);
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    await setPasswordHash(trx, user.id, hash, now);
    const sessionsRevoked = await revokeUserSessions(trx, user.id, now, sessionId);
    // The link's privilege (no current password) is spent once a password is set.
    if (session.method === 'link') await setSessionMethod(trx, sessionId, 'password');
    await appendAudit(
      trx,
      actor,
      {
        action: 'user.password_change',
        subjectType: 'user',
        subjectId: user.id,
        details: { first: user.password_hash === null, sessions_revoked: sessionsRevoked },
      },
      now,
    );
    return { sessionsRevoked };
  });
}
