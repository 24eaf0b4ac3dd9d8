import type { AppContext } from '../../kernel/context.ts';
import { notFound } from '../../errors.ts';
import type { ApiTokenTable } from '../../db/tables/foundation.ts';
import { pageOf } from '../../lib/paging.ts';
import { assertCan, type Actor } from './actor.ts';
import { findTokenById, listTokenRows } from './tokens.repository.ts';

/**
 * Whether the actor may see a token: an actor limited to some Pages sees only tokens limited to those Pages (the
 * ones it could have created), never a token for every Page. The scope is a JSON list in the row, so it is checked
 * here rather than in the query; tokens are few.
 */
function visible(actor: Actor, row: ApiTokenTable): boolean {
  if (actor.pageScope === null) return true;
  if (row.page_scope === null) return false;
  return (JSON.parse(row.page_scope) as string[]).every((p) => actor.pageScope!.includes(p));
}

/** The API tokens the actor may manage, oldest first, cursor-paginated by id. */
export async function listTokens(
  ctx: AppContext,
  actor: Actor,
  cursor: string | null,
  limit: number,
): Promise<{ rows: ApiTokenTable[]; nextCursor: string | null }> {
  assertCan(actor, 'tokens:manage');
  const rows: ApiTokenTable[] = [];
  let after = cursor;
  for (;;) {
    const batch = await listTokenRows(ctx.db, after, actor.pageScope === null ? limit + 1 : 200);
    rows.push(...batch.filter((r) => visible(actor, r)));
    if (rows.length > limit || batch.length === 0 || actor.pageScope === null) break;
    after = batch[batch.length - 1]!.id;
  }
  return pageOf(rows.slice(0, limit + 1), limit, (last) => last.id);
}

/** One API token, or not_found when it does not exist or the actor may not see it. */
export async function getToken(ctx: AppContext, actor: Actor, id: string): Promise<ApiTokenTable> {
  assertCan(actor, 'tokens:manage');
  const row = await findTokenById(ctx.db, id);
  if (!row || !visible(actor, row)) throw notFound('token');
  return row;
}
