import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// A segment on "ordered in the last N days" (orders.last_at within_days, gt, gte): the orders of a Page in a time
// range, with their contacts, read from the index alone, whether the range drives the query or is probed per
// contact. Without it both databases read every order of the Page (EXPLAIN: a scan of orders filtered by time).
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createIndex('orders_page_ordered_contact')
    .on('orders')
    .columns(['page_id', 'ordered_at', 'contact_id'])
    .execute();
}
