import { sql } from 'kysely';
import type { ContactTable } from '../../db/tables/conversations.ts';
import type { AccountLinkCodeTable, ContactIdMatchTable } from '../../db/tables/identity.ts';
import type { Dialect, Executor } from '../../db/types.ts';

// Lock class for identity decisions (the second key is a hash of what is being decided on).
const PG_IDENTITY_LOCK_CLASS = 4_004_003;

/**
 * Serialises, until the end of the transaction, every decision taken on one identifier (an account-linking code):
 * two workers seeing the same code for two contacts at once would otherwise each miss the other's uncommitted row.
 * On PostgreSQL an advisory lock; SQLite has one writer at a time already.
 */
export async function lockIdentifier(db: Executor, dialect: Dialect, key: string): Promise<void> {
  if (dialect !== 'postgres') return;
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) | 0;
  await sql`select pg_advisory_xact_lock(${PG_IDENTITY_LOCK_CLASS}, ${h})`.execute(db);
}

export async function insertCodeIfAbsent(db: Executor, row: AccountLinkCodeTable): Promise<void> {
  await db
    .insertInto('account_link_codes')
    .values(row)
    .onConflict((oc) => oc.columns(['contact_id', 'code_bidx']).doNothing())
    .execute();
}

/** Other contacts that were seen with the same code, with their contact rows. */
export async function contactsWithCode(
  db: Executor,
  codeBidx: string,
  exceptContactId: string,
): Promise<ContactTable[]> {
  return db
    .selectFrom('account_link_codes as c')
    .innerJoin('contacts', 'contacts.id', 'c.contact_id')
    .selectAll('contacts')
    .where('c.code_bidx', '=', codeBidx)
    .where('c.contact_id', '!=', exceptContactId)
    .orderBy('contacts.id')
    .execute();
}

export async function deleteCodesOf(db: Executor, contactId: string): Promise<number> {
  const r = await db.deleteFrom('account_link_codes').where('contact_id', '=', contactId).executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function findContactsByIds(db: Executor, ids: readonly string[]): Promise<ContactTable[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('contacts')
    .selectAll()
    .where('id', 'in', [...ids])
    .execute();
}

/** Puts a contact on the ids_for_pages schedule (once; a contact already on it keeps its time). */
export async function scheduleIdMatch(db: Executor, contactId: string, pageId: string, at: number): Promise<void> {
  await db
    .insertInto('contact_id_matching')
    .values({
      contact_id: contactId,
      page_id: pageId,
      status: 'pending',
      next_at: at,
      checked_at: null,
      error_code: null,
    })
    .onConflict((oc) => oc.column('contact_id').doNothing())
    .execute();
}

/** Puts every standing contact that is not on the schedule yet on it (after the feature was switched on). */
export async function scheduleUnmatchedContacts(db: Executor, at: number): Promise<number> {
  const r = await db
    .insertInto('contact_id_matching')
    .columns(['contact_id', 'page_id', 'status', 'next_at'])
    .expression((eb) =>
      eb
        .selectFrom('contacts')
        .select([
          'contacts.id',
          'contacts.page_id',
          sql.lit('pending').as('status'),
          sql.lit(Math.trunc(at)).as('next_at'),
        ])
        .where('contacts.merged_into', 'is', null)
        .where('contacts.status', '!=', 'erased')
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('contact_id_matching as m')
                .select('m.contact_id')
                .whereRef('m.contact_id', '=', 'contacts.id'),
            ),
          ),
        ),
    )
    .onConflict((oc) => oc.column('contact_id').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n);
}

/** Contacts whose match is due, oldest due first, with their schedule. */
export async function dueIdMatches(
  db: Executor,
  now: number,
  limit: number,
): Promise<{ contact: ContactTable; match: ContactIdMatchTable }[]> {
  const matches = await db
    .selectFrom('contact_id_matching')
    .selectAll()
    .where('next_at', '<=', now)
    .orderBy('next_at')
    .orderBy('contact_id')
    .limit(limit)
    .execute();
  const contacts = new Map(
    (
      await findContactsByIds(
        db,
        matches.map((m) => m.contact_id),
      )
    ).map((c) => [c.id, c]),
  );
  const out: { contact: ContactTable; match: ContactIdMatchTable }[] = [];
  for (const match of matches) {
    const contact = contacts.get(match.contact_id);
    if (contact) out.push({ contact, match });
    else await deleteIdMatch(db, match.contact_id);
  }
  return out;
}

export async function updateIdMatch(
  db: Executor,
  contactId: string,
  set: Partial<Omit<ContactIdMatchTable, 'contact_id' | 'page_id'>>,
): Promise<void> {
  await db.updateTable('contact_id_matching').set(set).where('contact_id', '=', contactId).execute();
}

export async function deleteIdMatch(db: Executor, contactId: string): Promise<void> {
  await db.deleteFrom('contact_id_matching').where('contact_id', '=', contactId).execute();
}

/** Registered Pages among these ids. */
export async function registeredPageIds(db: Executor, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('pages')
    .select('id')
    .where('id', 'in', [...ids])
    .execute();
  return new Set(rows.map((r) => r.id));
}

/** Marks `sourceId` merged into `intoId` unless it is merged already; true when this call did it. */
export async function markMerged(db: Executor, sourceId: string, intoId: string, now: number): Promise<boolean> {
  const r = await db
    .updateTable('contacts')
    .set({ merged_into: intoId, updated_at: now })
    .where('id', '=', sourceId)
    .where('merged_into', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
