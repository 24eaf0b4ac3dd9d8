import type { AppContext } from '../../kernel/context.ts';
import type { ApiTokenTable } from '../../db/tables/foundation.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import type { Actor } from './actor.ts';
import { getToken } from './list-tokens.ts';
import { findTokenById, revokeToken as revokeTokenRow } from './tokens.repository.ts';

/**
 * Revokes an API token: from this moment it answers 401 like an unknown one. Audited in the same transaction;
 * revoking a revoked token changes nothing and writes no second row. Not found when the actor may not see it.
 */
export async function revokeToken(ctx: AppContext, actor: Actor, id: string): Promise<ApiTokenTable> {
  await getToken(ctx, actor, id);
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    if ((await revokeTokenRow(trx, id, now)) === 1) {
      await appendAudit(trx, actor, { action: 'token.revoke', subjectType: 'token', subjectId: id }, now);
    }
    return (await findTokenById(trx, id))!;
  });
}
