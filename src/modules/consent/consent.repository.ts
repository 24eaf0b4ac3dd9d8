import type { Executor } from '../audit/audit.repository.ts';
import type { ContactEventTable } from '../../db/tables/conversations.ts';

/** Sets reply consent as of `at`, unless a change at or after `at` is already recorded; true when it changed. */
export async function setRepliesConsent(db: Executor, contactId: string, value: 'granted' | 'withdrawn', at: number, now: number): Promise<boolean> {
  const r = await db
    .updateTable('contacts')
    .set({ consent_replies: value, consent_replies_at: at, updated_at: now })
    .where('id', '=', contactId)
    .where((eb) => eb.or([eb('consent_replies_at', 'is', null), eb('consent_replies_at', '<', at)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function insertConsentEvent(db: Executor, row: ContactEventTable): Promise<void> {
  await db.insertInto('contact_events').values(row).execute();
}
