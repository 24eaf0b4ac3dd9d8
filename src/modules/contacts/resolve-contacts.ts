import type { AppContext } from '../../kernel/context.ts';
import type { ContactTable } from '../../db/tables/conversations.ts';
import type { Executor } from '../../db/types.ts';
import { newId } from '../../lib/ids.ts';
import { AppError } from '../../errors.ts';
import { findContactsByBidx, insertContactsIfAbsent } from './contacts.repository.ts';
import { psidIndex, sealContactColumn } from './contact-columns.ts';
import { scheduleIdMatch } from './identity.repository.ts';
import { newContactRow } from './contact-row.ts';

/** A contact `resolveContacts` found or created; `created` when this call stored it. */
export type ResolvedContact = ContactTable & { created: boolean };

/**
 * The contacts for many distinct PSIDs of one Page, those not yet known created at once (as `resolveContact` creates
 * one: profile fetch pending, put on the ids_for_pages schedule when that is on), in a few statements whatever their
 * number. `fill` may set fields of a row before it is first stored (its id and Page are set). Within a transaction
 * that holds the write lock (SQLite) the inserts cannot lose a race; on PostgreSQL a contact another transaction
 * stored meanwhile makes the call fail (`conflict`), and the caller's transaction can be run again.
 */
export async function resolveContacts(
  ctx: AppContext,
  db: Executor,
  pageId: string,
  psids: readonly string[],
  at: number,
  fill?: (row: ContactTable, psid: string) => void,
): Promise<Map<string, ResolvedContact>> {
  if (new Set(psids).size !== psids.length) throw new AppError('internal', 'resolveContacts takes distinct PSIDs');
  const bidxOf = new Map(psids.map((p) => [p, psidIndex(ctx.keyring, p)]));
  const found = new Map((await findContactsByBidx(db, pageId, [...bidxOf.values()])).map((c) => [c.psid_bidx, c]));
  const out = new Map<string, ResolvedContact>();
  const fresh: ContactTable[] = [];
  const now = ctx.clock.now();
  for (const [psid, bidx] of bidxOf) {
    const existing = found.get(bidx);
    if (existing) {
      out.set(psid, { ...existing, created: false });
      continue;
    }
    const id = newId('ct', now);
    const row = newContactRow({
      id,
      pageId,
      psidBidx: bidx,
      psidEnc: sealContactColumn(ctx, { id, page_id: pageId }, 'psid_enc', psid),
      at,
      now,
    });
    fill?.(row, psid);
    fresh.push(row);
    out.set(psid, { ...row, created: true });
  }
  if (fresh.length === 0) return out;
  if ((await insertContactsIfAbsent(db, fresh)) !== fresh.length)
    throw new AppError('conflict', 'some of these contacts were created meanwhile: try again');
  if (ctx.config.linkIdsForPages) for (const row of fresh) await scheduleIdMatch(db, row.id, pageId, now);
  return out;
}
