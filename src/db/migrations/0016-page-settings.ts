import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// Settings a Page's team manages in the web UI: its label definitions (name and colour, the names conversations
// carry) and its own consent keywords, which work on that Page besides the built-in words of every locale.
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('page_labels')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('color', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // One label per name and Page, whatever the case: "VIP" and "vip" are the same label.
  await db.schema
    .createIndex('page_labels_page_name')
    .on('page_labels')
    .columns(['page_id', 'name_key'])
    .unique()
    .execute();

  await db.schema
    .createTable('page_consent_keywords')
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('keyword', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('page_consent_keywords_pk', ['page_id', 'keyword'])
    .execute();
}
