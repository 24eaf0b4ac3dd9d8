import type { AppContext } from '../../kernel/context.ts';
import type { UserTable } from '../../db/tables/users.ts';
import { AppError, notFound } from '../../errors.ts';
import { assertCan, type Actor } from '../access/actor.ts';
import { isRole, ROLES } from '../access/roles.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { existingPageIds } from '../pages/pages.repository.ts';
import { assertMayManage, visibleTo } from './list-users.ts';
import { countEnabledOwners, findUserById, setUserAccess } from './users.repository.ts';

export interface UpdateUserInput {
  role?: string;
  /** The Pages the account is limited to; empty: every Page. */
  pageIds?: string[];
}

/**
 * Changes an account's role or Pages; it applies from the account's next request (sessions read the account each
 * time). The rules of adding an account hold (only an owner grants or changes the owner role, a Page-scoped actor
 * keeps accounts within its Pages), and an actor cannot change its own role or Pages, nor demote the last enabled
 * owner. Audited with what changed; a change that changes nothing writes nothing.
 */
export async function updateUser(
  ctx: AppContext,
  actor: Actor,
  id: string,
  input: UpdateUserInput,
): Promise<UserTable> {
  assertCan(actor, 'users:manage');
  return ctx.db.transaction().execute(async (trx) => {
    // Read in the transaction, the row locked on PostgreSQL: two changes at once (role, then Pages) apply one after
    // the other, each to what the other left, instead of the later one writing back what it read before the first.
    // The owners' rows are locked first, as disableUser takes them, so two such changes never wait on each other.
    const pg = ctx.database.dialect === 'postgres';
    if (pg) await countEnabledOwners(trx, true);
    const user = await findUserById(trx, id, pg);
    if (!user || !visibleTo(actor, user)) throw notFound('user');
    assertMayManage(actor, user);
    if (actor.type === 'user' && actor.id === id)
      throw new AppError('conflict', 'you cannot change your own role or Pages; ask another owner or admin');
    const role = input.role ?? user.role;
    if (!isRole(role)) throw new AppError('validation_failed', `role must be one of ${ROLES.join(', ')}`);
    if (role === 'owner' && actor.role !== 'owner')
      throw new AppError('forbidden', 'only an owner may grant the owner role');
    let pages = user.pages;
    if (input.pageIds !== undefined) {
      const list = [...new Set(input.pageIds)];
      if (actor.pageScope !== null && (!list.length || list.some((p) => !actor.pageScope?.includes(p))))
        throw new AppError('forbidden', 'a Page-scoped actor can only give accounts its own Pages');
      pages = list.length ? JSON.stringify(list) : null;
    }
    if (role === user.role && pages === user.pages) return user;
    const now = ctx.clock.now();
    if (pages !== null) {
      const list = JSON.parse(pages) as string[];
      if ((await existingPageIds(trx, list)).length !== list.length)
        throw new AppError('validation_failed', 'every page must be a registered Page id', { field: 'pages' });
    }
    if (
      user.role === 'owner' &&
      role !== 'owner' &&
      user.disabled_at === null &&
      (await countEnabledOwners(trx, pg)) <= 1
    )
      throw new AppError('conflict', 'this is the last owner: make another account owner first');
    await setUserAccess(trx, id, role, pages);
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    if (role !== user.role) changes.role = { from: user.role, to: role };
    if (pages !== user.pages)
      changes.pages = { from: user.pages && JSON.parse(user.pages), to: pages && JSON.parse(pages) };
    await appendAudit(
      trx,
      actor,
      { action: 'user.update', subjectType: 'user', subjectId: id, details: { changes } },
      now,
    );
    return { ...user, role, pages };
  });
}
