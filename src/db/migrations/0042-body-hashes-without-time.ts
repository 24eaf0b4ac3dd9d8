import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// The hashes of webhook bodies stored before 0041 are bare (43 characters of base64url): a retry's hash now begins
// with the time in its body, so none of them can match anything again, and the purge of hashes, which walks the
// index from its oldest time, would never reach them. They go; a late retry of such a POST is caught by the ledger,
// event by event.
export async function up(db: AnyDb): Promise<void> {
  await sql`delete from webhook_body_hashes where length(body_hash) = 43`.execute(db);
}
