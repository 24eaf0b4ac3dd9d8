import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// Questions waiting for the language model: the webhook processing transaction records one (its text sealed under
// the contact's key) and a background worker asks the model outside any transaction, then answers and deletes it.
// A worker holds a job by a lease (owner, until), so another process takes it over only once the lease ran out.
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('assistant_model_jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('event_key', 'text', (c) => c.notNull())
    .addColumn('text_enc', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('assistant_model_jobs_event')
    .on('assistant_model_jobs')
    .columns(['page_id', 'event_key'])
    .unique()
    .execute();
  await db.schema
    .createIndex('assistant_model_jobs_due')
    .on('assistant_model_jobs')
    .columns(['lease_until', 'id'])
    .execute();
  await db.schema.createIndex('assistant_model_jobs_contact').on('assistant_model_jobs').column('contact_id').execute();
}
