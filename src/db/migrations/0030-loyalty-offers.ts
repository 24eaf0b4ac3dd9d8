import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// Loyalty offers: each Page defines its loyalty tiers (orders and spend within a window of days, in one currency),
// and a campaign's coupon code given to a recipient is kept on their recipient row, so a resend shows the same code;
// a code is unique within its Page (a shop checks one code at its till).
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('loyalty_tiers')
    .addColumn('page_id', 'text', (c) => c.primaryKey())
    .addColumn('window_days', 'integer', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('tiers', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('campaign_recipients').addColumn('coupon_code', 'text').execute();
  await db.schema
    .createIndex('campaign_recipients_coupon')
    .on('campaign_recipients')
    .columns(['page_id', 'coupon_code'])
    .unique()
    .execute();
}
