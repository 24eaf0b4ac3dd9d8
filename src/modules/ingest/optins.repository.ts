// The rows that opt-ins write: user refs (checkbox opt-ins, linked to a contact by its first message) and
// marketing-message subscriptions.
import type { Executor } from '../../db/types.ts';
import type { MarketingSubscriptionTable, UserRefTable } from '../../db/tables/conversations.ts';

export async function findUserRef(db: Executor, pageId: string, bidx: string): Promise<UserRefTable | undefined> {
  return db
    .selectFrom('user_refs')
    .selectAll()
    .where('page_id', '=', pageId)
    .where('user_ref_bidx', '=', bidx)
    .executeTakeFirst();
}

export async function insertUserRefIfAbsent(db: Executor, row: UserRefTable): Promise<void> {
  await db
    .insertInto('user_refs')
    .values(row)
    .onConflict((oc) => oc.columns(['page_id', 'user_ref_bidx']).doNothing())
    .execute();
}

export async function updateUserRef(
  db: Executor,
  id: string,
  set: Partial<Pick<UserRefTable, 'contact_id' | 'linked_at' | 'opted_in_at'>>,
): Promise<void> {
  await db.updateTable('user_refs').set(set).where('id', '=', id).execute();
}

export async function findSubscription(
  db: Executor,
  contactId: string,
  topic: string,
): Promise<MarketingSubscriptionTable | undefined> {
  return db
    .selectFrom('marketing_subscriptions')
    .selectAll()
    .where('contact_id', '=', contactId)
    .where('topic', '=', topic)
    .executeTakeFirst();
}

export async function insertSubscriptionIfAbsent(db: Executor, row: MarketingSubscriptionTable): Promise<void> {
  await db
    .insertInto('marketing_subscriptions')
    .values(row)
    .onConflict((oc) => oc.columns(['contact_id', 'topic']).doNothing())
    .execute();
}

export async function updateSubscription(
  db: Executor,
  id: string,
  set: Partial<Omit<MarketingSubscriptionTable, 'id' | 'page_id' | 'contact_id' | 'topic'>>,
): Promise<void> {
  await db.updateTable('marketing_subscriptions').set(set).where('id', '=', id).execute();
}
