import type { Executor } from '../../db/types.ts';
import type { OrderItemTable, OrderTable } from '../../db/tables/audience.ts';

const inScope = (scope: readonly string[] | null) => (scope === null ? null : scope.length ? [...scope] : ['\u0000']);

/** Inserts the order unless the Page has its external id already; true when this call inserted it. */
export async function insertOrderIfAbsent(db: Executor, row: OrderTable): Promise<boolean> {
  const r = await db
    .insertInto('orders')
    .values(row)
    .onConflict((oc) => oc.columns(['page_id', 'external_id']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
}

export async function findOrderByExternalId(
  db: Executor,
  pageId: string,
  externalId: string,
): Promise<OrderTable | undefined> {
  return db
    .selectFrom('orders')
    .selectAll()
    .where('page_id', '=', pageId)
    .where('external_id', '=', externalId)
    .executeTakeFirst();
}

/** The order when its Page is within `scope` (null: every Page): another Page's order is simply not found. */
export async function findOrderById(
  db: Executor,
  id: string,
  scope: readonly string[] | null,
): Promise<OrderTable | undefined> {
  let q = db.selectFrom('orders').selectAll().where('id', '=', id);
  const pages = inScope(scope);
  if (pages !== null) q = q.where('page_id', 'in', pages);
  return q.executeTakeFirst();
}

export async function updateOrderRow(db: Executor, id: string, set: Partial<OrderTable>): Promise<void> {
  await db.updateTable('orders').set(set).where('id', '=', id).execute();
}

export async function replaceOrderItems(db: Executor, orderId: string, rows: readonly OrderItemTable[]): Promise<void> {
  await db.deleteFrom('order_items').where('order_id', '=', orderId).execute();
  for (let i = 0; i < rows.length; i += 100)
    await db
      .insertInto('order_items')
      .values(rows.slice(i, i + 100))
      .execute();
}

export async function itemsOfOrders(db: Executor, orderIds: readonly string[]): Promise<OrderItemTable[]> {
  if (orderIds.length === 0) return [];
  return db
    .selectFrom('order_items')
    .selectAll()
    .where('order_id', 'in', [...orderIds])
    .orderBy('order_id')
    .orderBy('line_no')
    .execute();
}

/**
 * Gives an unlinked order its contact; 0 when it has one already (another join won, or a redelivery): the condition
 * in the `where` makes the join happen once however many paths try it at once.
 */
export async function claimOrder(
  db: Executor,
  orderId: string,
  set: { contactId: string; at: number; by: string | null },
): Promise<number> {
  const r = await db
    .updateTable('orders')
    .set({ contact_id: set.contactId, link_ref_bidx: null, linked_at: set.at, linked_by: set.by, updated_at: set.at })
    .where('id', '=', orderId)
    .where('contact_id', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Order lines follow their order's contact (segments on sku and category read them without a join). */
export async function setItemsContact(db: Executor, orderId: string, contactId: string): Promise<void> {
  await db.updateTable('order_items').set({ contact_id: contactId }).where('order_id', '=', orderId).execute();
}

/** Unlinked orders of the Page waiting for the person who follows the m.me link with this ref. */
export async function unlinkedOrdersByRef(db: Executor, pageId: string, refBidx: string): Promise<OrderTable[]> {
  return db
    .selectFrom('orders')
    .selectAll()
    .where('page_id', '=', pageId)
    .where('link_ref_bidx', '=', refBidx)
    .where('contact_id', 'is', null)
    .orderBy('id')
    .execute();
}

type OrderCursor = { orderedAt: number; id: string } | null;

/** Newest first (by the shop's order time, then id), `limit + 1` rows for paging. */
export async function listOrderRows(
  db: Executor,
  f: { contactIds?: readonly string[]; pageId?: string; externalId?: string; after: OrderCursor; limit: number },
): Promise<OrderTable[]> {
  let q = db.selectFrom('orders').selectAll();
  if (f.contactIds !== undefined) q = q.where('contact_id', 'in', [...f.contactIds]);
  if (f.pageId !== undefined) q = q.where('page_id', '=', f.pageId);
  if (f.externalId !== undefined) q = q.where('external_id', '=', f.externalId);
  const after = f.after;
  if (after !== null)
    q = q.where((eb) =>
      eb.or([
        eb('ordered_at', '<', after.orderedAt),
        eb.and([eb('ordered_at', '=', after.orderedAt), eb('id', '<', after.id)]),
      ]),
    );
  return q
    .orderBy('ordered_at', 'desc')
    .orderBy('id', 'desc')
    .limit(f.limit + 1)
    .execute();
}

/**
 * The order-status check's one query, by the unique (page, external id) index: the row only when the proof matches.
 * A missing order and a wrong proof run the same statement and both return nothing (the caller gives a proof).
 */
export async function orderForStatusCheck(
  db: Executor,
  f: { pageId: string; externalId: string; emailBidx: string | null; lastNameBidx: string | null },
): Promise<Pick<OrderTable, 'status' | 'currency' | 'total' | 'item_count' | 'ordered_at' | 'updated_at'> | undefined> {
  return db
    .selectFrom('orders')
    .select(['status', 'currency', 'total', 'item_count', 'ordered_at', 'updated_at'])
    .where('page_id', '=', f.pageId)
    .where('external_id', '=', f.externalId)
    .where((eb) =>
      eb.or([
        ...(f.emailBidx !== null ? [eb('email_bidx', '=', f.emailBidx)] : []),
        ...(f.lastNameBidx !== null ? [eb('last_name_bidx', '=', f.lastNameBidx)] : []),
      ]),
    )
    .executeTakeFirst();
}
