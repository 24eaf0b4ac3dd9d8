import type { Transaction } from 'kysely';
import type { AppContext } from '../../kernel/context.ts';
import type { DB } from '../../db/types.ts';
import type { ContactTable } from '../../db/tables/conversations.ts';
import { AppError } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { assertCan, type Actor } from '../access/actor.ts';
import { recordConsent, type ConsentPurpose } from '../consent/ledger.ts';
import { latestByPurpose } from '../consent/ledger.repository.ts';
import { findContactById, repointMerged, updateContact } from './contacts.repository.ts';
import { moveAudience } from '../attributes/move-audience.ts';
import { audienceOfOne } from '../attributes/contact-audience.ts';
import { markMerged } from './identity.repository.ts';
import { deleteLinks, insertLink } from './links.repository.ts';
import { loadVisibleContact } from './read-contacts.ts';
import { presentContact, type ContactView } from './contact.presenter.ts';

export interface MergeAudit {
  /** `contact.merge` (an operator) or `contact.reconcile` (the system, on a linking identifier). */
  action: string;
  details?: Record<string, unknown>;
}

/**
 * The survivor keeps what the merged record knew: its tags and the attribute values the survivor lacks move to the
 * survivor (`moveAudience`), and each consent decision newer than the survivor's for the same purpose is recorded in
 * the survivor's ledger (source `merge`, pointing at the original record), so an opt-out given under the old PSID
 * still holds.
 */
async function carryOver(
  ctx: AppContext,
  trx: Transaction<DB>,
  actor: Actor,
  source: ContactTable,
  target: ContactTable,
  now: number,
): Promise<void> {
  const moved = await moveAudience(ctx, trx, source, target, now);
  if (moved.tags + moved.attributes > 0) await updateContact(trx, target.id, { updated_at: now });

  const targetLatest = new Map((await latestByPurpose(trx, target.id)).map((r) => [r.purpose, r]));
  for (const r of await latestByPurpose(trx, source.id)) {
    const t = targetLatest.get(r.purpose);
    const newer =
      !t ||
      r.occurred_at > t.occurred_at ||
      (r.occurred_at === t.occurred_at && r.action === 'withdraw' && t.action === 'grant');
    if (!newer) continue;
    await recordConsent(trx, ctx, {
      contactId: target.id,
      pageId: target.page_id,
      purpose: r.purpose as ConsentPurpose,
      action: r.action,
      source: 'merge',
      eventId: `merge:${r.id}`,
      wording: r.wording,
      wordingVersion: r.wording_version,
      actor: r.actor_type === 'contact' ? 'contact' : actor,
      occurredAt: r.occurred_at,
    });
  }
}

/**
 * Merges `sourceId` into `targetId` inside the caller's transaction: the source keeps its PSID and its history, which
 * from now on shows in the target's history; contacts merged into the source follow it; a `merge` link and an audit
 * entry are written with it. Returns false, changing nothing, when the source is already merged (e.g. a concurrent
 * merge won). Both must be contacts of one Page, and the target must not be merged itself (the caller checks).
 */
export async function mergeWithin(
  ctx: AppContext,
  trx: Transaction<DB>,
  actor: Actor,
  sourceId: string,
  targetId: string,
  now: number,
  audit: MergeAudit,
): Promise<boolean> {
  const source = await findContactById(trx, sourceId, null);
  const target = await findContactById(trx, targetId, null);
  if (
    !source ||
    !target ||
    source.page_id !== target.page_id ||
    target.merged_into !== null ||
    source.id === target.id
  ) {
    throw new AppError('conflict', 'these contacts cannot be merged');
  }
  if (!(await markMerged(trx, source.id, target.id, now))) return false;
  await repointMerged(trx, source.id, target.id, now);
  await insertLink(trx, {
    id: newId('cl', now),
    contact_id: source.id,
    linked_contact_id: target.id,
    source: 'merge',
    created_at: now,
    created_by: actor.id,
  });
  await carryOver(ctx, trx, actor, source, target, now);
  await appendAudit(
    trx,
    actor,
    {
      action: audit.action,
      pageId: target.page_id,
      subjectType: 'contact',
      subjectId: source.id,
      details: { into: target.id, ...audit.details },
    },
    now,
  );
  return true;
}

/**
 * Merges `sourceId` into `intoId` (two contacts of one Page that are the same person): history kept and shown under
 * the target, consent and tags carried over, linked and audited in one transaction; merging again into the same
 * target changes nothing. Owners and admins only (`contacts:merge`): a merge changes whom exports and erasures cover.
 */
export async function mergeContacts(
  ctx: AppContext,
  actor: Actor,
  sourceId: string,
  intoId: string,
): Promise<ContactView> {
  assertCan(actor, 'contacts:merge');
  const source = await loadVisibleContact(ctx, actor, sourceId);
  const target = await loadVisibleContact(ctx, actor, intoId);
  if (source.id === target.id) throw new AppError('validation_failed', 'a contact cannot be merged into itself');
  if (source.page_id !== target.page_id)
    throw new AppError(
      'conflict',
      'contacts of different Pages are different people to Meta; link them instead of merging',
    );
  if (target.merged_into !== null)
    throw new AppError('conflict', 'the target was itself merged into another contact; merge into that one');
  if (source.merged_into === target.id)
    return presentContact(ctx, target, { withIdentifiers: false, audience: await audienceOfOne(ctx, ctx.db, target) });
  if (source.merged_into !== null)
    throw new AppError('conflict', 'this contact is already merged into another one; split it first');
  const now = ctx.clock.now();
  const merged = await ctx.db
    .transaction()
    .execute((trx) => mergeWithin(ctx, trx, actor, source.id, target.id, now, { action: 'contact.merge' }));
  if (!merged) throw new AppError('conflict', 'this contact was merged into another one meanwhile; split it first');
  const after = await findContactById(ctx.db, target.id, null);
  return presentContact(ctx, after!, { withIdentifiers: false, audience: await audienceOfOne(ctx, ctx.db, after!) });
}

/** Undoes a merge: the contact stands alone again with its own history. Audited in the same transaction. */
export async function splitContact(ctx: AppContext, actor: Actor, contactId: string): Promise<ContactView> {
  assertCan(actor, 'contacts:merge');
  const contact = await loadVisibleContact(ctx, actor, contactId);
  const from = contact.merged_into;
  if (from === null) throw new AppError('conflict', 'this contact is not merged into another one');
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    await updateContact(trx, contact.id, { merged_into: null, updated_at: now });
    await deleteLinks(trx, contact.id, 'merge', from);
    await appendAudit(
      trx,
      actor,
      {
        action: 'contact.split',
        pageId: contact.page_id,
        subjectType: 'contact',
        subjectId: contact.id,
        details: { from },
      },
      now,
    );
  });
  return presentContact(
    ctx,
    { ...contact, merged_into: null },
    { withIdentifiers: false, audience: await audienceOfOne(ctx, ctx.db, contact) },
  );
}
