import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// A draft campaign can be edited: its version moves with every edit, so that an edit made from a stale screen (If-Match
// with an older version) is refused with a conflict rather than overwriting a newer one.
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .alterTable('campaigns')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
}
