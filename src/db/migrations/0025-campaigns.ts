import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// Campaigns: the campaign itself (its message and variants are the business's words, not personal data), its frozen
// audience (one row per member of the segment at start, with the variant it was assigned and what became of it),
// and its tracked links (one token per recipient and target, so a click is counted once per person). The outbox
// learns to find a campaign's deliveries by campaign (its stats and the cap on how many it may hold at once), and
// the inbox's event stream carries `campaign.updated` with the campaign's id.
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('campaigns')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('segment_id', 'text')
    .addColumn('filter', 'text')
    .addColumn('message', 'text')
    .addColumn('template', 'text')
    .addColumn('variants', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('schedule_at', 'bigint')
    .addColumn('max_per_second', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('finished_at', 'bigint')
    .execute();
  await db.schema.createIndex('campaigns_page').on('campaigns').columns(['page_id', 'id']).execute();
  await db.schema.createIndex('campaigns_status').on('campaigns').columns(['status', 'schedule_at']).execute();

  await db.schema
    .createTable('campaign_recipients')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('variant', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('delivery_id', 'text')
    .addColumn('queued_at', 'bigint')
    .addColumn('clicked_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // One row per person and campaign: freezing twice writes nothing new.
  await db.schema
    .createIndex('campaign_recipients_member')
    .on('campaign_recipients')
    .columns(['campaign_id', 'contact_id'])
    .unique()
    .execute();
  // The sender's next pending recipients, and the recipients list by status, each an index range.
  await db.schema
    .createIndex('campaign_recipients_status')
    .on('campaign_recipients')
    .columns(['campaign_id', 'status', 'id'])
    .execute();
  await db.schema
    .createIndex('campaign_recipients_contact')
    .on('campaign_recipients')
    .columns(['contact_id'])
    .execute();

  await db.schema
    .createTable('campaign_links')
    .addColumn('token', 'text', (c) => c.primaryKey())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('clicked_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('campaign_links_contact').on('campaign_links').columns(['contact_id']).execute();

  await sql`create index deliveries_campaign on deliveries (campaign_id, status) where campaign_id is not null`.execute(
    db,
  );
  await sql`alter table inbox_events add column campaign_id text`.execute(db);
}
