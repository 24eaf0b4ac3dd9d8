import { sql } from 'kysely';
import type { Executor } from '../../db/types.ts';
import type { ProductTable } from '../../db/tables/audience.ts';

/** A product with how strongly it is recommended: bought-together count ×2 plus the person's weight for its category. */
export type ScoredProduct = ProductTable & { score: number };

/**
 * The Page's active products the contact never bought, that share an order with one they bought (counted over every
 * order of the Page), or are in a category they bought from or showed interest in; best first, then by sku. One
 * statement on both databases.
 */
export async function recommendedProductRows(
  db: Executor,
  pageId: string,
  contactId: string,
  limit: number,
): Promise<ScoredProduct[]> {
  const r = await sql<ProductTable & { score: number | string }>`
    with bought as (
      select distinct sku from order_items where page_id = ${pageId} and contact_id = ${contactId}
    ),
    affinity as (
      select category, sum(w) as w from (
        select category, count(*) as w from order_items
        where page_id = ${pageId} and contact_id = ${contactId} and category is not null
        group by category
        union all
        select substr(interest, 10) as category, weight as w from contact_interests
        where page_id = ${pageId} and contact_id = ${contactId} and interest like 'category:%'
      ) t group by category
    ),
    together as (
      select o2.sku, count(distinct o2.order_id) as n
      from order_items o1 join order_items o2 on o2.order_id = o1.order_id and o2.sku <> o1.sku
      where o1.page_id = ${pageId} and o1.sku in (select sku from bought)
      group by o2.sku
    )
    select p.*, 2 * coalesce(t.n, 0) + coalesce(a.w, 0) as score
    from products p
    left join together t on t.sku = p.sku
    left join affinity a on a.category = p.category
    where p.page_id = ${pageId} and p.active = 1
      and p.sku not in (select sku from bought)
      and (t.n is not null or a.w is not null)
    order by score desc, p.sku
    limit ${limit}
  `.execute(db);
  return r.rows.map((row) => ({ ...row, score: Number(row.score) }));
}

/** The contact's orders placed at or after `since` in one currency: how many, and their total. */
export async function orderStatsSince(
  db: Executor,
  pageId: string,
  contactId: string,
  since: number,
  currency: string,
): Promise<{ orders: number; spend: number }> {
  const row = await db
    .selectFrom('orders')
    .select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.fn.sum<number | string | null>('total').as('spend')])
    .where('page_id', '=', pageId)
    .where('contact_id', '=', contactId)
    .where('currency', '=', currency)
    .where('ordered_at', '>=', since)
    .executeTakeFirstOrThrow();
  return { orders: Number(row.n), spend: Number(row.spend ?? 0) };
}
