import type { AppContext } from '../../kernel/context.ts';
import type { Executor } from '../../db/types.ts';
import type { OrderTable } from '../../db/tables/audience.ts';
import { AppError, notFound } from '../../errors.ts';
import { pageOf } from '../../lib/paging.ts';
import { assertCan, assertPage, pageScopeOf, type Actor } from '../access/actor.ts';
import { findContactById, mergeGroupIds } from '../contacts/contacts.repository.ts';
import { findPage } from '../pages/pages.repository.ts';
import { presentOrder, type OrderView } from './order.presenter.ts';
import { itemsOfOrders, listOrderRows } from './orders.repository.ts';
import { productsBySku } from './products.repository.ts';

/** Orders with their lines and the catalogue's names for their skus, in the rows' order. */
export async function presentOrders(db: Executor, rows: readonly OrderTable[]): Promise<OrderView[]> {
  const items = await itemsOfOrders(
    db,
    rows.map((r) => r.id),
  );
  const names = new Map<string, Map<string, string>>();
  for (const pageId of new Set(rows.map((r) => r.page_id))) {
    const skus = items.filter((i) => i.page_id === pageId).map((i) => i.sku);
    names.set(pageId, new Map((await productsBySku(db, pageId, skus)).map((p) => [p.sku, p.name])));
  }
  return rows.map((r) =>
    presentOrder(
      r,
      items.filter((i) => i.order_id === r.id),
      names.get(r.page_id) ?? new Map(),
    ),
  );
}

function parseCursor(cursor: string | null): { orderedAt: number; id: string } | null {
  if (cursor === null) return null;
  const m = /^(\d{1,16})\.([a-z0-9_]{1,64})$/.exec(cursor);
  if (!m) throw new AppError('validation_failed', 'cursor is not one this API returned');
  return { orderedAt: Number(m[1]), id: m[2]! };
}

const cursorOf = (last: OrderTable) => `${Number(last.ordered_at)}.${last.id}`;

/**
 * A contact's orders, newest first, those of the records merged with it included (a merge leaves each order on the
 * record it joined), for anyone who may read its Page's contacts; another Page's contact is a 404.
 */
export async function listContactOrders(
  ctx: AppContext,
  actor: Actor,
  contactId: string,
  f: { cursor: string | null; limit: number },
): Promise<{ data: OrderView[]; nextCursor: string | null }> {
  assertCan(actor, 'contacts:read');
  const after = parseCursor(f.cursor);
  const contact = await findContactById(ctx.db, contactId, pageScopeOf(actor));
  if (!contact) throw notFound('contact');
  const contactIds = await mergeGroupIds(ctx.db, contact.id);
  const rows = await listOrderRows(ctx.db, { contactIds, pageId: contact.page_id, after, limit: f.limit });
  const page = pageOf(rows, f.limit, cursorOf);
  return { data: await presentOrders(ctx.db, page.rows), nextCursor: page.nextCursor };
}

/**
 * A Page's orders, newest first, or the one with an external id (what an agent types to link an order from the
 * inbox), for anyone who may read its contacts.
 */
export async function listPageOrders(
  ctx: AppContext,
  actor: Actor,
  pageId: string,
  f: { externalId?: string; cursor: string | null; limit: number },
): Promise<{ data: OrderView[]; nextCursor: string | null }> {
  assertCan(actor, 'contacts:read');
  assertPage(actor, pageId);
  const after = parseCursor(f.cursor);
  if (!(await findPage(ctx.db, pageId))) throw notFound('page');
  const rows = await listOrderRows(ctx.db, {
    pageId,
    ...(f.externalId !== undefined && { externalId: f.externalId.trim() }),
    after,
    limit: f.limit,
  });
  const page = pageOf(rows, f.limit, cursorOf);
  return { data: await presentOrders(ctx.db, page.rows), nextCursor: page.nextCursor };
}
