import type { AppContext } from '../../kernel/context.ts';
import { AppError } from '../../errors.ts';
import type { Executor } from '../../db/types.ts';
import { ROLE_PERMISSIONS, isRole } from '../access/roles.ts';
import { openEmail } from '../users/user-email.ts';
import { findUserById, findUsersByIds } from '../users/users.repository.ts';
import type { AssigneeView } from './conversation.presenter.ts';

/** The assignees of a list, each looked up once; an operator's email is opened only to be shown to a colleague. */
export async function assigneesByIds(ctx: AppContext, ids: readonly string[]): Promise<Map<string, AssigneeView>> {
  const rows = await findUsersByIds(ctx.db, [...new Set(ids)]);
  return new Map(rows.map((u) => [u.id, { id: u.id, email: openEmail(ctx, u) }]));
}

/** Throws unless `userId` is an active operator who may answer this Page's conversations. */
export async function assertAssignable(db: Executor, pageId: string, userId: string): Promise<void> {
  const user = await findUserById(db, userId);
  const pages = user?.pages ? (JSON.parse(user.pages) as string[]) : null;
  const fits =
    user !== undefined &&
    user.disabled_at === null &&
    isRole(user.role) &&
    ROLE_PERMISSIONS[user.role].includes('conversations:write') &&
    (pages === null || pages.includes(pageId));
  if (!fits)
    throw new AppError('validation_failed', 'assignee_id names no active operator who may answer on this Page', {
      field: 'assignee_id',
    });
}
