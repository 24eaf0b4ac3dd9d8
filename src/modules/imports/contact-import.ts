import type { Transaction } from 'kysely';
import type { AppContext } from '../../kernel/context.ts';
import type { DB } from '../../db/types.ts';
import type { Actor } from '../access/actor.ts';
import { AppError } from '../../errors.ts';
import type { ContactTable } from '../../db/tables/conversations.ts';
import { resolveContact } from '../contacts/resolve-contact.ts';
import { openContactColumn, sealContactColumn } from '../contacts/contact-columns.ts';
import { insertNameTokens, replaceNameTokens, updateContact } from '../contacts/contacts.repository.ts';
import { resolveContacts } from '../contacts/resolve-contacts.ts';
import { nameTokens } from '../contacts/name-tokens.ts';
import type { RowImporter } from './import-records.ts';
import { addTagsWithin, tagContactsWithin } from '../attributes/contact-tags.ts';
import { patchFromText } from '../attributes/set-attributes.ts';
import { writeAttributes } from '../attributes/contact-audience.ts';

export interface ContactRow {
  psid: string;
  name?: string | undefined;
  first_name?: string | undefined;
  last_name?: string | undefined;
  locale?: string | undefined;
  timezone?: number | undefined;
  tags: string[];
  /** `attribute.<key>` cells: text (CSV) is read as the definition's type asks; JSON values go as they are. */
  attributes: { text: [string, string][]; typed: Record<string, unknown> };
}

const FIELDS = new Set(['psid', 'name', 'first_name', 'last_name', 'locale', 'timezone', 'tags']);

/** Tags: a JSON array, or in a CSV cell separated by semicolons ("vip; newsletter"). */
function tagsOf(v: unknown): string[] {
  if (v === undefined || v === null || v === '') return [];
  if (Array.isArray(v) && v.every((t) => typeof t === 'string')) return v;
  if (typeof v === 'string')
    return v
      .split(';')
      .map((t) => t.trim())
      .filter(Boolean);
  throw bad('tags must be a list of texts (in a CSV cell: separated by ";")');
}

function attributesOf(fields: Record<string, unknown>): ContactRow['attributes'] {
  const out: ContactRow['attributes'] = { text: [], typed: {} };
  for (const [column, v] of Object.entries(fields)) {
    if (!column.startsWith('attribute.') || v === undefined || v === null || v === '') continue;
    const key = column.slice('attribute.'.length);
    if (typeof v === 'string') out.text.push([key, v.trim()]);
    else out.typed[key] = v;
  }
  return out;
}

function bad(message: string): AppError {
  return new AppError('validation_failed', message);
}

/** A cell's text, trimmed; an empty cell (or JSON null) is no value. */
export function cellText(fields: Record<string, unknown>, key: string, max: number): string | undefined {
  const v = fields[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' && typeof v !== 'number') throw bad(`${key} must be text`);
  const text = String(v).trim();
  if (text === '') return undefined;
  if (text.length > max) throw bad(`${key} is longer than ${max} characters`);
  return text;
}

/** Reads one contact row: the PSID (the person's id on this Page) and what the file knows of their profile. */
export function parseContactRow(fields: Record<string, unknown>): ContactRow {
  const unknown = Object.keys(fields).filter((k) => !FIELDS.has(k) && !k.startsWith('attribute.'));
  if (unknown.length) throw bad(`unknown column ${unknown.map((k) => `"${k.slice(0, 40)}"`).join(', ')}`);
  const psid = cellText(fields, 'psid', 32);
  if (psid === undefined) throw bad('psid is missing');
  if (!/^\d{5,32}$/.test(psid)) throw bad('psid must be the digits of a page-scoped id');
  const locale = cellText(fields, 'locale', 10);
  if (locale !== undefined && !/^[a-z]{2,3}_[A-Z]{2}$/.test(locale)) throw bad('locale must look like en_US');
  const tz = cellText(fields, 'timezone', 6);
  const timezone = tz === undefined ? undefined : Number(tz);
  if (timezone !== undefined && !(Number.isInteger(timezone) && timezone >= -12 && timezone <= 14))
    throw bad('timezone must be whole hours from UTC, -12 to 14');
  return {
    psid,
    name: cellText(fields, 'name', 200),
    first_name: cellText(fields, 'first_name', 200),
    last_name: cellText(fields, 'last_name', 200),
    locale,
    timezone,
    tags: tagsOf(fields.tags),
    attributes: attributesOf(fields),
  };
}

/**
 * Contacts from a file: each PSID found or created on the Page (as a webhook would create it, its profile fetch
 * due), with the names, locale, timezone, tags (added) and attribute values the file gives; an empty cell leaves
 * what is stored.
 */
export const contactImporter: RowImporter<ContactRow> = {
  kind: 'contacts',
  permission: 'contacts:write',
  parse: parseContactRow,
  store: { batch: writeContact, many: writeContacts },
};

async function writeContact(ctx: AppContext, trx: Transaction<DB>, actor: Actor, pageId: string, row: ContactRow) {
  const now = ctx.clock.now();
  const contact = await resolveContact(ctx, trx, pageId, row.psid, now);
  // An erased person stays erased: a file (perhaps older than their request) does not bring their data back.
  if (contact.status === 'erased')
    throw new AppError('conflict', "this person's data was erased at their request: the row is not imported");
  const set: Partial<ContactTable> = {};
  const seal = (column: 'name_enc' | 'first_name_enc' | 'last_name_enc', v: string) =>
    sealContactColumn(ctx, contact, column, v);
  if (row.name !== undefined) set.name_enc = seal('name_enc', row.name);
  if (row.first_name !== undefined) set.first_name_enc = seal('first_name_enc', row.first_name);
  if (row.last_name !== undefined) set.last_name_enc = seal('last_name_enc', row.last_name);
  if (row.locale !== undefined) set.locale = row.locale;
  if (row.timezone !== undefined) set.timezone = row.timezone;
  if (row.tags.length) await addTagsWithin(trx, contact, row.tags, actor.id, now);
  const { text, typed } = row.attributes;
  if (text.length || Object.keys(typed).length) {
    const patch = { ...(await patchFromText(trx, pageId, text)), ...typed };
    await writeAttributes(ctx, trx, contact, patch, actor.id, now);
  }
  if (Object.keys(set).length === 0) return;
  await updateContact(trx, contact.id, { ...set, updated_at: now });
  if (set.name_enc === undefined && set.first_name_enc === undefined && set.last_name_enc === undefined) return;
  const view = { ...contact, ...set };
  const names = (['name_enc', 'first_name_enc', 'last_name_enc'] as const).map((c) => openContactColumn(ctx, view, c));
  await replaceNameTokens(trx, contact.id, pageId, nameTokens(ctx.keyring, names));
}

/**
 * A batch of rows in a few statements: the PSIDs looked up at once, the people not yet known created with their
 * names, locale and timezone in one insert, their tags and searchable name fragments in one insert each. Rows of
 * contacts that exist already, and a batch naming one PSID twice, take the row-by-row path.
 */
async function writeContacts(ctx: AppContext, trx: Transaction<DB>, actor: Actor, pageId: string, rows: ContactRow[]) {
  if (new Set(rows.map((r) => r.psid)).size !== rows.length) {
    for (const row of rows) await writeContact(ctx, trx, actor, pageId, row);
    return;
  }
  const now = ctx.clock.now();
  const byPsid = new Map(rows.map((r) => [r.psid, r]));
  const contacts = await resolveContacts(
    ctx,
    trx,
    pageId,
    rows.map((r) => r.psid),
    now,
    (contact, psid) => {
      const row = byPsid.get(psid)!;
      if (row.name !== undefined) contact.name_enc = sealContactColumn(ctx, contact, 'name_enc', row.name);
      if (row.first_name !== undefined)
        contact.first_name_enc = sealContactColumn(ctx, contact, 'first_name_enc', row.first_name);
      if (row.last_name !== undefined)
        contact.last_name_enc = sealContactColumn(ctx, contact, 'last_name_enc', row.last_name);
      if (row.locale !== undefined) contact.locale = row.locale;
      if (row.timezone !== undefined) contact.timezone = row.timezone;
    },
  );
  const tagged: { contact: ContactTable; tags: string[] }[] = [];
  const tokens: { contact_id: string; page_id: string; token: string }[] = [];
  for (const row of rows) {
    const contact = contacts.get(row.psid)!;
    if (!contact.created) {
      await writeContact(ctx, trx, actor, pageId, row);
      continue;
    }
    if (row.tags.length) tagged.push({ contact, tags: row.tags });
    const { text, typed } = row.attributes;
    if (text.length || Object.keys(typed).length) {
      const patch = { ...(await patchFromText(trx, pageId, text)), ...typed };
      await writeAttributes(ctx, trx, contact, patch, actor.id, now);
    }
    for (const token of nameTokens(ctx.keyring, [row.name, row.first_name, row.last_name]))
      tokens.push({ contact_id: contact.id, page_id: pageId, token });
  }
  await tagContactsWithin(trx, tagged, actor.id, now);
  await insertNameTokens(trx, tokens);
}
