import type { AppContext } from '../../kernel/context.ts';
import { AppError } from '../../errors.ts';
import { pageOf } from '../../lib/paging.ts';
import { assertCan, type Actor } from './actor.ts';
import { listAuthFailures } from './auth-failures.repository.ts';

/**
 * The counts of failed authentications, newest first: what an operator looks at to block an address. Addresses are
 * not a Page's data, so only tokens that see every Page may read them; read-only, not audited (no personal data of
 * contacts). The rows are shown through auth-failure.presenter.ts.
 */
export async function listAuthFailureCounts(
  ctx: AppContext,
  actor: Actor,
  q: { limit: number; cursor: string | null; since?: number },
) {
  assertCan(actor, 'audit:read');
  if (actor.pageScope !== null)
    throw new AppError('forbidden', 'only a token that sees every Page may read failed authentications');
  const rows = await listAuthFailures(ctx.db, {
    limit: q.limit + 1,
    cursor: q.cursor,
    ...(q.since !== undefined && { since: q.since }),
  });
  const page = pageOf(rows, q.limit, (last) => last.id);
  return {
    rows: page.rows,
    nextCursor: page.nextCursor,
  };
}
