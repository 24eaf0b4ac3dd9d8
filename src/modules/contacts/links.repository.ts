import type { Executor } from '../audit/audit.repository.ts';
import type { ContactLinkTable } from '../../db/tables/conversations.ts';

export async function insertLink(db: Executor, row: ContactLinkTable): Promise<void> {
  await db.insertInto('contact_links').values(row).execute();
}

export async function findLink(db: Executor, a: string, b: string): Promise<ContactLinkTable | undefined> {
  return db
    .selectFrom('contact_links')
    .selectAll()
    .where((eb) => eb.or([eb.and([eb('contact_id', '=', a), eb('linked_contact_id', '=', b)]), eb.and([eb('contact_id', '=', b), eb('linked_contact_id', '=', a)])]))
    .executeTakeFirst();
}

/** Removes a contact's links made by one source (e.g. account linking undone by the person). */
export async function deleteLinks(db: Executor, contactId: string, source: ContactLinkTable['source'], other?: string): Promise<number> {
  let q = db.deleteFrom('contact_links').where('source', '=', source).where((eb) => eb.or([eb('contact_id', '=', contactId), eb('linked_contact_id', '=', contactId)]));
  if (other !== undefined) q = q.where((eb) => eb.or([eb('contact_id', '=', other), eb('linked_contact_id', '=', other)]));
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function linksOf(db: Executor, contactId: string): Promise<ContactLinkTable[]> {
  return db.selectFrom('contact_links').selectAll().where((eb) => eb.or([eb('contact_id', '=', contactId), eb('linked_contact_id', '=', contactId)])).orderBy('id').execute();
}
