import type { AppContext } from '../../kernel/context.ts';
import type { UserTable } from '../../db/tables/users.ts';
import { AppError } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { assertCan, type Actor } from '../access/actor.ts';
import { isRole, ROLES } from '../access/roles.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { existingPageIds } from '../pages/pages.repository.ts';
import { insertLinkFor, loginUrl } from './login-links.ts';
import { emailIndex, sealEmail, validEmail } from './user-email.ts';
import { findUserByEmailIndex, insertUser } from './users.repository.ts';

export interface CreateUserInput {
  email: string;
  role: string;
  /** Pages the account is limited to; empty or absent: every Page. */
  pageIds?: string[];
}

/**
 * Creates an operator account without a password and a one-time sign-in link (24 hours) through which the person
 * sets one. The email is stored sealed, with a blind index for sign-in; one account per email (`conflict`). Audited
 * in the same transaction, without the email. A Page-scoped actor creates accounts for its own Pages only; only an
 * owner adds an owner.
 */
export async function createUser(
  ctx: AppContext,
  actor: Actor,
  input: CreateUserInput,
): Promise<{ user: UserTable; email: string; login_url: string }> {
  assertCan(actor, 'users:manage');
  const email = validEmail(input.email);
  if (!isRole(input.role)) throw new AppError('validation_failed', `role must be one of ${ROLES.join(', ')}`);
  if (input.role === 'owner' && actor.role !== 'owner')
    throw new AppError('forbidden', 'only an owner may add an owner');
  if (
    actor.pageScope !== null &&
    (!input.pageIds?.length || input.pageIds.some((p) => !actor.pageScope?.includes(p)))
  ) {
    throw new AppError('forbidden', 'a Page-scoped actor can only create accounts for its own Pages');
  }
  const pages = input.pageIds?.length ? [...new Set(input.pageIds)] : null;
  const now = ctx.clock.now();
  const id = newId('us', now);
  const bidx = emailIndex(ctx, email);
  const row: UserTable = {
    id,
    email_enc: sealEmail(ctx, id, email),
    email_bidx: bidx,
    password_hash: null,
    role: input.role,
    pages: pages ? JSON.stringify(pages) : null,
    disabled_at: null,
    password_changed_at: null,
    failed_count: 0,
    locked_until: null,
    created_at: now,
  };
  const link = await ctx.db.transaction().execute(async (trx) => {
    if (pages && (await existingPageIds(trx, pages)).length !== pages.length)
      throw new AppError('validation_failed', 'every page must be a registered Page id');
    if (await findUserByEmailIndex(trx, bidx))
      throw new AppError('conflict', 'an account with this email exists already');
    await insertUser(trx, row);
    const l = await insertLinkFor(ctx, trx, id, now);
    await appendAudit(
      trx,
      actor,
      {
        action: 'user.create',
        subjectType: 'user',
        subjectId: id,
        details: { role: input.role, pages, link_id: l.id },
      },
      now,
    );
    return l;
  });
  return { user: row, email, login_url: loginUrl(ctx, link.token) };
}
