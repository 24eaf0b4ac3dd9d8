import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// Failed authentications (bad API tokens, rejected signed_requests) were one synced, append-only audit row each: a
// flood of them was ~10 GB a day that could never be removed. They are counted per source, minute and reason here
// instead, a table of counters that a retention job empties (PAGESCOPE_AUTH_FAILURE_RETENTION_DAYS).
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('auth_failures')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('minute', 'bigint', (c) => c.notNull())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('last_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('auth_failures_key')
    .on('auth_failures')
    .columns(['kind', 'source', 'minute', 'reason'])
    .unique()
    .execute();
  await db.schema.createIndex('auth_failures_minute').on('auth_failures').columns(['minute']).execute();
}
