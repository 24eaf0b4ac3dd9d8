import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// The tag an order sets on the contact it joins through its m.me `ref` (the shop's word, e.g. "buyer"): kept on the
// order until the person follows the link, so the join needs nothing but the order row.
export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('orders').addColumn('link_tag', 'text').execute();
}
