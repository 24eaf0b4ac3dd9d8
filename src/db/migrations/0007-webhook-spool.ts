import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// The webhook spool (SQLite): a POST is acknowledged once it is in the spool file, and moved into webhook_deliveries
// afterwards. One row says how far the spool has been moved; it is written in the same transaction as the rows moved,
// so a restart moves each spooled record exactly once.
export async function up(db: AnyDb): Promise<void> {
  await sql
    .raw(
      'create table webhook_spool (id integer primary key, seq bigint not null, position bigint not null, updated_at bigint not null)',
    )
    .execute(db);
}
