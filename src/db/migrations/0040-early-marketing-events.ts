import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// A paid Marketing Message's delivery or failure webhook can be processed before the send's answer (which carries
// Meta's tracking id) is committed: such an event waits here, one row per (contact, tracking id, status), until the
// send with that tracking id is recorded, which applies it and deletes it in the same transaction.
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('marketing_message_early_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('tracking_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'bigint', (c) => c.notNull())
    .addColumn('error_message', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('marketing_message_early_events_key')
    .on('marketing_message_early_events')
    .columns(['contact_id', 'tracking_id', 'status'])
    .unique()
    .execute();
  await db.schema
    .createIndex('marketing_message_early_events_created')
    .on('marketing_message_early_events')
    .column('created_at')
    .execute();
}
