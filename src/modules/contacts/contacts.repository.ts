import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../db/types.ts';
import type { ContactTable } from '../../db/tables/conversations.ts';
import { isEmbedded, PreparedQuery } from '../../db/prepared.ts';

type TimeColumn =
  | 'last_user_action_at'
  | 'last_inbound_at'
  | 'last_outbound_at'
  | 'last_seen_at'
  | 'read_watermark'
  | 'delivery_watermark';

/** `max(column, at)` that also treats NULL as smaller, in SQL both dialects accept. */
function laterOf(column: TimeColumn, at: number): RawBuilder<number> {
  return sql<number>`case when ${sql.ref(column)} is null or ${sql.ref(column)} < ${at} then ${at} else ${sql.ref(column)} end`;
}

const byBidx = new PreparedQuery<{ pageId: string; bidx: string }, ContactTable>((db, slot) =>
  db.selectFrom('contacts').selectAll().where('page_id', '=', slot('pageId')).where('psid_bidx', '=', slot('bidx')),
);

export async function findContactByBidx(
  db: Executor,
  pageId: string,
  psidBidx: string,
): Promise<ContactTable | undefined> {
  return byBidx.first(db, { pageId, bidx: psidBidx });
}

const byId = new PreparedQuery<{ id: string }, ContactTable>((db, slot) =>
  db.selectFrom('contacts').selectAll().where('id', '=', slot('id')),
);

/** The contact when it exists and its Page is within `scope` (null: every Page); scope is part of the query. */
export async function findContactById(
  db: Executor,
  id: string,
  scope: readonly string[] | null,
): Promise<ContactTable | undefined> {
  if (scope === null) return byId.first(db, { id });
  let q = db.selectFrom('contacts').selectAll().where('id', '=', id);
  if (scope !== null) q = q.where('page_id', 'in', scope.length ? [...scope] : ['\u0000']);
  return q.executeTakeFirst();
}

/** Inserts unless (page_id, psid_bidx) exists; the caller reads the row back either way. */
export async function insertContactIfAbsent(db: Executor, row: ContactTable): Promise<void> {
  await db
    .insertInto('contacts')
    .values(row)
    .onConflict((oc) => oc.columns(['page_id', 'psid_bidx']).doNothing())
    .execute();
}

/** Rows a multi-row statement carries: well under both databases' limits on bound values (contacts have ~30 columns). */
const MANY = 500;

/** The Page's contacts with these PSID blind indexes (found ones only), in one query per 500. */
export async function findContactsByBidx(
  db: Executor,
  pageId: string,
  psidBidxes: readonly string[],
): Promise<ContactTable[]> {
  const out: ContactTable[] = [];
  for (let i = 0; i < psidBidxes.length; i += MANY) {
    const chunk = psidBidxes.slice(i, i + MANY);
    out.push(
      ...(await db
        .selectFrom('contacts')
        .selectAll()
        .where('page_id', '=', pageId)
        .where('psid_bidx', 'in', chunk)
        .execute()),
    );
  }
  return out;
}

/** Inserts many contacts, each unless its (page_id, psid_bidx) exists; returns how many were inserted. */
export async function insertContactsIfAbsent(db: Executor, rows: readonly ContactTable[]): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < rows.length; i += MANY) {
    const r = await db
      .insertInto('contacts')
      .values(rows.slice(i, i + MANY))
      .onConflict((oc) => oc.columns(['page_id', 'psid_bidx']).doNothing())
      .executeTakeFirst();
    inserted += Number(r.numInsertedOrUpdatedRows ?? 0n);
  }
  return inserted;
}

/** Adds searchable name fragments of contacts that have none yet (new ones), many contacts in one statement. */
export async function insertNameTokens(
  db: Executor,
  rows: readonly { contact_id: string; page_id: string; token: string }[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += 2 * MANY)
    await db
      .insertInto('contact_name_tokens')
      .values(rows.slice(i, i + 2 * MANY))
      .onConflict((oc) => oc.columns(['contact_id', 'token']).doNothing())
      .execute();
}

/**
 * Moves the contact's activity times forward to `at` where they are older (never backwards), so events applied in
 * any order leave the same state. `userAction` also refreshes the messaging window.
 */
export async function touchContact(
  db: Executor,
  id: string,
  at: number,
  now: number,
  what: { userAction?: boolean; inbound?: boolean; outbound?: boolean },
): Promise<void> {
  const variant = (what.userAction ? 1 : 0) | (what.inbound ? 2 : 0) | (what.outbound ? 4 : 0);
  const touch = (touches[variant] ??= touchQuery(what));
  await touch.run(db, { id, at, now });
}

/** One prepared statement per combination of the times an event moves. */
const touches: PreparedQuery<{ id: string; at: number; now: number }, never>[] = [];

function touchQuery(what: { userAction?: boolean; inbound?: boolean; outbound?: boolean }) {
  return new PreparedQuery<{ id: string; at: number; now: number }, never>((db, slot) => {
    const at = slot('at');
    return db
      .updateTable('contacts')
      .set({
        last_seen_at: laterOf('last_seen_at', at),
        ...(what.userAction && { last_user_action_at: laterOf('last_user_action_at', at) }),
        ...(what.inbound && { last_inbound_at: laterOf('last_inbound_at', at) }),
        ...(what.outbound && { last_outbound_at: laterOf('last_outbound_at', at) }),
        created_at: sql<number>`case when created_at > ${at} then ${at} else created_at end`,
        updated_at: slot('now'),
      })
      .where('id', '=', slot('id'));
  });
}

/** Raises a read or delivery watermark; a lower one changes nothing. */
export async function raiseWatermark(
  db: Executor,
  id: string,
  column: 'read_watermark' | 'delivery_watermark',
  watermark: number,
  now: number,
): Promise<void> {
  await db
    .updateTable('contacts')
    .set({ [column]: laterOf(column, watermark), updated_at: now })
    .where('id', '=', id)
    .execute();
}

/**
 * A contact that acted at `at` is reachable again: an unreachable status is cleared unless it was set after `at`,
 * and so is the mark of a PSID Meta said it did not know (the action proves it works). One statement that changes
 * nothing for a contact in neither state.
 */
/**
 * A user action of the person (a message, a button, a referral, an opt-in to Send to Messenger): moves their
 * activity times forward as touchContact does (`inbound`: also the last inbound time) and, in the same statement,
 * makes a contact marked unreachable before `at` reachable again and forgets a PSID marked invalid before `at` (they
 * wrote, so the id works). Returns the contact as it is now, in one round trip: `contact` as the caller read it in
 * this transaction, with the columns the statement sets as it stored them (a whole contact read back costs more than
 * the update itself); undefined when the contact is gone. On SQLite, where a statement costs no round trip, the update
 * and the read of what it set are two statements (see below).
 */
export async function touchByUserAction(
  db: Executor,
  contact: ContactTable,
  at: number,
  now: number,
  what: { inbound?: boolean } = {},
): Promise<ContactTable | undefined> {
  const values = { id: contact.id, at, now };
  let set: Pick<ContactTable, (typeof USER_ACTION_SETS)[number]> | undefined;
  // SQLite runs RETURNING as a trigger, which costs four times the update; a second statement costs no round trip.
  if (isEmbedded(db)) {
    const { changed } = await (what.inbound ? userActionInbound : userAction).run(db, values);
    set = changed === 0 ? undefined : await userActionSets.first(db, { id: contact.id });
  } else set = await (what.inbound ? userActionInboundReturning : userActionReturning).first(db, values);
  return set && { ...contact, ...set };
}

/** The columns a user action sets (all of them, whatever the action: the result is a whole contact). */
const USER_ACTION_SETS = [
  'last_seen_at',
  'last_user_action_at',
  'last_inbound_at',
  'created_at',
  'status',
  'status_reason',
  'status_at',
  'psid_invalid_at',
  'updated_at',
] as const satisfies readonly (keyof ContactTable)[];

const userActionSets = new PreparedQuery<{ id: string }, Pick<ContactTable, (typeof USER_ACTION_SETS)[number]>>(
  (db, slot) => db.selectFrom('contacts').select(USER_ACTION_SETS).where('id', '=', slot('id')),
);

function userActionQuery(inbound: boolean, returning: boolean) {
  return new PreparedQuery<
    { id: string; at: number; now: number },
    Pick<ContactTable, (typeof USER_ACTION_SETS)[number]>
  >((db, slot) => {
    const at = slot('at');
    const revive = sql<boolean>`status = 'unreachable' and (status_at is null or status_at < ${at})`;
    const update = db
      .updateTable('contacts')
      .set({
        last_seen_at: laterOf('last_seen_at', at),
        last_user_action_at: laterOf('last_user_action_at', at),
        ...(inbound && { last_inbound_at: laterOf('last_inbound_at', at) }),
        created_at: sql<number>`case when created_at > ${at} then ${at} else created_at end`,
        status: sql`case when ${revive} then 'active' else status end`,
        status_reason: sql`case when ${revive} then 'wrote_again' else status_reason end`,
        status_at: sql`case when ${revive} then ${at} else status_at end`,
        psid_invalid_at: sql`case when psid_invalid_at < ${at} then null else psid_invalid_at end`,
        updated_at: slot('now'),
      })
      .where('id', '=', slot('id'));
    return returning ? update.returning(USER_ACTION_SETS) : update;
  });
}

const userAction = userActionQuery(false, false);
const userActionInbound = userActionQuery(true, false);
const userActionReturning = userActionQuery(false, true);
const userActionInboundReturning = userActionQuery(true, true);

/** Sets marketing consent when `at` is newer than the stored decision (a withdrawal wins a tie). */

export async function updateContact(
  db: Executor,
  id: string,
  set: Partial<Omit<ContactTable, 'id' | 'page_id'>>,
): Promise<void> {
  await db.updateTable('contacts').set(set).where('id', '=', id).execute();
}

export interface ContactListFilter {
  pageId: string;
  /** Every token must match (blind-indexed name fragments). */
  tokens: string[];
  status?: 'active' | 'unreachable' | undefined;
  cursor: string | null;
  limit: number;
}

/** Newest first by id; merged and erased contacts are left out of lists. */
export async function listContacts(db: Executor, f: ContactListFilter): Promise<ContactTable[]> {
  let q = db
    .selectFrom('contacts')
    .selectAll()
    .where('page_id', '=', f.pageId)
    .where('merged_into', 'is', null)
    .where('status', '!=', 'erased')
    .orderBy('id', 'desc')
    .limit(f.limit);
  for (const token of f.tokens) {
    q = q.where('id', 'in', (eb) =>
      eb
        .selectFrom('contact_name_tokens')
        .select('contact_id')
        .where('page_id', '=', f.pageId)
        .where('token', '=', token),
    );
  }
  if (f.status) q = q.where('status', '=', f.status);
  if (f.cursor) q = q.where('id', '<', f.cursor);
  return q.execute();
}

/** Replaces a contact's searchable name fragments. */
export async function replaceNameTokens(
  db: Executor,
  contactId: string,
  pageId: string,
  tokens: string[],
): Promise<void> {
  await db.deleteFrom('contact_name_tokens').where('contact_id', '=', contactId).execute();
  if (tokens.length === 0) return;
  await db
    .insertInto('contact_name_tokens')
    .values(tokens.map((token) => ({ contact_id: contactId, page_id: pageId, token })))
    .onConflict((oc) => oc.columns(['contact_id', 'token']).doNothing())
    .execute();
}

/** Contacts due for a profile fetch, oldest due first. */
export async function contactsDueForProfile(db: Executor, now: number, limit: number): Promise<ContactTable[]> {
  return db
    .selectFrom('contacts')
    .selectAll()
    .where('profile_next_at', '<=', now)
    .where('status', '!=', 'erased')
    .orderBy('profile_next_at')
    .limit(limit)
    .execute();
}

/** Ids of contacts merged into `id` (their history shows in its history). */
export async function mergedContactIds(db: Executor, id: string): Promise<string[]> {
  const rows = await db.selectFrom('contacts').select('id').where('merged_into', '=', id).execute();
  return rows.map((r) => r.id);
}

/**
 * Every record of the person the contact belongs to on its Page, the contact itself first: the contact a merge kept
 * and the contacts merged into it (one person whose PSID changed, or whom an operator merged). Contacts on other
 * Pages, linked or not, are other records to Meta and are not included.
 */
export async function mergeGroupIds(db: Executor, contactId: string): Promise<string[]> {
  const row = await db
    .selectFrom('contacts')
    .select(['id', 'merged_into'])
    .where('id', '=', contactId)
    .executeTakeFirst();
  if (!row) return [contactId];
  const root = row.merged_into ?? row.id;
  return [...new Set([contactId, root, ...(await mergedContactIds(db, root))])];
}

/** Contacts merged into `from` are merged into `to` instead (merges never chain). */
export async function repointMerged(db: Executor, from: string, to: string, now: number): Promise<void> {
  await db.updateTable('contacts').set({ merged_into: to, updated_at: now }).where('merged_into', '=', from).execute();
}
