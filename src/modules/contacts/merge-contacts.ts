import type { AppContext } from '../../app/context.ts';
import { AppError } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { assertCan, type Actor } from '../access/actor.ts';
import { findContactById, repointMerged, updateContact } from './contacts.repository.ts';
import { deleteLinks, insertLink } from './links.repository.ts';
import { loadVisibleContact } from './read-contacts.ts';
import { presentContact, type ContactView } from './contact.presenter.ts';

/**
 * Merges `sourceId` into `intoId` (two contacts of one Page that are the same person): the source keeps its PSID and
 * its history, which from now on shows in the target's history; contacts merged into the source follow it. Linked
 * and audited in one transaction; merging again into the same target changes nothing.
 */
export async function mergeContacts(ctx: AppContext, actor: Actor, sourceId: string, intoId: string): Promise<ContactView> {
  assertCan(actor, 'contacts:write');
  const source = await loadVisibleContact(ctx, actor, sourceId);
  const target = await loadVisibleContact(ctx, actor, intoId);
  if (source.id === target.id) throw new AppError('validation_failed', 'a contact cannot be merged into itself');
  if (source.page_id !== target.page_id) throw new AppError('conflict', 'contacts of different Pages are different people to Meta; link them instead of merging');
  if (target.merged_into !== null) throw new AppError('conflict', 'the target was itself merged into another contact; merge into that one');
  if (source.merged_into === target.id) return presentContact(ctx, target, { withPsid: false });
  if (source.merged_into !== null) throw new AppError('conflict', 'this contact is already merged into another one; split it first');
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    await repointMerged(trx, source.id, target.id, now);
    await updateContact(trx, source.id, { merged_into: target.id, updated_at: now });
    await insertLink(trx, { id: newId('cl', now), contact_id: source.id, linked_contact_id: target.id, source: 'merge', created_at: now, created_by: actor.id });
    await appendAudit(trx, actor, { action: 'contact.merge', pageId: target.page_id, subjectType: 'contact', subjectId: source.id, details: { into: target.id } }, now);
  });
  const merged = await findContactById(ctx.db, target.id, null);
  return presentContact(ctx, merged!, { withPsid: false });
}

/** Undoes a merge: the contact stands alone again with its own history. Audited in the same transaction. */
export async function splitContact(ctx: AppContext, actor: Actor, contactId: string): Promise<ContactView> {
  assertCan(actor, 'contacts:write');
  const contact = await loadVisibleContact(ctx, actor, contactId);
  const from = contact.merged_into;
  if (from === null) throw new AppError('conflict', 'this contact is not merged into another one');
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    await updateContact(trx, contact.id, { merged_into: null, updated_at: now });
    await deleteLinks(trx, contact.id, 'merge', from);
    await appendAudit(trx, actor, { action: 'contact.split', pageId: contact.page_id, subjectType: 'contact', subjectId: contact.id, details: { from } }, now);
  });
  return presentContact(ctx, { ...contact, merged_into: null }, { withPsid: false });
}
