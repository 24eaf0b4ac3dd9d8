import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// The inbox list at 100,000 conversations: its two orders' indexes also hold the columns its filters and tab counts
// read (assignee, unread count, waiting since, contact), so a page of a filtered tab and the three counts are read
// from the index alone instead of looking up every open conversation's row.
export async function up(db: AnyDb): Promise<void> {
  for (const statement of [
    'drop index conversations_page_status_activity',
    'drop index conversations_page_status_waiting',
    'create index conversations_page_status_activity on conversations ' +
      '(page_id, status, last_activity_at, id, assignee_id, unread_count, waiting_since, contact_id)',
    'create index conversations_page_status_waiting on conversations ' +
      '(page_id, status, (coalesce(waiting_since, 9007199254740991)), id, assignee_id, unread_count, contact_id)',
  ]) {
    await sql.raw(statement).execute(db);
  }
}
