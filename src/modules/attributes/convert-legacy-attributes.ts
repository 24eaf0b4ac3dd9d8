// Migration 0020 moved each contact's old encrypted attributes object (contacts.attributes_enc) as it was, under the
// key `_legacy`: a migration holds no keys. This opens each with the keys, in its own transaction, and turns it into
// one value per attribute, so that nothing is lost: a key the Page does not define becomes a personal text
// attribute; a value that does not fit the Page's type for its key goes to `<key>_legacy` (personal text).
import type { AppContext } from '../../kernel/context.ts';
import type { AttributeType } from '../../db/tables/audience.ts';
import type { Executor } from '../../db/types.ts';
import { LEGACY_ATTRIBUTES_KEY } from '../../db/migrations/0020-contact-tags-and-attributes-tables.ts';
import { openContactField } from '../../crypto/contact-layer.ts';
import { newId } from '../../lib/ids.ts';
import { startLoop, type BackgroundWorker } from '../../kernel/loop.ts';
import { systemActor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { parseAttributeValue } from './attribute-values.ts';
import { writeAttributes } from './contact-audience.ts';
import {
  attributeRowsOf,
  deleteAttributeRows,
  findDefinition,
  insertDefinition,
  legacyAttributeRows,
} from './attributes.repository.ts';

/** An old attribute name as a key: lower case, `a-z 0-9 _` only, a letter first, at most 40 characters. */
export function legacyKey(name: string): string {
  const k = name.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return (/^[a-z]/.test(k) ? k : `a_${k}`).slice(0, 40);
}

function fits(type: AttributeType, value: unknown): boolean {
  try {
    parseAttributeValue('k', type, value);
    return true;
  } catch {
    return false;
  }
}

async function definedType(trx: Executor, pageId: string, key: string, now: number): Promise<AttributeType> {
  const def = await findDefinition(trx, pageId, key);
  if (def) return def.type;
  await insertDefinition(trx, {
    id: newId('ad', now),
    page_id: pageId,
    key,
    type: 'text',
    personal: 1,
    created_by: null,
    created_at: now,
    updated_at: now,
  });
  return 'text';
}

/** Converts up to `limit` old attribute objects; the number converted (0: none left). Audited per contact. */
export async function convertLegacyAttributes(ctx: AppContext, limit = 100): Promise<number> {
  const rows = await legacyAttributeRows(ctx.db, LEGACY_ATTRIBUTES_KEY, limit);
  for (const row of rows) {
    const now = ctx.clock.now();
    await ctx.db.transaction().execute(async (trx) => {
      let old: Record<string, unknown> = {};
      try {
        const field = { table: 'contacts', column: 'attributes_enc', pageId: row.page_id, rowId: row.contact_id };
        const parsed: unknown = JSON.parse(openContactField(ctx, row.contact_id, row.value_enc ?? '', field));
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) old = parsed as Record<string, unknown>;
      } catch {
        // Unreadable (the person was erased and their key destroyed): nothing can be recovered, the row goes.
      }
      const held = new Set((await attributeRowsOf(trx, [row.contact_id])).map((r) => r.key));
      const patch: Record<string, unknown> = {};
      for (const [name, raw] of Object.entries(old)) {
        if (raw === null || raw === undefined) continue;
        let key = legacyKey(name);
        const text = typeof raw === 'string' ? raw : JSON.stringify(raw);
        let value: unknown = (await definedType(trx, row.page_id, key, now)) === 'text' ? text : raw;
        if (!fits(await definedType(trx, row.page_id, key, now), value)) {
          key = `${key.slice(0, 33)}_legacy`;
          value = text;
          if ((await definedType(trx, row.page_id, key, now)) !== 'text' || !fits('text', value)) continue;
        }
        // A value set since the migration is newer than the old one.
        if (!held.has(key)) patch[key] = value;
      }
      await deleteAttributeRows(trx, [row.id]);
      const keys = await writeAttributes(ctx, trx, { id: row.contact_id, page_id: row.page_id }, patch, null, now);
      await appendAudit(
        trx,
        systemActor('attributes-migration'),
        {
          action: 'contact.attributes.update',
          pageId: row.page_id,
          subjectType: 'contact',
          subjectId: row.contact_id,
          details: { keys, via: 'migration' },
        },
        now,
      );
    });
  }
  return rows.length;
}

/** Converts what migration 0020 left, soon after start; idle once nothing is left. */
export function startLegacyAttributesWorker(ctx: AppContext): BackgroundWorker {
  return startLoop({ name: 'attributes-legacy', logger: ctx.logger, idleMs: 600_000 }, () =>
    convertLegacyAttributes(ctx),
  );
}
