import type { AppContext } from '../../kernel/context.ts';
import type { PrivacyRequestTable } from '../../db/tables/privacy.ts';
import { AppError } from '../../errors.ts';
import type { Actor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { canExtend, computeDueAt } from './deadlines.ts';
import { getPrivacyRequest } from './get-request.ts';
import { updateRequest } from './privacy.repository.ts';

/**
 * Extends a request's deadline once (GDPR two months, CCPA 45 days), recording that the person was told now. Refused
 * unless the notice falls within the first period and the request is still open. Audited.
 */
export async function extendPrivacyRequest(ctx: AppContext, actor: Actor, id: string): Promise<PrivacyRequestTable> {
  const r = await getPrivacyRequest(ctx, actor, id);
  const now = ctx.clock.now();
  if (r.status === 'completed') throw new AppError('conflict', 'the request is already completed');
  if (r.extended === 1)
    throw new AppError('conflict', 'the request was already extended; the law allows one extension');
  if (!canExtend(r.regime, r.received_at, now))
    throw new AppError('conflict', 'an extension must be notified within the first period, which has ended');
  const set = {
    extended: 1,
    extension_notice_at: now,
    due_at: computeDueAt(r.regime, r.received_at, true),
    warned_at: null,
    updated_at: now,
  };
  await ctx.db.transaction().execute(async (trx) => {
    await updateRequest(trx, r.id, set);
    await appendAudit(
      trx,
      actor,
      {
        action: 'privacy.request.extend',
        pageId: r.page_id,
        subjectType: 'privacy_request',
        subjectId: r.id,
        details: { due_at: set.due_at },
      },
      now,
    );
  });
  return { ...r, ...set };
}
