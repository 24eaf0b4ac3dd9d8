import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// The dispatcher claims a delivery only when no earlier delivery of the same contact is still queued or sending.
// With (contact_id, id) alone that check walks the contact's whole sent history; with the status in the key it
// is one index probe, however long the history grows.
export async function up(db: AnyDb): Promise<void> {
  await sql.raw('create index deliveries_contact_open on deliveries (contact_id, status, id)').execute(db);
}
