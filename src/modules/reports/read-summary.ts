import type { AppContext } from '../../kernel/context.ts';
import { AppError } from '../../errors.ts';
import { assertCan, type Actor } from '../access/actor.ts';
import { activitySummary, type ActivitySummary } from './summary.repository.ts';

export type { ActivitySummary };

/**
 * The counts across every Page (contacts, messages, deliveries by status, opt-outs, refusals): no personal data.
 * Read-only, not audited. Counts span all Pages, so a Page-scoped actor is refused.
 */
export async function readActivitySummary(ctx: AppContext, actor: Actor): Promise<ActivitySummary> {
  assertCan(actor, 'pages:read');
  if (actor.pageScope !== null)
    throw new AppError('forbidden', 'the activity summary spans every Page; a Page-scoped token cannot read it');
  return activitySummary(ctx.db);
}
