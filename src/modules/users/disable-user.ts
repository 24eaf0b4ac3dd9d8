import type { AppContext } from '../../kernel/context.ts';
import type { UserTable } from '../../db/tables/users.ts';
import { AppError, notFound } from '../../errors.ts';
import { assertCan, type Actor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { assertMayManage, visibleTo } from './list-users.ts';
import { countEnabledOwners, disableUserRow, findUserById, revokeUserSessions } from './users.repository.ts';

/**
 * Disables an account: its sessions end at once (revoked in the same transaction), its links and password stop
 * working. Audited once; disabling a disabled account changes nothing. Not found when the actor may not see it; an
 * actor cannot disable itself, nor the last enabled owner (nobody could manage the installation); only an owner
 * disables an owner.
 */
export async function disableUser(ctx: AppContext, actor: Actor, id: string): Promise<UserTable> {
  assertCan(actor, 'users:manage');
  const user = await findUserById(ctx.db, id);
  if (!user || !visibleTo(actor, user)) throw notFound('user');
  if (actor.type === 'user' && actor.id === id) throw new AppError('conflict', 'you cannot disable your own account');
  assertMayManage(actor, user);
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const wasEnabled = (await findUserById(trx, id))?.disabled_at === null;
    if (
      wasEnabled &&
      user.role === 'owner' &&
      (await countEnabledOwners(trx, ctx.database.dialect === 'postgres')) <= 1
    )
      throw new AppError('conflict', 'this is the last owner: add another owner before disabling it');
    if ((await disableUserRow(trx, id, now)) === 1) {
      const sessions = await revokeUserSessions(trx, id, now);
      await appendAudit(
        trx,
        actor,
        { action: 'user.disable', subjectType: 'user', subjectId: id, details: { sessions_revoked: sessions } },
        now,
      );
    }
    return (await findUserById(trx, id))!;
  });
}
