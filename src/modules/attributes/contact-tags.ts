// Tags on contacts: normalised (trimmed, lower case, spaces collapsed), idempotent by (contact, tag), each change
// audited (counts only: a tag is the business's word about a person) and announced to the inbox in its transaction.
import type { AppContext } from '../../kernel/context.ts';
import type { Executor } from '../../db/types.ts';
import type { ContactTable } from '../../db/tables/conversations.ts';
import { AppError, notFound } from '../../errors.ts';
import { assertCan, assertPage, type Actor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { loadVisibleContact } from '../contacts/read-contacts.ts';
import { recordContactChange } from '../conversations/conversation-activity.ts';
import { findPage } from '../pages/pages.repository.ts';
import { normaliseTag, MAX_TAG } from './attribute-values.ts';
import { countTagsOf, deleteTagRows, insertTags, pageTagCounts, tagRowsOf } from './attributes.repository.ts';
import { MAX_TAGS_PER_CONTACT, overTagCap, type TagCap } from './tags.policy.ts';

export const MAX_TAGS_PER_REQUEST = 50;
export { MAX_TAGS_PER_CONTACT } from './tags.policy.ts';

function normalised(raw: readonly string[]): string[] {
  const bad = raw.findIndex((t) => normaliseTag(t) === null);
  if (bad >= 0)
    throw new AppError(
      'validation_failed',
      `tags[${bad}]: a tag is 1–${MAX_TAG} letters, digits, spaces or _ . : / - and starts with a letter or digit`,
      { field: `tags[${bad}]` },
    );
  return [...new Set(raw.map((t) => normaliseTag(t)!))];
}

async function tagsOf(ctx: AppContext, contactId: string): Promise<string[]> {
  return (await tagRowsOf(ctx.db, [contactId])).map((r) => r.tag);
}

/**
 * Tags a contact (`contacts:write`: agents of its Page and up). A tag it carries already is left as it was, so
 * repeating a request changes nothing and writes no audit row. Returns the contact's tags.
 */
export async function addContactTags(
  ctx: AppContext,
  actor: Actor,
  contactId: string,
  raw: readonly string[],
): Promise<string[]> {
  assertCan(actor, 'contacts:write');
  const contact = await loadVisibleContact(ctx, actor, contactId);
  if (raw.length === 0 || raw.length > MAX_TAGS_PER_REQUEST)
    throw new AppError('validation_failed', `tags must hold 1–${MAX_TAGS_PER_REQUEST} tags`, { field: 'tags' });
  const tags = normalised(raw);
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const added = await addTagsWithin(trx, contact, tags, actor.id, now);
    if (added === 0) return;
    await appendAudit(
      trx,
      actor,
      {
        action: 'contact.tags.add',
        pageId: contact.page_id,
        subjectType: 'contact',
        subjectId: contact.id,
        details: { added },
      },
      now,
    );
    await recordContactChange(trx, ctx, contact.page_id, contact.id);
  });
  return tagsOf(ctx, contact.id);
}

/**
 * Tags a contact inside the caller's transaction (the caller checked access and audits): tags normalised, those it
 * carries already left as they were. With the cap `enforced` (an operator's request, an import), a contact left
 * with more than MAX_TAGS_PER_CONTACT tags is refused; a writer that must not fail (a webhook's hook: its refusal
 * would roll back the event) passes `exempt`. Returns how many were added.
 */
export async function addTagsWithin(
  trx: Executor,
  contact: Pick<ContactTable, 'id' | 'page_id'>,
  raw: readonly string[],
  by: string | null,
  now: number,
  cap: TagCap = 'enforced',
): Promise<number> {
  return tagContactsWithin(trx, [{ contact, tags: raw }], by, now, cap);
}

/** `addTagsWithin` for many contacts at once: one insert, and (cap enforced) one count, whatever their number. */
export async function tagContactsWithin(
  trx: Executor,
  items: readonly { contact: Pick<ContactTable, 'id' | 'page_id'>; tags: readonly string[] }[],
  by: string | null,
  now: number,
  cap: TagCap = 'enforced',
): Promise<number> {
  const rows = items.flatMap(({ contact, tags }) =>
    normalised(tags).map((tag) => ({
      contact_id: contact.id,
      page_id: contact.page_id,
      tag,
      created_by: by,
      created_at: now,
    })),
  );
  const added = await insertTags(trx, rows);
  if (added === 0 || cap === 'exempt') return added;
  const counts = await countTagsOf(trx, [...new Set(rows.map((r) => r.contact_id))]);
  if ([...counts.values()].some((n) => overTagCap(n, cap)))
    throw new AppError('validation_failed', `a contact carries at most ${MAX_TAGS_PER_CONTACT} tags`, {
      field: 'tags',
    });
  return added;
}

/** Takes tags off a contact inside the caller's transaction (the caller checked access); how many were removed. */
export async function removeTagsWithin(
  trx: Executor,
  contact: Pick<ContactTable, 'id'>,
  raw: readonly string[],
): Promise<number> {
  return deleteTagRows(trx, contact.id, normalised(raw));
}

/** Takes a tag off a contact (`contacts:write`); a tag it does not carry changes nothing. Returns its tags. */
export async function removeContactTag(
  ctx: AppContext,
  actor: Actor,
  contactId: string,
  raw: string,
): Promise<string[]> {
  assertCan(actor, 'contacts:write');
  const contact = await loadVisibleContact(ctx, actor, contactId);
  const tag = normaliseTag(raw);
  if (tag === null) throw new AppError('validation_failed', 'tag: not a valid tag', { field: 'tag' });
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    if ((await deleteTagRows(trx, contact.id, [tag])) === 0) return;
    await appendAudit(
      trx,
      actor,
      {
        action: 'contact.tags.remove',
        pageId: contact.page_id,
        subjectType: 'contact',
        subjectId: contact.id,
        details: { removed: 1 },
      },
      now,
    );
    await recordContactChange(trx, ctx, contact.page_id, contact.id);
  });
  return tagsOf(ctx, contact.id);
}

/** The tags in use on a Page with how many contacts carry each: what the sidebar suggests and segments offer. */
export async function listPageTags(
  ctx: AppContext,
  actor: Actor,
  pageId: string,
): Promise<{ tag: string; count: number }[]> {
  assertCan(actor, 'contacts:read');
  assertPage(actor, pageId);
  if (!(await findPage(ctx.db, pageId))) throw notFound('page');
  return pageTagCounts(ctx.db, pageId);
}
