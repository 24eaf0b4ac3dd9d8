import type { Kysely } from 'kysely';

// The offline FAQ assistant: a Page's FAQ entries, its assistant settings, the questions it could not answer, and
// per contact how many in a row went unanswered.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('faq_entries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('question', 'text', (c) => c.notNull())
    .addColumn('phrases', 'text', (c) => c.notNull())
    .addColumn('answer', 'text', (c) => c.notNull())
    .addColumn('personal', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('faq_entries_page').on('faq_entries').columns(['page_id', 'status', 'id']).execute();
  await db.schema
    .createTable('assistant_settings')
    .addColumn('page_id', 'text', (c) => c.primaryKey())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('threshold', 'double precision', (c) => c.notNull())
    .addColumn('margin', 'double precision', (c) => c.notNull())
    .addColumn('handoff_after', 'integer', (c) => c.notNull())
    .addColumn('opening_hours', 'text')
    .addColumn('delivery_days', 'integer')
    .addColumn('faq_version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('assistant_unanswered')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('text_bidx', 'text', (c) => c.notNull())
    .addColumn('text_enc', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('first_asked_at', 'bigint', (c) => c.notNull())
    .addColumn('last_asked_at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('faq_id', 'text')
    .execute();
  await db.schema
    .createIndex('assistant_unanswered_page_text')
    .on('assistant_unanswered')
    .columns(['page_id', 'text_bidx'])
    .unique()
    .execute();
  await db.schema.createIndex('assistant_unanswered_contact').on('assistant_unanswered').column('contact_id').execute();
  await db.schema
    .createTable('assistant_contact_state')
    .addColumn('contact_id', 'text', (c) => c.primaryKey())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('misses', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}
