import type { Transaction } from 'kysely';
import type { AppContext } from '../../kernel/context.ts';
import type { DB } from '../../db/types.ts';
import type { ContactTable } from '../../db/tables/conversations.ts';
import type { ContactIdMatchTable } from '../../db/tables/identity.ts';
import { GraphError, type GraphClient, type IdMatch } from '../../platform/index.ts';
import { markPageTokenInvalid } from '../pages/mark-token-invalid.ts';
import { decryptPageToken } from '../pages/register-page.ts';
import { findContactByBidx } from './contacts.repository.ts';
import { openContactColumn, psidIndex } from './contact-columns.ts';
import { graphFor } from './enrich-profiles.ts';
import { linkAcrossPages, reconcileContacts } from './identity-links.ts';
import {
  deleteIdMatch,
  dueIdMatches,
  findContactsByIds,
  registeredPageIds,
  scheduleUnmatchedContacts,
  updateIdMatch,
} from './identity.repository.ts';
import { linksOf } from './links.repository.ts';
import { PagePacer } from './page-pacing.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface MatchIdsOptions {
  graph?: GraphClient;
  /** Contacts per iteration (default 20): ID matching counts against the Page's daily Graph budget. */
  limit?: number;
}

// As for profiles: a rate-limited Page waits (per app) until the time given; its contacts are not tried before.
const pageBackoff = new WeakMap<AppContext, Map<string, { until: number; strikes: number }>>();
// Contacts that appeared while the feature was off are put on the schedule once per process.
const scheduledExisting = new WeakSet<AppContext>();

function failureUpdate(ctx: AppContext, err: GraphError, now: number): Partial<ContactIdMatchTable> {
  const c = err.classification;
  const failed = { checked_at: now, error_code: c.stableCode };
  switch (c.kind) {
    case 'transient':
      return { ...failed, next_at: now + 5 * MINUTE };
    case 'reauthorize':
      return { ...failed, next_at: now + HOUR };
    case 'permanent':
      return c.stableCode === 'meta_permission_denied'
        ? { ...failed, status: 'no_permission', next_at: now + 7 * DAY }
        : { ...failed, status: 'failed', next_at: now + ctx.config.profileRefreshHours * HOUR };
    default:
      return { ...failed, status: 'failed', next_at: now + ctx.config.profileRefreshHours * HOUR };
  }
}

/**
 * What Meta's answer means here: each (Page, PSID) it names on a Page registered here, for which a contact exists,
 * is the same person. Contacts on other Pages are linked (`ids_for_pages`). Records of one Page that turn out to be
 * one person are reconciled: Meta names another PSID on this Page, or a contact named now on another Page was
 * linked by an earlier answer to a different contact on a Page named now (the PSID there has changed since).
 */
async function applyMatches(
  ctx: AppContext,
  trx: Transaction<DB>,
  contact: ContactTable,
  psid: string,
  matches: IdMatch[],
  now: number,
): Promise<void> {
  const registered = await registeredPageIds(trx, [
    ...new Set(matches.map((m) => m.scope?.id).filter((p): p is string => p !== undefined)),
  ]);
  const named = new Map<string, ContactTable>();
  for (const m of matches) {
    const pageId = m.scope?.id;
    if (pageId === undefined || !registered.has(pageId) || (pageId === contact.page_id && m.id === psid)) continue;
    const found = await findContactByBidx(trx, pageId, psidIndex(ctx.keyring, m.id));
    if (found && found.status !== 'erased') named.set(found.id, found);
  }
  for (const other of named.values()) await linkAcrossPages(trx, contact, other, 'ids_for_pages', now);

  const elsewhere = [...named.values()].filter((c) => c.page_id !== contact.page_id).map((c) => c.id);
  const earlier = (await linksOf(trx, elsewhere, 'ids_for_pages')).flatMap((l) => [l.contact_id, l.linked_contact_id]);
  const person = await findContactsByIds(trx, [...new Set([contact.id, ...named.keys(), ...earlier])]);
  const pagesNamed = new Set([contact.page_id, ...[...named.values()].map((c) => c.page_id)]);
  const byPage = new Map<string, string[]>();
  for (const c of person) {
    if (!pagesNamed.has(c.page_id) || c.status === 'erased') continue;
    byPage.set(c.page_id, [...(byPage.get(c.page_id) ?? []), c.id]);
  }
  for (const ids of byPage.values()) if (ids.length > 1) await reconcileContacts(ctx, trx, ids, 'ids_for_pages', now);
}

/**
 * One pass of the ID matcher (PAGESCOPE_LINK_IDS_FOR_PAGES): contacts due (new ones at once, the others after the
 * profile refresh period), one `ids_for_pages` call each with the Page's token, never per event. Rate limits back
 * the Page off; other Graph errors are recorded on the schedule (a stable code, no personal data) and retried after
 * a cooldown. Returns contacts handled.
 */
export async function matchIdsForPages(ctx: AppContext, opts: MatchIdsOptions = {}): Promise<number> {
  if (!ctx.config.linkIdsForPages) return 0;
  const now = ctx.clock.now();
  if (!scheduledExisting.has(ctx)) {
    await scheduleUnmatchedContacts(ctx.db, now);
    scheduledExisting.add(ctx);
  }
  const due = await dueIdMatches(ctx.db, now, opts.limit ?? 20);
  if (due.length === 0) return 0;
  const graph = opts.graph ?? graphFor(ctx);
  const pacer = PagePacer.forPass(pageBackoff, ctx, now);
  let handled = 0;
  for (const { contact } of due) {
    handled++;
    if (contact.merged_into !== null || contact.status === 'erased') {
      // A merged record's PSID is the old one; the survivor is matched in its place.
      await deleteIdMatch(ctx.db, contact.id);
      continue;
    }
    const admitted = await pacer.admit(contact.page_id);
    if ('retryAt' in admitted) {
      await updateIdMatch(ctx.db, contact.id, { next_at: admitted.retryAt });
      continue;
    }
    const page = admitted.page;
    const psid = openContactColumn(ctx, contact, 'psid_enc')!;
    let matches: IdMatch[];
    try {
      matches = await graph.idsForPages(decryptPageToken(ctx, page), psid);
      pacer.succeeded(contact.page_id);
    } catch (err) {
      if (!(err instanceof GraphError)) throw err;
      if (err.classification.kind === 'reauthorize') {
        pacer.tokenInvalid(contact.page_id);
        await markPageTokenInvalid(ctx.db, ctx, contact.page_id, 'id_matching', err.classification);
      }
      const set: Partial<ContactIdMatchTable> =
        err.classification.kind === 'rate_limited'
          ? { next_at: pacer.rateLimited(contact.page_id), error_code: err.classification.stableCode }
          : failureUpdate(ctx, err, now);
      ctx.logger.info(
        { page_id: contact.page_id, contact_id: contact.id, code: err.classification.stableCode },
        'ids_for_pages did not succeed',
      );
      await updateIdMatch(ctx.db, contact.id, set);
      continue;
    }
    await ctx.db.transaction().execute(async (trx) => {
      await applyMatches(ctx, trx, contact, psid, matches, now);
      await updateIdMatch(trx, contact.id, {
        status: 'matched',
        checked_at: now,
        error_code: null,
        next_at: now + ctx.config.profileRefreshHours * HOUR,
      });
    });
  }
  return handled;
}
