import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// No query reads deliveries by `mid`: an echo is matched through the history (messages (page_id, mid)) or through
// the delivery id the dispatcher sends as the message's metadata. The index still cost every send one more random
// page in the commit that records it (Meta's message ids are random), a quarter of what a busy dispatcher's turn wrote.
export async function up(db: AnyDb): Promise<void> {
  await sql.raw('drop index deliveries_mid').execute(db);
}
