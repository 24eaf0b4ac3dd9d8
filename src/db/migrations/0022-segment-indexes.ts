import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// A segment on "ordered in the last N days" (orders.last_at within_days, gt, gte): the orders of a Page in a time
// range, with their contacts, read from the index alone, whether the range drives the query or is probed per
// contact. Without it both databases read every order of the Page (EXPLAIN: a scan of orders filtered by time).
// And the Page's live contacts (neither erased nor merged), the set every segment starts from: whether a contact
// the driving clause found is live is then read from the index, not from its row.
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createIndex('orders_page_ordered_contact')
    .on('orders')
    .columns(['page_id', 'ordered_at', 'contact_id'])
    .execute();
  await sql`create index contacts_page_live on contacts (page_id, id) where merged_into is null and status != 'erased'`.execute(
    db,
  );
}
