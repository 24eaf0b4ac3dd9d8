import type { AppContext } from '../../kernel/context.ts';
import { hashPassword, MAX_PASSWORD_LENGTH, needsRehash, verifyDecoy, verifyPassword } from '../../crypto/passwords.ts';
import type { UserTable } from '../../db/tables/users.ts';
import { AppError } from '../../errors.ts';
import type { Actor } from '../access/actor.ts';
import { authFailures } from '../access/auth-failures.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { consumeLoginLink } from './login-links.ts';
import { openSession, signInSettings, userActor, type OpenedSession } from './sessions.ts';
import { emailIndex, openEmail } from './user-email.ts';
import {
  addFailedPassword,
  clearFailedPasswords,
  findUserByEmailIndex,
  lockUser,
  replacePasswordHash,
  revokeSessionRow,
} from './users.repository.ts';

export interface SignInRequest {
  /** The client's address as the server saw it: failures are counted per address. */
  source: string;
  requestId: string | null;
}

export interface SignedIn {
  user: UserTable;
  email: string;
  session: OpenedSession;
}

const KIND = 'operator_login';

/** An address that failed too often this minute gets no further try until the minute ends (429, with Retry-After). */
function assertAddressMayTry(ctx: AppContext, source: string): void {
  const wait = authFailures(ctx).retryAfter(KIND, source);
  if (wait > 0) throw tooManyAttempts(wait);
}

function tooManyAttempts(seconds: number): AppError {
  return new AppError('too_many_attempts', `too many failed sign-ins from this address; try again in ${seconds} s`, {
    retry_after_seconds: seconds,
  });
}

/**
 * Counts a failure against the address and returns the one refusal every cause shares (`invalid_credentials`), or
 * `too_many_attempts` once the address is over its limit: unknown email, wrong password, locked and disabled
 * accounts all read alike, so the answer tells nobody which emails have accounts.
 */
function refusal(
  ctx: AppContext,
  source: string,
  reason: string,
  message = 'the email or password is wrong',
): AppError {
  ctx.metrics.authFailures.inc();
  const { limited, retryAfterSeconds } = authFailures(ctx).record(KIND, source, reason);
  return limited ? tooManyAttempts(retryAfterSeconds) : new AppError('invalid_credentials', message);
}

/**
 * Signs in with an email and a password and opens a session. Every path verifies one scrypt hash (a decoy for an
 * unknown email or an account without a password), so answers take the same time whoever asks. Wrong passwords count
 * per account: after PAGESCOPE_LOGIN_LOCK_AFTER of them the account is locked for PAGESCOPE_LOGIN_LOCK_MINUTES, and
 * refused with the same generic answer meanwhile. Failures also count per address (AuthFailureLedger).
 * Audited: each sign-in, each failure of an existing account, and each lockout; an unknown email is counted with the
 * failed authentications (per address and minute), not audited one row each.
 */
export async function signIn(
  ctx: AppContext,
  input: { email: string; password: string },
  req: SignInRequest,
): Promise<SignedIn> {
  assertAddressMayTry(ctx, req.source);
  const password = input.password.length > MAX_PASSWORD_LENGTH ? '' : input.password;
  const user = await findUserByEmailIndex(ctx.db, emailIndex(ctx, input.email));
  const matches = user?.password_hash
    ? await verifyPassword(password, user.password_hash)
    : await verifyDecoy(password);
  if (!user) throw refusal(ctx, req.source, 'unknown_email');
  const now = ctx.clock.now();
  const anonymous = { type: 'anonymous' as const, id: null, requestId: req.requestId };
  const failed = (reason: string) =>
    appendAudit(
      ctx.db,
      anonymous,
      { action: 'user.login', outcome: 'failure', subjectType: 'user', subjectId: user.id, details: { reason } },
      now,
    );
  if (user.disabled_at !== null) {
    await failed('disabled');
    throw refusal(ctx, req.source, 'disabled');
  }
  if (user.locked_until !== null && user.locked_until > now) {
    await failed('locked');
    throw refusal(ctx, req.source, 'locked');
  }
  if (!matches) {
    const { lockAfter, lockMinutes } = signInSettings(ctx);
    await ctx.db.transaction().execute(async (trx) => {
      const n = await addFailedPassword(trx, user.id);
      await appendAudit(
        trx,
        anonymous,
        {
          action: 'user.login',
          outcome: 'failure',
          subjectType: 'user',
          subjectId: user.id,
          details: { reason: user.password_hash ? 'wrong_password' : 'no_password', failures: n },
        },
        now,
      );
      if (n >= lockAfter) {
        const until = now + lockMinutes * 60_000;
        await lockUser(trx, user.id, until);
        await appendAudit(
          trx,
          anonymous,
          {
            action: 'user.lockout',
            outcome: 'failure',
            subjectType: 'user',
            subjectId: user.id,
            details: { failures: n, locked_until: until },
          },
          now,
        );
      }
    });
    throw refusal(ctx, req.source, user.password_hash ? 'wrong_password' : 'no_password');
  }
  const session = await ctx.db.transaction().execute(async (trx) => {
    await clearFailedPasswords(trx, user.id);
    const s = await openSession(ctx, trx, user, 'password', now);
    await appendAudit(
      trx,
      userActor(user, s.id, req.requestId),
      {
        action: 'user.login',
        subjectType: 'user',
        subjectId: user.id,
        details: { method: 'password', session_id: s.id },
      },
      now,
    );
    return s;
  });
  // A hash made under weaker parameters is replaced now that the password is known; no date moves.
  if (needsRehash(user.password_hash!))
    await replacePasswordHash(ctx.db, user.id, user.password_hash!, await hashPassword(password));
  return { user, email: openEmail(ctx, user), session };
}

/**
 * Signs in through a one-time link (24 hours, single use) and opens a session; a link that is unknown, used, expired
 * or whose account is disabled is refused with `invalid_credentials`, the address's failure counted. Audited.
 */
export async function signInWithLink(
  ctx: AppContext,
  token: string,
  req: SignInRequest,
): Promise<SignedIn & { needsPassword: boolean }> {
  assertAddressMayTry(ctx, req.source);
  const r = /^psl_[A-Za-z0-9_-]{16,64}$/.test(token) ? await consumeLoginLink(ctx, token, req.requestId) : null;
  if (!r)
    throw refusal(ctx, req.source, 'bad_link', 'this sign-in link is unknown, used or expired; ask for a new one');
  return {
    user: r.user,
    email: openEmail(ctx, r.user),
    session: r.session,
    needsPassword: r.user.password_hash === null,
  };
}

/** Ends the actor's session at once. Audited; a bearer token has no session to end (`bad_request`). */
export async function signOut(ctx: AppContext, actor: Actor): Promise<void> {
  if (actor.type !== 'user' || actor.sessionId === null)
    throw new AppError(
      'bad_request',
      'signing out ends a session; an API token is revoked with DELETE /api/v1/tokens/{id}',
    );
  const sessionId = actor.sessionId;
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    if ((await revokeSessionRow(trx, sessionId, now)) === 1) {
      await appendAudit(
        trx,
        actor,
        { action: 'user.logout', subjectType: 'user', subjectId: actor.id, details: { session_id: sessionId } },
        now,
      );
    }
  });
}
