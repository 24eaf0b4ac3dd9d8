import type { AppContext } from '../../kernel/context.ts';
import { notFound } from '../../errors.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { assertCan, assertPage, can, type Actor } from '../access/actor.ts';
import { findPage } from '../pages/pages.repository.ts';
import { listContacts as listContactRows } from './contacts.repository.ts';
import { presentContact, type ContactView } from './contact.presenter.ts';
import { audienceOf } from '../attributes/contact-audience.ts';

/** Contacts are read this many at a time: memory stays flat however many the Page has. */
const PAGE_SIZE = 1000;

export interface ContactExport {
  /** Whether PSIDs and picture URLs are in it: only for roles that may read identifiers. */
  withIdentifiers: boolean;
  rows: AsyncGenerator<ContactView>;
}

/**
 * Every contact of one Page (erased and merged records left out), newest first, read a page at a time by key. The
 * export is audited before its first row is read (who, which Page, with identifiers or not); identifiers only for
 * roles allowed to read them.
 */
export async function exportContacts(ctx: AppContext, actor: Actor, pageId: string): Promise<ContactExport> {
  assertCan(actor, 'contacts:read');
  assertPage(actor, pageId);
  if (!(await findPage(ctx.db, pageId))) throw notFound('page');
  const withIdentifiers = can(actor, 'identifiers:read');
  await appendAudit(
    ctx.db,
    actor,
    {
      action: 'contacts.exported',
      pageId,
      subjectType: 'page',
      subjectId: pageId,
      details: { psid_included: withIdentifiers },
    },
    ctx.clock.now(),
  );
  async function* rows(): AsyncGenerator<ContactView> {
    let cursor: string | null = null;
    for (;;) {
      const page = await listContactRows(ctx.db, { pageId, tokens: [], cursor, limit: PAGE_SIZE });
      const audience = await audienceOf(ctx, ctx.db, page);
      for (const row of page) yield presentContact(ctx, row, { withIdentifiers, audience: audience.get(row.id)! });
      if (page.length < PAGE_SIZE) return;
      cursor = page[page.length - 1]!.id;
    }
  }
  return { withIdentifiers, rows: rows() };
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
