import type { AppContext } from '../../kernel/context.ts';
import type { ContactTable } from '../../db/tables/conversations.ts';
import type { Executor } from '../../db/types.ts';
import type { KeyDeferral } from '../../crypto/contact-key-store.ts';
import { newId } from '../../lib/ids.ts';
import { AppError } from '../../errors.ts';
import { findContactByBidx, insertContactIfAbsent } from './contacts.repository.ts';
import { psidIndex, sealContactColumn } from './contact-columns.ts';
import { scheduleIdMatch } from './identity.repository.ts';
import { newContactRow } from './contact-row.ts';

/**
 * The contact for this PSID on this Page, created on first sight (profile fetch pending). Idempotent and safe under
 * concurrency: the unique (page_id, psid_bidx) index decides which insert wins; everyone reads the winner back.
 * With PAGESCOPE_LINK_IDS_FOR_PAGES on, a new contact is also put on the ids_for_pages schedule. A new contact's key
 * is made under `keys` when given (flushed with the caller's other keys), else durably on its own.
 */
export async function resolveContact(
  ctx: AppContext,
  db: Executor,
  pageId: string,
  psid: string,
  at: number,
  keys?: KeyDeferral,
): Promise<ContactTable> {
  const bidx = psidIndex(ctx.keyring, psid);
  const existing = await findContactByBidx(db, pageId, bidx);
  if (existing) return existing;
  const now = ctx.clock.now();
  const id = newId('ct', now);
  if (keys) ctx.contactKeys.keyFor(id, pageId, keys);
  const row = newContactRow({
    id,
    pageId,
    psidBidx: bidx,
    psidEnc: sealContactColumn(ctx, { id, page_id: pageId }, 'psid_enc', psid),
    at,
    now,
  });
  await insertContactIfAbsent(db, row);
  const stored = await findContactByBidx(db, pageId, bidx);
  if (!stored) throw new AppError('internal', 'contact vanished right after it was stored');
  // A new contact is matched to the person's contacts on other Pages once, by the id matcher, never per event.
  if (stored.id === id && ctx.config.linkIdsForPages) await scheduleIdMatch(db, id, pageId, now);
  return stored;
}
