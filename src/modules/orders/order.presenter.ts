import type { OrderItemTable, OrderTable, ProductTable } from '../../db/tables/audience.ts';
import { toIso } from '../../lib/time.ts';

/** A catalogue product as the API shows it. */
export function presentProduct(row: ProductTable) {
  return {
    id: row.id,
    page_id: row.page_id,
    sku: row.sku,
    name: row.name,
    category: row.category,
    price: Number(row.price),
    currency: row.currency,
    url: row.url,
    image_url: row.image_url,
    active: Number(row.active) === 1,
    created_at: toIso(Number(row.created_at)),
    updated_at: toIso(Number(row.updated_at)),
  };
}

export type ProductView = ReturnType<typeof presentProduct>;

/**
 * An order with its lines (each with the catalogue's current name for its sku, when known). The blind indexes of the
 * buyer's email, last name and m.me ref never leave the database; `awaiting_link` says only that a ref is pending.
 */
export function presentOrder(row: OrderTable, items: readonly OrderItemTable[], names: ReadonlyMap<string, string>) {
  return {
    id: row.id,
    page_id: row.page_id,
    external_id: row.external_id,
    contact_id: row.contact_id,
    status: row.status,
    currency: row.currency,
    total: Number(row.total),
    item_count: Number(row.item_count),
    items: items.map((i) => ({
      sku: i.sku,
      name: names.get(i.sku) ?? null,
      category: i.category,
      quantity: Number(i.quantity),
      price: Number(i.price),
    })),
    awaiting_link: row.contact_id === null && row.link_ref_bidx !== null,
    ordered_at: toIso(Number(row.ordered_at)),
    linked_at: toIso(row.linked_at === null ? null : Number(row.linked_at)),
    created_at: toIso(Number(row.created_at)),
    updated_at: toIso(Number(row.updated_at)),
  };
}

export type OrderView = ReturnType<typeof presentOrder>;

/**
 * The order-status check's answer: the same members whether or not an order matched, so its shape tells nothing
 * about which of number and proof was wrong.
 */
export function presentStatusCheck(
  row: Pick<OrderTable, 'status' | 'currency' | 'total' | 'item_count' | 'ordered_at' | 'updated_at'> | undefined,
) {
  return {
    found: row !== undefined,
    status: row?.status ?? null,
    currency: row?.currency ?? null,
    total: row === undefined ? null : Number(row.total),
    item_count: row === undefined ? null : Number(row.item_count),
    ordered_at: toIso(row === undefined ? null : Number(row.ordered_at)),
    updated_at: toIso(row === undefined ? null : Number(row.updated_at)),
  };
}

export type StatusCheckView = ReturnType<typeof presentStatusCheck>;
