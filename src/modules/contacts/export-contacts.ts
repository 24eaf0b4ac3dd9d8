import type { ContactTable } from '../../db/tables/conversations.ts';
import type { AppContext } from '../../kernel/context.ts';
import { notFound } from '../../errors.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { assertCan, assertPage, can, type Actor } from '../access/actor.ts';
import { findPage } from '../pages/pages.repository.ts';
import { listContacts as listContactRows } from './contacts.repository.ts';
import { presentContact, type ContactView } from './contact.presenter.ts';
import { audienceOf } from '../attributes/contact-audience.ts';
import { listAttributeDefinitions } from '../attributes/attribute-definitions.ts';
import { compileSegment, getSegment, segmentContactPage } from '../segments/segments.ts';

/** Contacts are read this many at a time: memory stays flat however many the Page has. */
const PAGE_SIZE = 1000;

export interface ContactExport {
  /** Whether PSIDs and picture URLs are in it: only for roles that may read identifiers. */
  withIdentifiers: boolean;
  /** The Page's attribute keys, for the columns of a flat export. */
  attributeKeys: string[];
  rows: AsyncGenerator<ContactView>;
}

/**
 * Every contact of one Page (erased and merged records left out), or of one of its saved segments (the contacts a
 * campaign on it would freeze), newest first, read a page at a time by key. The export is audited before its first row is read (who, which Page, with identifiers or not); identifiers only for
 * roles allowed to read them.
 */
export async function exportContacts(
  ctx: AppContext,
  actor: Actor,
  pageId: string,
  opts: { segmentId?: string | undefined } = {},
): Promise<ContactExport> {
  assertCan(actor, 'contacts:read');
  assertPage(actor, pageId);
  if (!(await findPage(ctx.db, pageId))) throw notFound('page');
  const withIdentifiers = can(actor, 'identifiers:read');
  // A segment of another Page is not found, as a missing one is.
  const segment = opts.segmentId === undefined ? null : await getSegment(ctx, actor, opts.segmentId);
  if (segment && segment.page_id !== pageId) throw notFound('segment');
  const compiled = segment && (await compileSegment(ctx, ctx.db, pageId, segment.filter));
  const attributeKeys = (await listAttributeDefinitions(ctx, actor, pageId)).map((d) => d.key);
  await appendAudit(
    ctx.db,
    actor,
    {
      action: 'contacts.exported',
      pageId,
      subjectType: 'page',
      subjectId: pageId,
      details: { psid_included: withIdentifiers, ...(segment && { segment_id: segment.id }) },
    },
    ctx.clock.now(),
  );
  async function* rows(): AsyncGenerator<ContactView> {
    let cursor: string | null = null;
    for (;;) {
      const page: ContactTable[] = compiled
        ? await segmentContactPage(ctx, compiled, cursor, PAGE_SIZE)
        : await listContactRows(ctx.db, { pageId, tokens: [], cursor, limit: PAGE_SIZE });
      const audience = await audienceOf(ctx, ctx.db, page);
      for (const row of page) yield presentContact(ctx, row, { withIdentifiers, audience: audience.get(row.id)! });
      if (page.length < PAGE_SIZE) return;
      cursor = page[page.length - 1]!.id;
    }
  }
  return { withIdentifiers, attributeKeys, rows: rows() };
}

/** The flat columns of a CSV export, in order; `tags` joined by "; ", attributes one column each. */
export function exportColumns(withIdentifiers: boolean, attributeKeys: readonly string[]): string[] {
  return [
    'id',
    ...(withIdentifiers ? ['psid'] : []),
    'name',
    'first_name',
    'last_name',
    'locale',
    'timezone',
    'status',
    'consent_marketing',
    'last_user_action_at',
    'created_at',
    'tags',
    ...attributeKeys.map((k) => `attribute.${k}`),
  ];
}

/** One contact as the values of `exportColumns`. */
export function exportValues(c: ContactView, columns: readonly string[]): unknown[] {
  const attributes = c.attributes as Record<string, unknown>;
  return columns.map((col) => {
    if (col.startsWith('attribute.')) return attributes[col.slice('attribute.'.length)] ?? null;
    switch (col) {
      case 'consent_marketing':
        return c.consent.marketing;
      case 'last_user_action_at':
        return c.window.last_user_action_at;
      case 'tags':
        return c.tags.join('; ');
      default:
        return (c as unknown as Record<string, unknown>)[col] ?? null;
    }
  });
}
