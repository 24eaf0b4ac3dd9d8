import type { AppContext } from '../../kernel/context.ts';
import type { ProductTable } from '../../db/tables/audience.ts';
import { AppError, notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { pageOf } from '../../lib/paging.ts';
import { assertCan, assertPage, type Actor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { findPage } from '../pages/pages.repository.ts';
import { checkAmount, checkCurrency, checkText, MAX_SKU } from './orders.policy.ts';
import { presentProduct, type ProductView } from './order.presenter.ts';
import { findProductBySku, listProductRows, upsertProductRow } from './products.repository.ts';

export const MAX_PRODUCT_NAME = 200;
export const MAX_CATEGORY = 100;
export const MAX_URL = 2000;

export interface ProductInput {
  sku: string;
  name: string;
  category: string;
  price: number;
  currency: string;
  url?: string | null;
  image_url?: string | null;
  /** On sale (in stock, listed); true when not given. */
  active?: boolean | undefined;
}

function checkUrl(value: string | null | undefined, field: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AppError('validation_failed', `${field} must be an http(s) URL`, { field });
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || value.length > MAX_URL)
    throw new AppError('validation_failed', `${field} must be an http(s) URL of at most ${MAX_URL} characters`, {
      field,
    });
  return value;
}

/**
 * Creates or replaces a product of the Page's catalogue by sku (owners, admins, and tokens of those roles); one
 * statement (insert … on conflict do update), so two posts of the same sku at once leave one product. Audited.
 */
export async function upsertProduct(
  ctx: AppContext,
  actor: Actor,
  pageId: string,
  input: ProductInput,
): Promise<{ product: ProductView; created: boolean }> {
  assertCan(actor, 'pages:write');
  assertPage(actor, pageId);
  const now = ctx.clock.now();
  const fields = {
    sku: checkText(input.sku, 'sku', MAX_SKU),
    name: checkText(input.name, 'name', MAX_PRODUCT_NAME),
    category: checkText(input.category, 'category', MAX_CATEGORY),
    price: checkAmount(input.price, 'price'),
    currency: checkCurrency(input.currency),
    url: checkUrl(input.url, 'url'),
    image_url: checkUrl(input.image_url, 'image_url'),
    active: input.active === false ? 0 : 1,
  };
  return ctx.db.transaction().execute(async (trx) => {
    if (!(await findPage(trx, pageId))) throw notFound('page');
    const before = await findProductBySku(trx, pageId, fields.sku);
    const row: ProductTable = { id: newId('pr', now), page_id: pageId, ...fields, created_at: now, updated_at: now };
    await upsertProductRow(trx, row);
    const stored = (await findProductBySku(trx, pageId, fields.sku))!;
    await appendAudit(
      trx,
      actor,
      {
        action: before ? 'product.update' : 'product.create',
        pageId,
        subjectType: 'product',
        subjectId: stored.id,
        details: { sku: fields.sku },
      },
      now,
    );
    return { product: presentProduct(stored), created: stored.id === row.id };
  });
}

/** A Page's catalogue in sku order, optionally one category, cursor-paged (the cursor is the last sku shown). */
export async function listProducts(
  ctx: AppContext,
  actor: Actor,
  pageId: string,
  f: { category?: string; cursor: string | null; limit: number },
): Promise<{ data: ProductView[]; nextCursor: string | null }> {
  assertCan(actor, 'pages:read');
  assertPage(actor, pageId);
  if (!(await findPage(ctx.db, pageId))) throw notFound('page');
  const afterSku = f.cursor === null ? null : Buffer.from(f.cursor, 'base64url').toString('utf8');
  const rows = await listProductRows(ctx.db, {
    pageId,
    ...(f.category !== undefined && { category: f.category }),
    afterSku,
    limit: f.limit,
  });
  const page = pageOf(rows, f.limit, (last) => Buffer.from(last.sku, 'utf8').toString('base64url'));
  return { data: page.rows.map(presentProduct), nextCursor: page.nextCursor };
}
