// A contact's tags and attribute values as the contact JSON shows them, read for a whole list at once, and the one
// writer of attribute values (the API, the CLI, the sidebar and rectification all come through `writeAttributes`).
import type { AppContext } from '../../kernel/context.ts';
import type { AttributeDefinitionTable, ContactAttributeTable } from '../../db/tables/audience.ts';
import type { ContactTable } from '../../db/tables/conversations.ts';
import type { Executor } from '../../db/types.ts';
import { openContactField, sealContactField } from '../../crypto/contact-layer.ts';
import { AppError } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { attributeBlindIndex } from './attribute-index.ts';
import { parseAttributeValue, readCanonical, readStoredValue, type AttributeValue } from './attribute-values.ts';
import {
  attributeRowsOf,
  deleteAttributeRows,
  insertAttribute,
  listDefinitionRows,
  tagRowsOf,
  updateAttributeRow,
} from './attributes.repository.ts';

export interface ContactAudience {
  tags: string[];
  attributes: Record<string, AttributeValue>;
}

const field = (row: Pick<ContactAttributeTable, 'id' | 'page_id'>) => ({
  table: 'contact_attributes',
  column: 'value_enc',
  pageId: row.page_id,
  rowId: row.id,
});

/** One stored value as the API shows it (a personal one decrypted under its contact's key). */
export function attributeValueOf(
  ctx: AppContext,
  def: Pick<AttributeDefinitionTable, 'type'>,
  row: ContactAttributeTable,
): AttributeValue | null {
  if (row.value_enc !== null)
    return readCanonical(def.type, openContactField(ctx, row.contact_id, row.value_enc, field(row)));
  return readStoredValue(def.type, { text: row.value_text, num: row.value_num });
}

/** Tags and attribute values of the given contacts, in three queries whatever their number. */
export async function audienceOf(
  ctx: AppContext,
  db: Executor,
  contacts: readonly Pick<ContactTable, 'id' | 'page_id'>[],
): Promise<Map<string, ContactAudience>> {
  const ids = contacts.map((c) => c.id);
  const [tags, values, defs] = await Promise.all([
    tagRowsOf(db, ids),
    attributeRowsOf(db, ids),
    listDefinitionRows(db, [...new Set(contacts.map((c) => c.page_id))]),
  ]);
  const out = new Map<string, ContactAudience>(ids.map((id) => [id, { tags: [], attributes: {} }]));
  for (const t of tags) out.get(t.contact_id)?.tags.push(t.tag);
  const defOf = new Map(defs.map((d) => [`${d.page_id} ${d.key}`, d]));
  for (const v of values) {
    const def = defOf.get(`${v.page_id} ${v.key}`);
    const value = def ? attributeValueOf(ctx, def, v) : null;
    if (value !== null) out.get(v.contact_id)!.attributes[v.key] = value;
  }
  return out;
}

export async function audienceOfOne(
  ctx: AppContext,
  db: Executor,
  contact: Pick<ContactTable, 'id' | 'page_id'>,
): Promise<ContactAudience> {
  return (await audienceOf(ctx, db, [contact])).get(contact.id)!;
}

/** A patch checked against the Page's definitions: an undefined key or a value of the wrong type is a 400 naming it. */
export function checkPatch(
  defs: readonly AttributeDefinitionTable[],
  patch: Record<string, unknown>,
): { def: AttributeDefinitionTable; value: unknown }[] {
  const byKey = new Map(defs.map((d) => [d.key, d]));
  return Object.entries(patch).map(([key, value]) => {
    const def = byKey.get(key);
    if (!def)
      throw new AppError(
        'validation_failed',
        `${key}: not an attribute of this Page; an owner or admin defines attributes in Settings`,
        { field: key },
      );
    if (value !== null) parseAttributeValue(key, def.type, value);
    return { def, value };
  });
}

/**
 * Writes a patch of attribute values for one contact inside the caller's transaction: null removes a value, a
 * personal value is sealed under the contact's key with its blind index, the others go to value_text or value_num.
 * Returns the keys whose stored value changed (never the values), sorted.
 */
export async function writeAttributes(
  ctx: AppContext,
  trx: Executor,
  contact: Pick<ContactTable, 'id' | 'page_id'>,
  patch: Record<string, unknown>,
  by: string | null,
  now: number,
): Promise<string[]> {
  const checked = checkPatch(await listDefinitionRows(trx, [contact.page_id]), patch);
  const current = new Map((await attributeRowsOf(trx, [contact.id])).map((r) => [r.key, r]));
  const changed: string[] = [];
  for (const { def, value } of checked) {
    const row = current.get(def.key);
    if (value === null) {
      if (!row) continue;
      await deleteAttributeRows(trx, [row.id]);
      changed.push(def.key);
      continue;
    }
    const stored = parseAttributeValue(def.key, def.type, value);
    if (row && sameValue(ctx, def, row, stored.canonical)) continue;
    const id = row?.id ?? newId('ca', now);
    const personal = def.personal === 1;
    const set = {
      value_text: personal ? null : stored.text,
      value_num: personal ? null : stored.num,
      value_enc: personal
        ? sealContactField(ctx, contact.id, stored.canonical, field({ id, page_id: contact.page_id }))
        : null,
      value_bidx: personal ? attributeBlindIndex(ctx.keyring, def.key, stored.canonical) : null,
      updated_by: by,
      updated_at: now,
    };
    if (row) await updateAttributeRow(trx, id, set);
    else await insertAttribute(trx, { id, contact_id: contact.id, page_id: contact.page_id, key: def.key, ...set });
    changed.push(def.key);
  }
  return changed.sort();
}

function sameValue(
  ctx: AppContext,
  def: AttributeDefinitionTable,
  row: ContactAttributeTable,
  canonical: string,
): boolean {
  const now = attributeValueOf(ctx, def, row);
  return now !== null && parseAttributeValue(def.key, def.type, now).canonical === canonical;
}
