import type { AppContext } from '../../kernel/context.ts';
import { pageOf } from '../../lib/paging.ts';
import type { ContactTable } from '../../db/tables/conversations.ts';
import { notFound } from '../../errors.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { toIso } from '../../lib/time.ts';
import { assertCan, assertPage, can, canSeePage, type Actor } from '../access/actor.ts';
import {
  findContactByBidx,
  findContactById,
  listContacts as listContactRows,
  mergedContactIds,
} from './contacts.repository.ts';
import { openContactColumn, psidIndex } from './contact-columns.ts';
import { presentContact, type ContactLinkView, type ContactView } from './contact.presenter.ts';
import { findContactsByIds } from './identity.repository.ts';
import { linksOf } from './links.repository.ts';
import { queryTokens } from './name-tokens.ts';
import { findPage } from '../pages/pages.repository.ts';
import { audienceOf, audienceOfOne } from '../attributes/contact-audience.ts';

async function auditIdentifierRead(
  ctx: AppContext,
  actor: Actor,
  pageId: string,
  contactIds: string[],
  via: string,
  psidIncluded: boolean,
): Promise<void> {
  await appendAudit(
    ctx.db,
    actor,
    {
      action: 'contact.identifier_read',
      pageId,
      subjectType: 'contact',
      subjectId: contactIds.length === 1 ? contactIds[0]! : null,
      details: { via, psid_included: psidIncluded, contact_ids: contactIds },
    },
    ctx.clock.now(),
  );
}

/** A visible, non-erased contact or not_found (another Page's contact is not found too: the scope is in the query). */
export async function loadVisibleContact(ctx: AppContext, actor: Actor, contactId: string): Promise<ContactTable> {
  const row = await findContactById(ctx.db, contactId, actor.pageScope);
  if (!row || row.status === 'erased') throw notFound('contact');
  return row;
}

/**
 * The contact's links to other records of the same person, as the actor may see them: its own links, and those of
 * the records merged into it (a survivor stands for the person). Contacts of Pages outside the actor's scope and
 * erased contacts are left out, so a link reveals nothing a 404 would hide.
 */
async function linkViews(ctx: AppContext, actor: Actor, row: ContactTable): Promise<ContactLinkView[]> {
  const group = new Set(row.merged_into === null ? [row.id, ...(await mergedContactIds(ctx.db, row.id))] : [row.id]);
  const seen = new Map<string, { other: string; source: ContactLinkView['source']; createdAt: number }>();
  for (const l of await linksOf(ctx.db, [...group])) {
    const own = l.contact_id === row.id || l.linked_contact_id === row.id;
    const other = l.contact_id === row.id || (!own && group.has(l.contact_id)) ? l.linked_contact_id : l.contact_id;
    if (other === row.id || (!own && group.has(other))) continue;
    const key = `${other} ${l.source}`;
    if (!seen.has(key)) seen.set(key, { other, source: l.source, createdAt: l.created_at });
  }
  const contacts = new Map(
    (await findContactsByIds(ctx.db, [...new Set([...seen.values()].map((s) => s.other))])).map((c) => [c.id, c]),
  );
  const views: ContactLinkView[] = [];
  for (const s of seen.values()) {
    const c = contacts.get(s.other);
    if (!c || c.status === 'erased' || !canSeePage(actor, c.page_id)) continue;
    views.push({ contact_id: c.id, page_id: c.page_id, source: s.source, created_at: toIso(s.createdAt)! });
  }
  return views;
}

/** What a read asks for: `identifiers: false` leaves the PSID and picture URL out even for identifier readers. */
export interface ContactReadOptions {
  identifiers?: boolean;
}

/**
 * One contact with its links; the PSID is included (and the read audited) only for actors allowed to read identifiers
 * who did not leave them out.
 */
export async function getContact(
  ctx: AppContext,
  actor: Actor,
  contactId: string,
  opts: ContactReadOptions = {},
): Promise<ContactView> {
  assertCan(actor, 'contacts:read');
  const row = await loadVisibleContact(ctx, actor, contactId);
  const withIdentifiers = can(actor, 'identifiers:read') && opts.identifiers !== false;
  if (withIdentifiers) await auditIdentifierRead(ctx, actor, row.page_id, [row.id], 'get', true);
  return presentContact(ctx, row, {
    withIdentifiers,
    audience: await audienceOfOne(ctx, ctx.db, row),
    links: await linkViews(ctx, actor, row),
  });
}

/**
 * Finds a contact by PSID through the blind index: for roles that work with identifiers (`identifiers:lookup`; not
 * analysts or marketers, to whom a lookup would confirm who a PSID is). The answer carries the identifiers only for
 * identifier readers. Every lookup that finds someone is audited.
 */
export async function findContactByPsid(
  ctx: AppContext,
  actor: Actor,
  pageId: string,
  psid: string,
): Promise<ContactView> {
  assertCan(actor, 'contacts:read');
  assertCan(actor, 'identifiers:lookup');
  assertPage(actor, pageId, 'contact');
  const row = await findContactByBidx(ctx.db, pageId, psidIndex(ctx.keyring, psid));
  if (!row || row.status === 'erased') throw notFound('contact');
  const withIdentifiers = can(actor, 'identifiers:read');
  await auditIdentifierRead(ctx, actor, row.page_id, [row.id], 'psid_lookup', withIdentifiers);
  return presentContact(ctx, row, {
    withIdentifiers,
    audience: await audienceOfOne(ctx, ctx.db, row),
    links: await linkViews(ctx, actor, row),
  });
}

/**
 * The contact's identifiers (PSID, picture URL), on purpose: what "Show PSID" asks for. Identifier readers only; every
 * reveal is audited (its own row, `via: reveal`, naming no identifier) before the answer leaves.
 */
export async function revealContactIdentifiers(
  ctx: AppContext,
  actor: Actor,
  contactId: string,
): Promise<{ psid: string | null; picture_url: string | null }> {
  assertCan(actor, 'contacts:read');
  assertCan(actor, 'identifiers:read');
  const row = await loadVisibleContact(ctx, actor, contactId);
  await auditIdentifierRead(ctx, actor, row.page_id, [row.id], 'reveal', true);
  return {
    psid: openContactColumn(ctx, row, 'psid_enc'),
    picture_url: openContactColumn(ctx, row, 'picture_enc'),
  };
}

export interface ContactListOptions extends ContactReadOptions {
  q: string | null;
  /** Only contacts in this state (erased contacts are never listed). */
  status?: 'active' | 'unreachable' | undefined;
  cursor: string | null;
  limit: number;
}

/**
 * Contacts of one Page, newest first, optionally filtered by name words (prefixes, accent- and case-insensitive) and
 * status. A Page that does not exist is not_found, as one outside the actor's scope is: an empty list would say it
 * exists.
 */
export async function listContacts(
  ctx: AppContext,
  actor: Actor,
  pageId: string,
  opts: ContactListOptions,
): Promise<{ rows: ContactView[]; nextCursor: string | null }> {
  assertCan(actor, 'contacts:read');
  assertPage(actor, pageId);
  if (!(await findPage(ctx.db, pageId))) throw notFound('page');
  const { q, status, cursor, limit } = opts;
  const tokens = q ? queryTokens(ctx.keyring, q) : [];
  const rows = await listContactRows(ctx.db, { pageId, tokens, status, cursor, limit: limit + 1 });
  const page = pageOf(rows, limit, (last) => last.id);
  const withIdentifiers = can(actor, 'identifiers:read') && opts.identifiers !== false;
  if (withIdentifiers && page.rows.length > 0)
    await auditIdentifierRead(
      ctx,
      actor,
      pageId,
      page.rows.map((r) => r.id),
      'list',
      true,
    );
  const audience = await audienceOf(ctx, ctx.db, page.rows);
  return {
    rows: page.rows.map((r) => presentContact(ctx, r, { withIdentifiers, audience: audience.get(r.id)! })),
    nextCursor: page.nextCursor,
  };
}
