import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/** The key of a contact's old encrypted attributes object, held until the attributes module converts it. */
export const LEGACY_ATTRIBUTES_KEY = '_legacy';

// Tags and attributes move from the contacts table (`tags` JSON, `attributes_enc` sealed JSON object) to their own
// tables (0019), which become their one source; the two columns go. Tags move here, normalised as the tags module
// does (trimmed, lower case, spaces collapsed). A migration holds no keys, so the sealed attributes object moves as it
// is, under the key `_legacy` (never a valid attribute key): the attributes module opens it with the keys and turns
// it into one value per attribute (a personal text definition for each key the Page lacks), then deletes it.
export async function up(db: AnyDb): Promise<void> {
  let after = '';
  for (;;) {
    const rows: { id: string; page_id: string; tags: string; attributes_enc: string | null; updated_at: number }[] =
      await db
        .selectFrom('contacts')
        .select(['id', 'page_id', 'tags', 'attributes_enc', 'updated_at'])
        .where('id', '>', after)
        .where((eb) => eb.or([eb('tags', '<>', '[]'), eb('attributes_enc', 'is not', null)]))
        .orderBy('id')
        .limit(500)
        .execute();
    if (rows.length === 0) break;
    for (const r of rows) {
      const tags = new Set<string>();
      for (const t of parseTags(r.tags)) {
        const n = t.trim().toLowerCase().replace(/\s+/g, ' ');
        if (n) tags.add(n);
      }
      for (const tag of tags)
        await db
          .insertInto('contact_tags')
          .values({ contact_id: r.id, page_id: r.page_id, tag, created_by: null, created_at: Number(r.updated_at) })
          .onConflict((oc) => oc.columns(['contact_id', 'tag']).doNothing())
          .execute();
      if (r.attributes_enc !== null)
        await db
          .insertInto('contact_attributes')
          .values({
            id: `ca_legacy_${r.id}_${randomBytes(4).toString('hex')}`,
            contact_id: r.id,
            page_id: r.page_id,
            key: LEGACY_ATTRIBUTES_KEY,
            value_enc: r.attributes_enc,
            updated_at: Number(r.updated_at),
          })
          .execute();
    }
    after = rows[rows.length - 1]!.id;
  }
  await db.schema.alterTable('contacts').dropColumn('tags').execute();
  await db.schema.alterTable('contacts').dropColumn('attributes_enc').execute();
}

function parseTags(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}
