import type { AppContext } from '../../kernel/context.ts';
import { constantTimeEqual, generateToken } from '../../crypto/index.ts';
import type { SessionTable, UserTable } from '../../db/tables/users.ts';
import { AppError } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import type { Actor } from '../access/actor.ts';
import { isRole } from '../access/roles.ts';
import type { Executor } from '../../db/types.ts';
import { findSessionByHash, findUserById, insertSession, touchSession } from './users.repository.ts';

const HOUR_MS = 3_600_000;
const TOUCH_EVERY_MS = 60_000;

/** The sign-in settings (PAGESCOPE_SESSION_*, PAGESCOPE_LOGIN_LOCK_*), with their defaults for a hand-built config. */
export function signInSettings(ctx: AppContext): NonNullable<AppContext['config']['signIn']> {
  return ctx.config.signIn ?? { sessionIdleHours: 12, sessionMaxDays: 14, lockAfter: 5, lockMinutes: 15 };
}

export interface OpenedSession {
  id: string;
  /** The cookie's value: shown to the browser once, stored only as a keyed hash. */
  token: string;
  csrfToken: string;
  expiresAt: number;
}

/**
 * The CSRF token of a session: a keyed hash of its secret, so nothing more is stored, it cannot be computed without
 * the server's key, and it dies with the session.
 */
export function csrfTokenOf(ctx: AppContext, sessionToken: string): string {
  return ctx.keyring.hashToken(`csrf/v1:${sessionToken}`);
}

/** Opens a session for a user inside the caller's transaction (which audits how it was opened). */
export async function openSession(
  ctx: AppContext,
  db: Executor,
  user: Pick<UserTable, 'id'>,
  method: SessionTable['method'],
  now: number,
): Promise<OpenedSession> {
  const token = generateToken('pss_');
  const id = newId('ses', now);
  const expiresAt = now + signInSettings(ctx).sessionMaxDays * 24 * HOUR_MS;
  await insertSession(db, {
    id,
    token_hash: ctx.keyring.hashToken(token),
    user_id: user.id,
    method,
    created_at: now,
    last_seen_at: now,
    expires_at: expiresAt,
    revoked_at: null,
  });
  return { id, token, csrfToken: csrfTokenOf(ctx, token), expiresAt };
}

/** The actor a signed-in user acts as: the account's role and Pages, so every scope check applies as for a token. */
export function userActor(
  user: UserTable,
  sessionId: string | null,
  requestId: string | null,
): Extract<Actor, { type: 'user' }> {
  if (!isRole(user.role)) throw new AppError('internal', 'an account has an unknown role');
  return {
    type: 'user',
    id: user.id,
    role: user.role,
    pageScope: user.pages ? (JSON.parse(user.pages) as string[]) : null,
    requestId,
    sessionId,
  };
}

export interface ResolvedSession {
  actor: Extract<Actor, { type: 'user' }>;
  session: SessionTable;
  user: UserTable;
  csrfToken: string;
}

function expired(): AppError {
  return new AppError(
    'session_expired',
    'the session has ended (signed out, idle too long, or too old); sign in again',
  );
}

/**
 * The user a session cookie stands for, or `session_expired` when it is unknown, revoked, idle for longer than
 * PAGESCOPE_SESSION_IDLE_HOURS, past its absolute end, or its user is disabled. `last_seen_at` is written at most
 * once a minute, so reads stay reads.
 */
export async function resolveSession(
  ctx: AppContext,
  token: string,
  requestId: string | null,
): Promise<ResolvedSession> {
  const now = ctx.clock.now();
  const session = await findSessionByHash(ctx.db, ctx.keyring.hashToken(token));
  if (!session || session.revoked_at !== null || session.expires_at <= now) throw expired();
  if (session.last_seen_at + signInSettings(ctx).sessionIdleHours * HOUR_MS <= now) throw expired();
  const user = await findUserById(ctx.db, session.user_id);
  if (!user || user.disabled_at !== null || !isRole(user.role)) throw expired();
  if (session.last_seen_at + TOUCH_EVERY_MS <= now) await touchSession(ctx.db, session.id, now);
  return {
    actor: userActor(user, session.id, requestId),
    session,
    user,
    csrfToken: csrfTokenOf(ctx, token),
  };
}

/** Whether a request's `x-csrf-token` is the session's, compared in constant time. */
export function csrfMatches(expected: string, given: string | undefined): boolean {
  return typeof given === 'string' && given.length > 0 && constantTimeEqual(expected, given);
}
