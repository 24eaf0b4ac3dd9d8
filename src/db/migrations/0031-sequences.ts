import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// Follow-up sequences: a Page's sequence (its steps are the business's own words with `{{…}}` placeholders, stored in
// the clear like a campaign's message), each person's subscription (one row per sequence and contact: where they are,
// when their next step is due, why they left), and what became of each step for them (queued with its delivery, or
// skipped with the reason; unique per subscription round and step, so a step is recorded, and sent, once).
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('sequences')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('stop_on_reply', 'integer', (c) => c.notNull())
    .addColumn('steps', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sequences_page').on('sequences').columns(['page_id', 'id']).execute();

  await db.schema
    .createTable('sequence_subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('sequence_id', 'text', (c) => c.notNull())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('round', 'integer', (c) => c.notNull())
    .addColumn('next_step', 'integer', (c) => c.notNull())
    .addColumn('due_at', 'bigint')
    .addColumn('subscribed_at', 'bigint', (c) => c.notNull())
    .addColumn('ended_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('sequence_subscriptions_member')
    .on('sequence_subscriptions')
    .columns(['sequence_id', 'contact_id'])
    .unique()
    .execute();
  await db.schema
    .createIndex('sequence_subscriptions_due')
    .on('sequence_subscriptions')
    .columns(['status', 'due_at'])
    .execute();
  await db.schema
    .createIndex('sequence_subscriptions_contact')
    .on('sequence_subscriptions')
    .columns(['contact_id', 'status'])
    .execute();

  await db.schema
    .createTable('sequence_step_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subscription_id', 'text', (c) => c.notNull())
    .addColumn('sequence_id', 'text', (c) => c.notNull())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('round', 'integer', (c) => c.notNull())
    .addColumn('step', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('delivery_id', 'text')
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('sequence_step_runs_once')
    .on('sequence_step_runs')
    .columns(['subscription_id', 'round', 'step'])
    .unique()
    .execute();
  await db.schema
    .createIndex('sequence_step_runs_sequence')
    .on('sequence_step_runs')
    .columns(['sequence_id', 'step'])
    .execute();
  await db.schema.createIndex('sequence_step_runs_contact').on('sequence_step_runs').columns(['contact_id']).execute();
}
