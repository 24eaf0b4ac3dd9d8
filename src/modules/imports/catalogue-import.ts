import { AppError } from '../../errors.ts';
import { upsertProduct, type ProductInput } from '../orders/catalogue.ts';
import { storeOrder, type OrderInput } from '../orders/store-order.ts';
import type { OrderLine } from '../orders/orders.policy.ts';
import type { RowImporter } from './import-records.ts';
import { cellText } from './contact-import.ts';

function bad(message: string): AppError {
  return new AppError('validation_failed', message);
}

function only(fields: Record<string, unknown>, known: readonly string[]): void {
  const unknown = Object.keys(fields).filter((k) => !known.includes(k));
  if (unknown.length) throw bad(`unknown column ${unknown.map((k) => `"${k.slice(0, 40)}"`).join(', ')}`);
}

function required(fields: Record<string, unknown>, key: string, max: number): string {
  const v = cellText(fields, key, max);
  if (v === undefined) throw bad(`${key} is missing`);
  return v;
}

/** A number from a JSON number or a CSV cell ("19.90"); the commands check its range. */
function amount(fields: Record<string, unknown>, key: string): number {
  const v = fields[key];
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v.trim()) : NaN;
  if (!Number.isFinite(n)) throw bad(`${key} must be a number`);
  return n;
}

/** `active`: true/false (JSON), or in a CSV cell true/false, yes/no, 1/0; empty: on sale. */
function activeOf(v: unknown): boolean | undefined {
  if (v === undefined || v === null || v === '' || typeof v === 'boolean')
    return v === '' || v === null ? undefined : v;
  const t = typeof v === 'string' || typeof v === 'number' ? String(v).trim().toLowerCase() : '';
  if (['true', 'yes', '1'].includes(t)) return true;
  if (['false', 'no', '0'].includes(t)) return false;
  throw bad('active must be true or false');
}

const PRODUCT_FIELDS = ['sku', 'name', 'category', 'price', 'currency', 'url', 'image_url', 'active'] as const;

/** Products by sku, as `POST /pages/{id}/products` stores them (one command a row: upserted, audited). */
export const productImporter: RowImporter<ProductInput> = {
  kind: 'products',
  permission: 'pages:write',
  parse(fields) {
    only(fields, PRODUCT_FIELDS);
    return {
      sku: required(fields, 'sku', 1000),
      name: required(fields, 'name', 1000),
      category: required(fields, 'category', 1000),
      price: amount(fields, 'price'),
      currency: required(fields, 'currency', 10),
      url: cellText(fields, 'url', 5000) ?? null,
      image_url: cellText(fields, 'image_url', 5000) ?? null,
      active: activeOf(fields.active),
    };
  },
  store: { command: (ctx, actor, pageId, row) => upsertProduct(ctx, actor, pageId, row) },
};

const ORDER_FIELDS = [
  'external_id',
  'contact_id',
  'link_ref',
  'link_tag',
  'email',
  'last_name',
  'status',
  'currency',
  'total',
  'items',
  'created_at',
] as const;

/** An order's lines: a JSON array (JSON Lines) or its JSON text (a CSV cell) of {sku, quantity, price}. */
function lines(fields: Record<string, unknown>): OrderLine[] {
  let v = fields.items;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      throw bad('items must be a non-empty JSON array of {"sku", "quantity", "price"}');
    }
  }
  if (!Array.isArray(v) || v.length === 0)
    throw bad('items must be a non-empty JSON array of {"sku", "quantity", "price"}');
  return v.map((line: unknown, i) => {
    if (typeof line !== 'object' || line === null) throw bad(`items[${i}] must be an object`);
    const l = line as Record<string, unknown>;
    if (typeof l.sku !== 'string' || typeof l.quantity !== 'number' || typeof l.price !== 'number')
      throw bad(`items[${i}] must have a text sku, a number quantity and a number price`);
    return { sku: l.sku, quantity: l.quantity, price: l.price };
  });
}

/** Orders by external id, as `POST /pages/{id}/orders` stores them (idempotent, joined, audited: one command a row). */
export const orderImporter: RowImporter<OrderInput> = {
  kind: 'orders',
  permission: 'pages:write',
  parse(fields) {
    only(fields, ORDER_FIELDS);
    const optional = (key: string) => cellText(fields, key, 5000);
    const input: OrderInput = {
      external_id: required(fields, 'external_id', 1000),
      status: required(fields, 'status', 1000),
      currency: required(fields, 'currency', 10),
      total: amount(fields, 'total'),
      items: lines(fields),
      created_at: required(fields, 'created_at', 100),
    };
    for (const key of ['contact_id', 'link_ref', 'link_tag', 'email', 'last_name'] as const) {
      const v = optional(key);
      if (v !== undefined) input[key] = v;
    }
    return input;
  },
  store: { command: (ctx, actor, pageId, row) => storeOrder(ctx, actor, pageId, row) },
};
