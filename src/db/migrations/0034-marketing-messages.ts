import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// Meta's paid Marketing Messages, per Page: off unless an operator switched them on, with the ad account they are
// billed to and the daily budget of each message campaign (checked against the Page token's permission then). A
// marketing campaign keeps the id of the message campaign Meta created for it.
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('page_marketing_messages')
    .addColumn('page_id', 'text', (c) => c.primaryKey())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('ad_account_id', 'text')
    .addColumn('daily_budget', 'integer')
    .addColumn('permission_checked_at', 'bigint')
    .addColumn('updated_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('campaigns').addColumn('meta_campaign_id', 'text').execute();
}
