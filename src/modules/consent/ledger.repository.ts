import type { Executor } from '../../db/types.ts';
import type { ConsentRecordTable } from '../../db/tables/privacy.ts';

/** The ledger is append-only: this file offers no update and no delete (erasure goes through the registry). */
export async function insertConsentRecord(db: Executor, row: ConsentRecordTable): Promise<void> {
  await db.insertInto('consent_records').values(row).execute();
}

/** A record already carried by the same event for the same purpose and action (a redelivered webhook). */
export async function findSameEvent(
  db: Executor,
  contactId: string,
  purpose: string,
  action: ConsentRecordTable['action'],
  eventId: string,
): Promise<ConsentRecordTable | undefined> {
  return db
    .selectFrom('consent_records')
    .selectAll()
    .where('contact_id', '=', contactId)
    .where('purpose', '=', purpose)
    .where('action', '=', action)
    .where('event_id', '=', eventId)
    .executeTakeFirst();
}

/**
 * The latest record per purpose: when events arrive out of order, the one that happened last wins; at the same
 * instant a withdrawal wins over a grant (the cautious reading), then the one recorded last.
 */
export async function latestByPurpose(db: Executor, contactId: string): Promise<ConsentRecordTable[]> {
  const latest = new Map<string, ConsentRecordTable>();
  for (const r of await consentHistory(db, contactId)) latest.set(r.purpose, r);
  return [...latest.values()];
}

function rank(r: ConsentRecordTable): number {
  return r.action === 'withdraw' ? 1 : 0;
}

function ledgerOrder(a: ConsentRecordTable, b: ConsentRecordTable): number {
  return a.occurred_at - b.occurred_at || rank(a) - rank(b) || a.recorded_at - b.recorded_at || (a.id < b.id ? -1 : 1);
}

/** A contact's ledger in the order that decides its state: oldest first, a withdrawal after a grant of the same instant. */
export async function consentHistory(db: Executor, contactId: string): Promise<ConsentRecordTable[]> {
  const rows = await db.selectFrom('consent_records').selectAll().where('contact_id', '=', contactId).execute();
  return rows.sort(ledgerOrder);
}

export async function setConsentCache(
  db: Executor,
  contactId: string,
  set: {
    consent_replies?: 'granted' | 'withdrawn';
    consent_replies_at?: number;
    consent_marketing?: 'none' | 'granted' | 'withdrawn';
    consent_marketing_at?: number;
    updated_at: number;
  },
): Promise<void> {
  await db.updateTable('contacts').set(set).where('id', '=', contactId).execute();
}

export async function findContactById(db: Executor, id: string): Promise<{ id: string; page_id: string } | undefined> {
  return db.selectFrom('contacts').select(['id', 'page_id']).where('id', '=', id).executeTakeFirst();
}
