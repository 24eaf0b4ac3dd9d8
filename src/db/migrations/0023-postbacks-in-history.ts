import type { Kysely } from 'kysely';

// A button a person pressed (a postback: its title and payload) joins the conversation's history beside messages, so
// an agent sees "pressed Track my order" where it happened. Rows so far are all messages.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('messages')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('message'))
    .execute();
}
