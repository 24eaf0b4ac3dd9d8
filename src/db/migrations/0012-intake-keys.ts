import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// Raw webhook bodies are sealed under intake keys, kept outside the database (contact-keys.db) and destroyed once no
// body is left under them. Each row names its key (`body_key`); `intake_keys` lists the keys by id only (never the
// key itself) and marks the retired ones: a writer checks its key there in the transaction that stores a body, so a
// key is never destroyed while a body under it is being stored. The partial index finds the bodies left under a key.
export async function up(db: AnyDb): Promise<void> {
  await sql.raw('alter table webhook_deliveries add column body_key text').execute(db);
  await sql
    .raw('create table intake_keys (id text primary key, created_at bigint not null, retired_at bigint)')
    .execute(db);
  await sql
    .raw('create index webhook_deliveries_body_key on webhook_deliveries (body_key) where body_enc is not null')
    .execute(db);
}
