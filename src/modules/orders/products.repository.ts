import type { Executor } from '../../db/types.ts';
import type { ProductTable } from '../../db/tables/audience.ts';

/** Inserts the product or, when the Page has its sku already, replaces its fields (id and created_at stay). */
export async function upsertProductRow(db: Executor, row: ProductTable): Promise<void> {
  await db
    .insertInto('products')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['page_id', 'sku']).doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        category: eb.ref('excluded.category'),
        price: eb.ref('excluded.price'),
        currency: eb.ref('excluded.currency'),
        url: eb.ref('excluded.url'),
        image_url: eb.ref('excluded.image_url'),
        active: eb.ref('excluded.active'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
}

export async function findProductBySku(db: Executor, pageId: string, sku: string): Promise<ProductTable | undefined> {
  return db.selectFrom('products').selectAll().where('page_id', '=', pageId).where('sku', '=', sku).executeTakeFirst();
}

/** A Page's products in sku order after `afterSku`, optionally of one category; `limit + 1` rows for paging. */
export async function listProductRows(
  db: Executor,
  f: { pageId: string; category?: string; afterSku: string | null; limit: number },
): Promise<ProductTable[]> {
  let q = db.selectFrom('products').selectAll().where('page_id', '=', f.pageId);
  if (f.category !== undefined) q = q.where('category', '=', f.category);
  if (f.afterSku !== null) q = q.where('sku', '>', f.afterSku);
  return q
    .orderBy('sku')
    .limit(f.limit + 1)
    .execute();
}

/** The Page's products with the given skus (for an order's lines: their category and name). */
export async function productsBySku(
  db: Executor,
  pageId: string,
  skus: readonly string[],
): Promise<Pick<ProductTable, 'sku' | 'name' | 'category'>[]> {
  if (skus.length === 0) return [];
  const out: Pick<ProductTable, 'sku' | 'name' | 'category'>[] = [];
  const unique = [...new Set(skus)];
  for (let i = 0; i < unique.length; i += 500)
    out.push(
      ...(await db
        .selectFrom('products')
        .select(['sku', 'name', 'category'])
        .where('page_id', '=', pageId)
        .where('sku', 'in', unique.slice(i, i + 500))
        .execute()),
    );
  return out;
}
