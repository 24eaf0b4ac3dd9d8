import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// Page settings that live at Meta: utility message templates (one row per Page, name and language, with Meta's id,
// review status and rejection reason) and the Messenger profile (what the Page wants shown, what Meta was last given,
// and the state of the push that carries one to the other). The Page's own words, stored in the clear.
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('message_templates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('components', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('rejection_reason', 'text')
    .addColumn('meta_id', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_check_at', 'bigint')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('message_templates_page_name_language')
    .on('message_templates')
    .columns(['page_id', 'name', 'language'])
    .unique()
    .execute();
  await db.schema.createIndex('message_templates_due').on('message_templates').columns(['next_check_at']).execute();

  await db.schema
    .createTable('messenger_profiles')
    .addColumn('page_id', 'text', (c) => c.primaryKey())
    .addColumn('profile', 'text', (c) => c.notNull())
    .addColumn('pushed_profile', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('pushed_version', 'integer', (c) => c.notNull())
    .addColumn('push_status', 'text', (c) => c.notNull())
    .addColumn('push_error_code', 'integer')
    .addColumn('push_error', 'text')
    .addColumn('push_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('recent_calls', 'text', (c) => c.notNull())
    .addColumn('next_push_at', 'bigint')
    .addColumn('pushed_at', 'bigint')
    .addColumn('updated_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('messenger_profiles_due').on('messenger_profiles').columns(['next_push_at']).execute();
}
