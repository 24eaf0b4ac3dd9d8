import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// Identical webhook bodies were refused at receipt by a unique index on a keyed hash. A hash is random, so each
// acknowledged delivery wrote one more random page of that index into the commit that the 200 waits for: on SQLite
// that doubled the bytes every group commit made durable. The dedupe now happens when the delivery is processed:
// the first delivery of a body claims its hash here, a later identical one is marked `duplicate` and applies nothing.
export async function up(db: AnyDb): Promise<void> {
  await sql
    .raw(
      'create table webhook_body_hashes (body_hash text primary key, delivery_id text not null, created_at bigint not null)',
    )
    .execute(db);
  await sql
    .raw(
      `insert into webhook_body_hashes (body_hash, delivery_id, created_at)
          select body_hash, min(id), min(received_at) from webhook_deliveries where status <> 'pending' group by body_hash`,
    )
    .execute(db);
  await sql.raw('drop index webhook_deliveries_body_hash').execute(db);
}
