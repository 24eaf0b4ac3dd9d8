import type { AppContext } from '../../kernel/context.ts';
import type { UserTable } from '../../db/tables/users.ts';
import { AppError } from '../../errors.ts';
import type { Actor } from '../access/actor.ts';
import { openEmail } from './user-email.ts';
import { findUserById } from './users.repository.ts';

/** The account a signed-in actor stands for, its email opened; read-only, not audited. */
export async function currentUser(
  ctx: AppContext,
  actor: Extract<Actor, { type: 'user' }>,
): Promise<{ row: UserTable; email: string }> {
  const row = await findUserById(ctx.db, actor.id);
  if (!row) throw new AppError('session_expired', 'the session has ended; sign in again');
  return { row, email: openEmail(ctx, row) };
}
