import type { AppContext } from '../../kernel/context.ts';
import { pageOf } from '../../lib/paging.ts';
import { assertCan, assertPage, type Actor } from '../access/actor.ts';
import { notFound } from '../../errors.ts';
import { findPage, listPages as listPageRows } from './pages.repository.ts';
import type { PageTable } from '../../db/tables/foundation.ts';

/** The Pages the actor may see, cursor-paginated by id. */
export async function listPages(
  ctx: AppContext,
  actor: Actor,
  cursor: string | null,
  limit: number,
): Promise<{ rows: PageTable[]; nextCursor: string | null }> {
  assertCan(actor, 'pages:read');
  const rows = await listPageRows(ctx.db, actor.pageScope, cursor, limit + 1);
  return pageOf(rows, limit, (last) => last.id);
}

/** One Page, or not_found when it does not exist or lies outside the actor's scope. */
export async function getPage(ctx: AppContext, actor: Actor, pageId: string): Promise<PageTable> {
  assertCan(actor, 'pages:read');
  assertPage(actor, pageId);
  const page = await findPage(ctx.db, pageId);
  if (!page) throw notFound('page');
  return page;
}
