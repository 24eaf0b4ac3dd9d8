import type { AppContext } from '../../kernel/context.ts';
import type { UserTable } from '../../db/tables/users.ts';
import { pageOf } from '../../lib/paging.ts';
import { AppError } from '../../errors.ts';
import { assertCan, type Actor } from '../access/actor.ts';
import { openEmail } from './user-email.ts';
import { listUserRows } from './users.repository.ts';

/**
 * Whether the actor may see an account: one limited to some Pages sees only accounts limited to those Pages (the
 * ones it could have created), never an account for every Page; as for API tokens. Accounts are few.
 */
export function visibleTo(actor: Actor, row: Pick<UserTable, 'pages'>): boolean {
  if (actor.pageScope === null) return true;
  if (row.pages === null) return false;
  return (JSON.parse(row.pages) as string[]).every((p) => actor.pageScope!.includes(p));
}

/**
 * Only an owner acts on an owner's account (a sign-in link, a disable): an admin, who may not grant the owner role,
 * could otherwise sign in as an owner. `forbidden` otherwise.
 */
export function assertMayManage(actor: Actor, row: Pick<UserTable, 'role'>): void {
  if (row.role === 'owner' && actor.role !== 'owner')
    throw new AppError('forbidden', "only an owner may act on an owner's account");
}

/** The accounts the actor may manage, oldest first, cursor-paginated by id, each with its email opened. Not audited. */
export async function listUsers(
  ctx: AppContext,
  actor: Actor,
  cursor: string | null,
  limit: number,
): Promise<{ rows: { row: UserTable; email: string }[]; nextCursor: string | null }> {
  assertCan(actor, 'users:manage');
  const rows: UserTable[] = [];
  let after = cursor;
  for (;;) {
    const batch = await listUserRows(ctx.db, after, actor.pageScope === null ? limit + 1 : 200);
    rows.push(...batch.filter((r) => visibleTo(actor, r)));
    if (rows.length > limit || batch.length === 0 || actor.pageScope === null) break;
    after = batch[batch.length - 1]!.id;
  }
  const page = pageOf(rows.slice(0, limit + 1), limit, (last) => last.id);
  return { rows: page.rows.map((row) => ({ row, email: openEmail(ctx, row) })), nextCursor: page.nextCursor };
}
