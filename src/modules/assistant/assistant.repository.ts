import type { Executor } from '../../db/types.ts';
import { PreparedQuery } from '../../db/prepared.ts';
import { forgetInTransaction, readOncePerTransaction } from '../../db/transaction-memo.ts';
import type { AssistantSettingsTable, AssistantUnansweredTable, FaqEntryTable } from '../../db/tables/assistant.ts';
import type { OrderTable } from '../../db/tables/audience.ts';

const inScope = (scope: readonly string[] | null) => (scope === null ? null : scope.length ? [...scope] : ['\u0000']);

export async function listFaqRows(
  db: Executor,
  pageId: string,
  status?: 'draft' | 'approved',
): Promise<FaqEntryTable[]> {
  let q = db.selectFrom('faq_entries').selectAll().where('page_id', '=', pageId);
  if (status) q = q.where('status', '=', status);
  return q.orderBy('id').execute();
}

export async function countFaqRows(db: Executor, pageId: string): Promise<number> {
  const r = await db
    .selectFrom('faq_entries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('page_id', '=', pageId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** One FAQ entry of the given Pages (null: any Page); another Page's is simply not found. */
export async function findFaqRow(
  db: Executor,
  id: string,
  pageScope: readonly string[] | null,
): Promise<FaqEntryTable | undefined> {
  let q = db.selectFrom('faq_entries').selectAll().where('id', '=', id);
  const scope = inScope(pageScope);
  if (scope !== null) q = q.where('page_id', 'in', scope);
  return q.executeTakeFirst();
}

export async function insertFaqRow(db: Executor, row: FaqEntryTable): Promise<void> {
  await db.insertInto('faq_entries').values(row).execute();
}

export async function updateFaqRow(db: Executor, id: string, set: Partial<FaqEntryTable>): Promise<void> {
  await db.updateTable('faq_entries').set(set).where('id', '=', id).execute();
}

export async function deleteFaqRow(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('faq_entries').where('id', '=', id).execute();
}

// Read for every inbound message: compiled once.
const settingsOfPage = new PreparedQuery<{ pageId: string }, AssistantSettingsTable>((db, slot) =>
  db.selectFrom('assistant_settings').selectAll().where('page_id', '=', slot('pageId')),
);

export async function findSettingsRow(db: Executor, pageId: string): Promise<AssistantSettingsTable | undefined> {
  // Read once per processing transaction and Page (the writers below forget it).
  const row = await readOncePerTransaction(db, `assistant_settings:${pageId}`, () =>
    settingsOfPage.first(db, { pageId }),
  );
  return row && { ...row, faq_version: Number(row.faq_version), updated_at: Number(row.updated_at) };
}

export async function upsertSettingsRow(db: Executor, row: AssistantSettingsTable): Promise<void> {
  const { page_id: _id, ...set } = row;
  await db
    .insertInto('assistant_settings')
    .values(row)
    .onConflict((oc) => oc.column('page_id').doUpdateSet(set))
    .execute();
  forgetInTransaction(db, 'assistant_settings');
}

/** The Page's FAQ version, one more than before (the settings row is made with defaults when missing). */
export async function bumpFaqVersion(db: Executor, pageId: string, defaults: AssistantSettingsTable): Promise<void> {
  await db
    .insertInto('assistant_settings')
    .values({ ...defaults, faq_version: 1 })
    .onConflict((oc) =>
      oc.column('page_id').doUpdateSet((eb) => ({
        faq_version: eb('assistant_settings.faq_version', '+', 1),
        updated_at: defaults.updated_at,
      })),
    )
    .execute();
  forgetInTransaction(db, 'assistant_settings');
}

export async function findMisses(db: Executor, contactId: string): Promise<number> {
  const r = await db
    .selectFrom('assistant_contact_state')
    .select('misses')
    .where('contact_id', '=', contactId)
    .executeTakeFirst();
  return r ? Number(r.misses) : 0;
}

export async function setMisses(
  db: Executor,
  row: { contact_id: string; page_id: string; misses: number; updated_at: number },
): Promise<void> {
  await db
    .insertInto('assistant_contact_state')
    .values(row)
    .onConflict((oc) => oc.column('contact_id').doUpdateSet({ misses: row.misses, updated_at: row.updated_at }))
    .execute();
}

export async function findUnansweredByText(
  db: Executor,
  pageId: string,
  textBidx: string,
): Promise<AssistantUnansweredTable | undefined> {
  return db
    .selectFrom('assistant_unanswered')
    .selectAll()
    .where('page_id', '=', pageId)
    .where('text_bidx', '=', textBidx)
    .executeTakeFirst();
}

export async function findUnanswered(
  db: Executor,
  id: string,
  pageScope: readonly string[] | null,
): Promise<AssistantUnansweredTable | undefined> {
  let q = db.selectFrom('assistant_unanswered').selectAll().where('id', '=', id);
  const scope = inScope(pageScope);
  if (scope !== null) q = q.where('page_id', 'in', scope);
  return q.executeTakeFirst();
}

export async function insertUnanswered(db: Executor, row: AssistantUnansweredTable): Promise<void> {
  await db.insertInto('assistant_unanswered').values(row).execute();
}

export async function updateUnanswered(
  db: Executor,
  id: string,
  set: Partial<AssistantUnansweredTable>,
): Promise<void> {
  await db.updateTable('assistant_unanswered').set(set).where('id', '=', id).execute();
}

/** A Page's open unanswered questions, most asked first. */
export async function listOpenUnanswered(
  db: Executor,
  pageId: string,
  limit: number,
): Promise<AssistantUnansweredTable[]> {
  return db
    .selectFrom('assistant_unanswered')
    .selectAll()
    .where('page_id', '=', pageId)
    .where('status', '=', 'open')
    .orderBy('count', 'desc')
    .orderBy('last_asked_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** The contact's order with this number on this Page: another person's order is not theirs to hear about. */
export async function findContactOrder(
  db: Executor,
  pageId: string,
  contactId: string,
  externalId: string,
): Promise<OrderTable | undefined> {
  return db
    .selectFrom('orders')
    .selectAll()
    .where('page_id', '=', pageId)
    .where('external_id', '=', externalId)
    .where('contact_id', '=', contactId)
    .executeTakeFirst();
}

/** The contact's most recent orders on this Page. */
export async function latestContactOrders(
  db: Executor,
  pageId: string,
  contactId: string,
  limit: number,
): Promise<OrderTable[]> {
  return db
    .selectFrom('orders')
    .selectAll()
    .where('page_id', '=', pageId)
    .where('contact_id', '=', contactId)
    .orderBy('ordered_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** A contact's id and Page, when it exists. */
export async function findContactPage(
  db: Executor,
  contactId: string,
): Promise<{ id: string; page_id: string } | undefined> {
  return db.selectFrom('contacts').select(['id', 'page_id']).where('id', '=', contactId).executeTakeFirst();
}

/** The contact's conversation's owner and whether this message just opened it. */
export async function findConversationOwner(
  db: Executor,
  contactId: string,
): Promise<{ id: string; handled_by: 'bot' | 'human'; version: number; last_message_id: string | null } | undefined> {
  const row = await db
    .selectFrom('conversations')
    .select(['id', 'handled_by', 'version', 'last_message_id'])
    .where('contact_id', '=', contactId)
    .executeTakeFirst();
  return row && { ...row, version: Number(row.version) };
}

export async function setConversationOwner(
  db: Executor,
  id: string,
  handledBy: 'bot' | 'human',
  now: number,
): Promise<void> {
  await db
    .updateTable('conversations')
    .set((eb) => ({ handled_by: handledBy, version: eb('version', '+', 1), updated_at: now }))
    .where('id', '=', id)
    .execute();
}
