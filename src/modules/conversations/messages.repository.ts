import type { Executor } from '../../db/types.ts';
import type { ContactEventTable, MessageTable } from '../../db/tables/conversations.ts';
import type { DeliveryTable } from '../../db/tables/messaging.ts';
import { PreparedQuery, slotRow } from '../../db/prepared.ts';

/** Inserts a history row unless its (page_id, mid) is already there; true when this call stored it. */
export async function insertMessageIfAbsent(db: Executor, row: MessageTable): Promise<boolean> {
  return (await insertMessage.run(db, row)).changed > 0;
}

const insertMessage = new PreparedQuery<MessageTable, never>((db, slot) =>
  db
    .insertInto('messages')
    .values(
      slotRow(slot, [
        'id',
        'page_id',
        'contact_id',
        'mid',
        'direction',
        'kind',
        'author',
        'text_enc',
        'attachments_enc',
        'quick_reply_enc',
        'reply_to_mid',
        'app_id',
        'delivery_id',
        'sent_at',
        'created_at',
      ]),
    )
    .onConflict((oc) => oc.columns(['page_id', 'mid']).doNothing()),
);

export async function insertContactEvent(db: Executor, row: ContactEventTable): Promise<void> {
  await db.insertInto('contact_events').values(row).execute();
}

/**
 * The edits and reactions these contacts made since `since` (they come after their message, so the oldest message of
 * a history page bounds them), newest first; an edit whose text the retention dropped is left out.
 */
export async function messageActivitySince(
  db: Executor,
  contactIds: readonly string[],
  since: number,
  kinds: readonly ('message_edit' | 'reaction')[],
): Promise<ContactEventTable[]> {
  if (contactIds.length === 0) return [];
  return db
    .selectFrom('contact_events')
    .selectAll()
    .where('contact_id', 'in', [...contactIds])
    .where('occurred_at', '>=', since)
    .where('kind', 'in', [...kinds])
    .where('data_enc', 'is not', null)
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/** The most recent handover event of a contact at or after `at`, if any (decides who owns the thread). */
export async function laterHandoverExists(
  db: Executor,
  contactId: string,
  at: number,
  excludeId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('contact_events')
    .select('id')
    .where('contact_id', '=', contactId)
    .where('kind', 'in', ['pass_thread_control', 'take_thread_control'])
    .where('occurred_at', '>', at)
    .where('id', '!=', excludeId)
    .executeTakeFirst();
  return row !== undefined;
}

/** When the contact's newest known handover (pass or take) happened, or null. */
export async function latestHandoverAt(db: Executor, contactId: string): Promise<number | null> {
  const row = await db
    .selectFrom('contact_events')
    .select(({ fn }) => fn.max('occurred_at').as('at'))
    .where('contact_id', '=', contactId)
    .where('kind', 'in', ['pass_thread_control', 'take_thread_control'])
    .executeTakeFirst();
  return row?.at === null || row?.at === undefined ? null : Number(row.at);
}

export interface MessagePageQuery {
  contactIds: string[];
  order: 'asc' | 'desc';
  after: { sentAt: number; id: string } | null;
  limit: number;
}

/** One page of history for these contacts, by event time then id, in the order asked. */
export async function listMessages(db: Executor, q: MessagePageQuery): Promise<MessageTable[]> {
  let query = db
    .selectFrom('messages')
    .selectAll()
    .where('contact_id', 'in', q.contactIds)
    .orderBy('sent_at', q.order)
    .orderBy('id', q.order)
    .limit(q.limit);
  const after = q.after;
  if (after) {
    const cmp = q.order === 'asc' ? '>' : '<';
    query = query.where((eb) =>
      eb.or([eb('sent_at', cmp, after.sentAt), eb.and([eb('sent_at', '=', after.sentAt), eb('id', cmp, after.id)])]),
    );
  }
  return query.execute();
}

export type DeliveryState = Pick<
  DeliveryTable,
  'id' | 'page_id' | 'contact_id' | 'status' | 'reason' | 'error_code' | 'meta_code' | 'meta_subcode' | 'body_enc'
>;

/** The send state of the given deliveries (the history rows of our own sends point to them). */
export async function findDeliveryStates(db: Executor, ids: readonly string[]): Promise<DeliveryState[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('deliveries')
    .select(['id', 'page_id', 'contact_id', 'status', 'reason', 'error_code', 'meta_code', 'meta_subcode', 'body_enc'])
    .where('id', 'in', [...ids])
    .execute();
}
