import type { AppContext } from '../../kernel/context.ts';
import type { Executor } from '../../db/types.ts';
import type { OrderItemTable, OrderTable } from '../../db/tables/audience.ts';
import { AppError, notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { assertCan, assertPage, type Actor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { findContactById } from '../contacts/contacts.repository.ts';
import { findPage } from '../pages/pages.repository.ts';
import { joinOrder } from './join-order.ts';
import { normaliseTag } from '../attributes/attribute-values.ts';
import {
  checkAmount,
  checkCurrency,
  checkItems,
  checkText,
  checkTime,
  MAX_EXTERNAL_ID,
  MAX_STATUS,
  MAX_TAG,
  normaliseProof,
  type OrderLine,
} from './orders.policy.ts';
import type { OrderView } from './order.presenter.ts';
import {
  findOrderByExternalId,
  insertOrderIfAbsent,
  itemsOfOrders,
  replaceOrderItems,
  updateOrderRow,
} from './orders.repository.ts';
import { productsBySku } from './products.repository.ts';
import { presentOrders } from './read-orders.ts';

export const MAX_REF = 250;
export const MAX_PROOF = 320;
export const BIDX = { ref: 'order-link-ref', email: 'order-email', lastName: 'order-last-name' } as const;

export interface OrderInput {
  external_id: string;
  contact_id?: string;
  link_ref?: string;
  link_tag?: string;
  email?: string;
  last_name?: string;
  status: string;
  currency: string;
  total: number;
  items: OrderLine[];
  created_at: string;
}

/** The tag set on the contact the order joins, normalised as every tag is (so "VIP " and "vip" are one tag). */
function linkTag(raw: string): string {
  const tag = normaliseTag(checkText(raw, 'link_tag', MAX_TAG));
  if (tag === null)
    throw new AppError('validation_failed', 'link_tag must be a tag: letters, digits, spaces and _ . : / -', {
      field: 'link_tag',
    });
  return tag;
}

function checked(ctx: AppContext, input: OrderInput) {
  const proof = (v: string | undefined, field: string, purpose: string) =>
    v === undefined ? undefined : ctx.keyring.blindIndex(normaliseProof(checkText(v, field, MAX_PROOF)), purpose);
  if (input.contact_id !== undefined && input.link_ref !== undefined)
    throw new AppError('validation_failed', 'give contact_id or link_ref, not both', { field: 'link_ref' });
  return {
    externalId: checkText(input.external_id, 'external_id', MAX_EXTERNAL_ID),
    status: checkText(input.status, 'status', MAX_STATUS).toLowerCase(),
    currency: checkCurrency(input.currency),
    total: checkAmount(input.total, 'total'),
    items: checkItems(input.items),
    orderedAt: checkTime(input.created_at, 'created_at'),
    // The ref is compared as the shop wrote it (m.me passes it through unchanged), so it is not normalised.
    refBidx:
      input.link_ref === undefined
        ? undefined
        : ctx.keyring.blindIndex(checkText(input.link_ref, 'link_ref', MAX_REF), BIDX.ref),
    tag: input.link_tag === undefined ? undefined : linkTag(input.link_tag),
    emailBidx: proof(input.email, 'email', BIDX.email),
    lastNameBidx: proof(input.last_name, 'last_name', BIDX.lastName),
  };
}

type Checked = ReturnType<typeof checked>;

async function itemRows(db: Executor, order: Pick<OrderTable, 'id' | 'page_id' | 'contact_id'>, lines: OrderLine[]) {
  const categories = new Map(
    (
      await productsBySku(
        db,
        order.page_id,
        lines.map((l) => l.sku),
      )
    ).map((p) => [p.sku, p.category]),
  );
  return lines.map((l, i): OrderItemTable => ({
    order_id: order.id,
    line_no: i + 1,
    page_id: order.page_id,
    contact_id: order.contact_id,
    sku: l.sku,
    category: categories.get(l.sku) ?? null,
    quantity: l.quantity,
    price: l.price,
  }));
}

const itemCount = (lines: OrderLine[]) => lines.reduce((n, l) => n + l.quantity, 0);

/** The columns a re-post changes, by name; items are compared line by line (sku, quantity, price). */
async function changesOf(
  db: Executor,
  row: OrderTable,
  c: Checked,
): Promise<{ set: Partial<OrderTable>; items: boolean }> {
  const set: Partial<OrderTable> = {};
  if (row.status !== c.status) set.status = c.status;
  if (row.currency !== c.currency) set.currency = c.currency;
  if (Number(row.total) !== c.total) set.total = c.total;
  if (Number(row.ordered_at) !== c.orderedAt) set.ordered_at = c.orderedAt;
  if (c.emailBidx !== undefined && row.email_bidx !== c.emailBidx) set.email_bidx = c.emailBidx;
  if (c.lastNameBidx !== undefined && row.last_name_bidx !== c.lastNameBidx) set.last_name_bidx = c.lastNameBidx;
  if (c.tag !== undefined && row.link_tag !== c.tag) set.link_tag = c.tag;
  // A ref means nothing once the order has its contact: a re-post of the first body does not bring it back.
  if (c.refBidx !== undefined && row.contact_id === null && row.link_ref_bidx !== c.refBidx)
    set.link_ref_bidx = c.refBidx;
  const stored = await itemsOfOrders(db, [row.id]);
  const same =
    stored.length === c.items.length &&
    stored.every(
      (s, i) =>
        s.sku === c.items[i]!.sku &&
        Number(s.quantity) === c.items[i]!.quantity &&
        Number(s.price) === c.items[i]!.price,
    );
  if (!same) set.item_count = itemCount(c.items);
  return { set, items: !same };
}

/**
 * Stores an order the shop posts (owners, admins and their tokens), idempotent by (Page, external id): the first post
 * creates it (`created`), a re-post with the same fields changes nothing, and a re-post with a changed status, total,
 * currency, date, lines, proof or tag updates those (audited with the names of the fields, never their values). A
 * `contact_id` joins an unlinked order to that contact of the Page (409 when the order has another contact); a
 * `link_ref` waits for the person who follows the m.me link. Two posts of one new order at once make one row.
 */
export async function storeOrder(
  ctx: AppContext,
  actor: Actor,
  pageId: string,
  input: OrderInput,
): Promise<{ order: OrderView; created: boolean }> {
  assertCan(actor, 'pages:write');
  assertPage(actor, pageId);
  const c = checked(ctx, input);
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    if (!(await findPage(trx, pageId))) throw notFound('page');
    const contact = input.contact_id === undefined ? undefined : await findContactById(trx, input.contact_id, [pageId]);
    if (input.contact_id !== undefined && !contact) throw notFound('contact');
    let row = await findOrderByExternalId(trx, pageId, c.externalId);
    let created = false;
    if (!row) {
      const fresh: OrderTable = {
        id: newId('or', now),
        page_id: pageId,
        external_id: c.externalId,
        contact_id: null,
        link_ref_bidx: c.refBidx ?? null,
        email_bidx: c.emailBidx ?? null,
        last_name_bidx: c.lastNameBidx ?? null,
        status: c.status,
        currency: c.currency,
        total: c.total,
        item_count: itemCount(c.items),
        ordered_at: c.orderedAt,
        linked_at: null,
        linked_by: null,
        link_tag: c.tag ?? null,
        created_at: now,
        updated_at: now,
      };
      // A concurrent post of the same order may insert first: then this one goes on as a re-post of it.
      created = await insertOrderIfAbsent(trx, fresh);
      if (created) {
        await replaceOrderItems(trx, fresh.id, await itemRows(trx, fresh, c.items));
        await audit(trx, actor, fresh, 'order.create', { item_count: fresh.item_count }, now);
      }
      row = created ? fresh : (await findOrderByExternalId(trx, pageId, c.externalId))!;
    }
    if (!created) {
      if (contact && row.contact_id !== null && row.contact_id !== contact.id)
        throw new AppError('conflict', 'the order is linked to another contact', { field: 'contact_id' });
      const { set, items } = await changesOf(trx, row, c);
      if (Object.keys(set).length > 0 || items) {
        await updateOrderRow(trx, row.id, { ...set, updated_at: now });
        if (items) await replaceOrderItems(trx, row.id, await itemRows(trx, row, c.items));
        await audit(trx, actor, row, 'order.update', { changed: Object.keys(set).concat(items ? ['items'] : []) }, now);
        row = { ...row, ...set, updated_at: now };
      }
    }
    if (contact && row.contact_id === null) {
      await joinOrder(trx, ctx, actor, row, contact.id, 'api');
      row = (await findOrderByExternalId(trx, pageId, c.externalId))!;
    }
    return { order: (await presentOrders(trx, [row]))[0]!, created };
  });
}

async function audit(
  trx: Executor,
  actor: Actor,
  row: OrderTable,
  action: string,
  details: Record<string, unknown>,
  now: number,
): Promise<void> {
  await appendAudit(trx, actor, { action, pageId: row.page_id, subjectType: 'order', subjectId: row.id, details }, now);
}
