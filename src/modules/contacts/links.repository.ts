import type { Executor } from '../../db/types.ts';
import type { ContactLinkTable } from '../../db/tables/conversations.ts';

/**
 * Records a link unless the same (pair, source) is already recorded: one row per pair and source, even when two
 * workers record it at once (a unique index decides). Links other than `merge` have no direction and are stored
 * with the smaller id first; a merge link points from the merged contact to the survivor. True when inserted.
 */
export async function insertLink(db: Executor, row: ContactLinkTable): Promise<boolean> {
  const [a, b] =
    row.source === 'merge' || row.contact_id < row.linked_contact_id
      ? [row.contact_id, row.linked_contact_id]
      : [row.linked_contact_id, row.contact_id];
  const r = await db
    .insertInto('contact_links')
    .values({ ...row, contact_id: a, linked_contact_id: b })
    .onConflict((oc) => oc.columns(['contact_id', 'linked_contact_id', 'source']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
}

export async function findLink(db: Executor, a: string, b: string): Promise<ContactLinkTable | undefined> {
  return db
    .selectFrom('contact_links')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb.and([eb('contact_id', '=', a), eb('linked_contact_id', '=', b)]),
        eb.and([eb('contact_id', '=', b), eb('linked_contact_id', '=', a)]),
      ]),
    )
    .executeTakeFirst();
}

/** Removes a contact's links made by one source (e.g. account linking undone by the person). */
export async function deleteLinks(
  db: Executor,
  contactId: string,
  source: ContactLinkTable['source'],
  other?: string,
): Promise<number> {
  let q = db
    .deleteFrom('contact_links')
    .where('source', '=', source)
    .where((eb) => eb.or([eb('contact_id', '=', contactId), eb('linked_contact_id', '=', contactId)]));
  if (other !== undefined)
    q = q.where((eb) => eb.or([eb('contact_id', '=', other), eb('linked_contact_id', '=', other)]));
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Every link touching any of these contacts, oldest first. */
export async function linksOf(
  db: Executor,
  contactIds: readonly string[],
  source?: ContactLinkTable['source'],
): Promise<ContactLinkTable[]> {
  if (contactIds.length === 0) return [];
  let q = db
    .selectFrom('contact_links')
    .selectAll()
    .where((eb) => eb.or([eb('contact_id', 'in', [...contactIds]), eb('linked_contact_id', 'in', [...contactIds])]));
  if (source !== undefined) q = q.where('source', '=', source);
  return q.orderBy('id').execute();
}
