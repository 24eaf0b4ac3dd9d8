import type { Executor } from '../../db/types.ts';
import type { ContactEventTable } from '../../db/tables/conversations.ts';

/** The contact's event history row for a consent change (its details encrypted by the caller). */
export async function insertConsentEvent(db: Executor, row: ContactEventTable): Promise<void> {
  await db.insertInto('contact_events').values(row).execute();
}
