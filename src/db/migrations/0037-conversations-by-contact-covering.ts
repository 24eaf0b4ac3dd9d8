import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// The inbox list filtered by a search word starts from the contacts the word matches (10,000 of a Page's 100,000 for
// a common word) and reaches each one's conversation by contact. This index holds what the list then reads of that
// conversation (its Page and status, the tab's assignee, the unread and unreplied filters, both orders' keys and its
// id), so each contact costs one probe of an index read in the order the token index gives, instead of a probe and a
// read of the row from the table.
export async function up(db: AnyDb): Promise<void> {
  await sql
    .raw(
      'create index conversations_contact_listing on conversations ' +
        '(contact_id, page_id, status, assignee_id, unread_count, waiting_since, last_activity_at, id)',
    )
    .execute(db);
}
