import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// A started campaign's audience is frozen in batches, each its own short transaction, by the campaign sender: the
// filter as it was at start (a saved segment edited or deleted meanwhile changes nothing), the last contact the walk
// stored (the keyset cursor a restarted freeze resumes after) and when the walk ended (the campaign sends only
// then; its status says whether it is wanted, this says whether its audience is complete). Campaigns started before
// this migration froze their audience in the start's transaction: theirs is complete since their start.
export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('campaigns').addColumn('audience_filter', 'text').execute();
  await db.schema.alterTable('campaigns').addColumn('audience_cursor', 'text').execute();
  await db.schema.alterTable('campaigns').addColumn('audience_frozen_at', 'bigint').execute();
  await db
    .updateTable('campaigns')
    .set({ audience_frozen_at: sql`started_at` })
    .where('started_at', 'is not', null)
    .execute();
}
