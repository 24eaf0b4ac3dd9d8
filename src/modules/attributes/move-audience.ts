import type { AppContext } from '../../kernel/context.ts';
import type { ContactTable } from '../../db/tables/conversations.ts';
import type { Executor } from '../../db/types.ts';
import { newId } from '../../lib/ids.ts';
import { attributeBlindIndex } from './attribute-index.ts';
import { openContactField, sealContactField } from '../../crypto/contact-layer.ts';
import {
  attributeRowsOf,
  deleteAttributeRows,
  deleteTagsOf,
  insertAttribute,
  insertTags,
  tagRowsOf,
} from './attributes.repository.ts';

const field = (id: string, pageId: string) => ({ table: 'contact_attributes', column: 'value_enc', pageId, rowId: id });

/**
 * A merge moves the merged record's tags and attribute values to the survivor, inside the merge's transaction: tags
 * join the survivor's, a value the survivor lacks moves over (a personal one sealed again under the survivor's key and
 * its new row), a value the survivor has already wins: the merged record's stays with that record (still the person's,
 * exported and erased with them, never shown as the survivor's). Returns how many tags and values moved.
 */
export async function moveAudience(
  ctx: AppContext,
  trx: Executor,
  source: Pick<ContactTable, 'id' | 'page_id'>,
  target: Pick<ContactTable, 'id' | 'page_id'>,
  now: number,
): Promise<{ tags: number; attributes: number }> {
  const tags = await insertTags(
    trx,
    (await tagRowsOf(trx, [source.id])).map((t) => ({ ...t, contact_id: target.id, page_id: target.page_id })),
  );
  await deleteTagsOf(trx, source.id);
  const theirs = new Set((await attributeRowsOf(trx, [target.id])).map((r) => r.key));
  const rows = await attributeRowsOf(trx, [source.id]);
  const moved: string[] = [];
  for (const r of rows) {
    if (theirs.has(r.key)) continue;
    const id = newId('ca', now);
    const plain = r.value_enc === null ? null : openContactField(ctx, source.id, r.value_enc, field(r.id, r.page_id));
    await insertAttribute(trx, {
      ...r,
      id,
      contact_id: target.id,
      page_id: target.page_id,
      value_enc: plain === null ? null : sealContactField(ctx, target.id, plain, field(id, target.page_id)),
      value_bidx: plain === null ? null : attributeBlindIndex(ctx.keyring, r.key, plain),
      updated_at: now,
    });
    moved.push(r.id);
  }
  await deleteAttributeRows(trx, moved);
  return { tags, attributes: moved.length };
}
