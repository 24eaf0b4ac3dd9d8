import type { Transaction } from 'kysely';
import type { AppContext } from '../../kernel/context.ts';
import type { DB } from '../../db/types.ts';
import type { ContactLinkTable, ContactTable } from '../../db/tables/conversations.ts';
import { AppError } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { systemActor } from '../access/actor.ts';
import { mergeWithin } from './merge-contacts.ts';
import {
  contactsWithCode,
  deleteCodesOf,
  findContactsByIds,
  insertCodeIfAbsent,
  lockIdentifier,
} from './identity.repository.ts';
import { deleteLinks, insertLink } from './links.repository.ts';

/** What showed that two records are one person. */
export type IdentityEvidence = 'account_linking' | 'ids_for_pages';

/** The system actor of automatic reconciliation, as it appears in the audit log and on merge links. */
export const reconcileActor = systemActor('identity-reconcile');

/** The account-linking code's keyed hash: the code is the business's own id of the person, so the key is ours alone. */
export function accountCodeIndex(ctx: AppContext, code: string): string {
  return ctx.keyring.blindIndex(code, 'account-linking-code');
}

/** Records an explicit link between contacts of two Pages (idempotent: one row per pair and source). */
export async function linkAcrossPages(
  trx: Transaction<DB>,
  a: ContactTable,
  b: ContactTable,
  source: Exclude<ContactLinkTable['source'], 'merge'>,
  now: number,
): Promise<void> {
  if (a.page_id === b.page_id) return;
  await insertLink(trx, {
    id: newId('cl', now),
    contact_id: a.id,
    linked_contact_id: b.id,
    source,
    created_at: now,
    created_by: source === 'account_linking' ? 'account-linking' : source === 'ids_for_pages' ? 'ids-for-pages' : null,
  });
}

/**
 * Which of two records of one person on one Page lives on: a record whose PSID Meta no longer knows
 * (`psid_invalid_at`) gives way to one whose PSID works; otherwise the older record is merged into the newer one
 * (the new PSID), by first activity, then by id. A total order, so the choice does not depend on arrival order.
 */
function outranks(a: ContactTable, b: ContactTable): boolean {
  const aValid = a.psid_invalid_at === null;
  const bValid = b.psid_invalid_at === null;
  if (aValid !== bValid) return aValid;
  if (a.created_at !== b.created_at) return a.created_at > b.created_at;
  return a.id > b.id;
}

/**
 * Reconciliation: these contacts of one Page are one person (by `evidence`), so they become one record. Each is
 * taken at its survivor (merges never chain); the survivor is chosen by `outranks`, every other record is merged
 * into it with its history kept, a `merge` link and a `contact.reconcile` audit entry, all in the caller's
 * transaction. Already one record → nothing changes. Returns how many records were merged.
 */
export async function reconcileContacts(
  ctx: AppContext,
  trx: Transaction<DB>,
  contactIds: readonly string[],
  evidence: IdentityEvidence,
  now: number,
): Promise<number> {
  const rows = await findContactsByIds(trx, [...new Set(contactIds)]);
  const rootIds = [...new Set(rows.map((r) => r.merged_into ?? r.id))];
  const roots = (await findContactsByIds(trx, rootIds)).filter((r) => r.status !== 'erased' && r.merged_into === null);
  if (roots.length < 2) return 0;
  const pageId = roots[0]!.page_id;
  if (roots.some((r) => r.page_id !== pageId))
    throw new AppError('internal', 'reconciliation is only for contacts of one Page');
  const survivor = roots.reduce((best, r) => (outranks(r, best) ? r : best));
  let merged = 0;
  for (const stale of roots.filter((r) => r.id !== survivor.id)) {
    const done = await mergeWithin(ctx, trx, reconcileActor, stale.id, survivor.id, now, {
      action: 'contact.reconcile',
      details: { via: evidence, psid_invalid: stale.psid_invalid_at !== null },
    });
    if (done) merged++;
  }
  if (merged > 0)
    ctx.logger.info({ page_id: pageId, contact_id: survivor.id, merged, via: evidence }, 'contacts reconciled');
  return merged;
}

/**
 * Account linking `linked` with the business's authorization code: the code is kept as a keyed hash, and every
 * other contact seen with the same code is the same person: on another Page it is linked (`account_linking`), on
 * the same Page the records are reconciled. Runs in the ingest transaction, serialised per code.
 */
export async function recordAccountLinking(
  ctx: AppContext,
  trx: Transaction<DB>,
  contact: ContactTable,
  code: string,
  now: number,
): Promise<void> {
  const codeBidx = accountCodeIndex(ctx, code);
  await lockIdentifier(trx, ctx.database.dialect, codeBidx);
  await insertCodeIfAbsent(trx, {
    id: newId('alc', now),
    page_id: contact.page_id,
    contact_id: contact.id,
    code_bidx: codeBidx,
    created_at: now,
  });
  const others = (await contactsWithCode(trx, codeBidx, contact.id)).filter((o) => o.status !== 'erased');
  for (const other of others) await linkAcrossPages(trx, contact, other, 'account_linking', now);
  const samePage = others.filter((o) => o.page_id === contact.page_id);
  if (samePage.length > 0)
    await reconcileContacts(ctx, trx, [contact.id, ...samePage.map((o) => o.id)], 'account_linking', now);
}

/** Account linking `unlinked`: the links account linking made for this contact and its stored codes go. */
export async function forgetAccountLinking(trx: Transaction<DB>, contactId: string): Promise<void> {
  await deleteLinks(trx, contactId, 'account_linking');
  await deleteCodesOf(trx, contactId);
}
