import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// Canned responses: a Page's saved replies, inserted in the composer by typing `/shortcut`. The Page's own words,
// not a person's, so stored in the clear; the shortcut is unique per Page.
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('canned_responses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('shortcut', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('canned_responses_page_shortcut')
    .on('canned_responses')
    .columns(['page_id', 'shortcut'])
    .unique()
    .execute();
}
