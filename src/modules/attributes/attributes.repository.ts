// Every query of attribute definitions, contact tags and contact attribute values. Page scope is in each `where`.
import type { Executor } from '../../db/types.ts';
import type { AttributeDefinitionTable, ContactAttributeTable, ContactTagTable } from '../../db/tables/audience.ts';

export async function listDefinitionRows(
  db: Executor,
  pageIds: readonly string[],
): Promise<AttributeDefinitionTable[]> {
  if (pageIds.length === 0) return [];
  return db
    .selectFrom('attribute_definitions')
    .selectAll()
    .where('page_id', 'in', [...pageIds])
    .orderBy('key')
    .execute();
}

export async function findDefinition(
  db: Executor,
  pageId: string,
  key: string,
): Promise<AttributeDefinitionTable | undefined> {
  return db
    .selectFrom('attribute_definitions')
    .selectAll()
    .where('page_id', '=', pageId)
    .where('key', '=', key)
    .executeTakeFirst();
}

export async function countDefinitions(db: Executor, pageId: string): Promise<number> {
  const r = await db
    .selectFrom('attribute_definitions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('page_id', '=', pageId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function insertDefinition(db: Executor, row: AttributeDefinitionTable): Promise<void> {
  await db.insertInto('attribute_definitions').values(row).execute();
}

export async function updateDefinitionRow(
  db: Executor,
  id: string,
  set: Pick<AttributeDefinitionTable, 'type' | 'personal' | 'updated_at'>,
): Promise<void> {
  await db.updateTable('attribute_definitions').set(set).where('id', '=', id).execute();
}

/** Whether any contact of the Page holds a value for the key (a type change would strand it). */
export async function keyHasValues(db: Executor, pageId: string, key: string): Promise<boolean> {
  const r = await db
    .selectFrom('contact_attributes')
    .select('id')
    .where('page_id', '=', pageId)
    .where('key', '=', key)
    .limit(1)
    .executeTakeFirst();
  return r !== undefined;
}

export async function tagRowsOf(db: Executor, contactIds: readonly string[]): Promise<ContactTagTable[]> {
  if (contactIds.length === 0) return [];
  return db
    .selectFrom('contact_tags')
    .selectAll()
    .where('contact_id', 'in', [...contactIds])
    .orderBy('contact_id')
    .orderBy('tag')
    .execute();
}

/** Adds tags; one the contact has already is left as it was (idempotent by the primary key). */
/** Inserts tag rows, those a contact carries already left as they were (1,000 rows a statement); returns how many were added. */
export async function insertTags(db: Executor, rows: readonly ContactTagTable[]): Promise<number> {
  let added = 0;
  for (let i = 0; i < rows.length; i += 1000) {
    const r = await db
      .insertInto('contact_tags')
      .values(rows.slice(i, i + 1000))
      .onConflict((oc) => oc.columns(['contact_id', 'tag']).doNothing())
      .executeTakeFirst();
    added += Number(r.numInsertedOrUpdatedRows ?? 0n);
  }
  return added;
}

export async function deleteTagRows(db: Executor, contactId: string, tags: readonly string[]): Promise<number> {
  if (tags.length === 0) return 0;
  const r = await db
    .deleteFrom('contact_tags')
    .where('contact_id', '=', contactId)
    .where('tag', 'in', [...tags])
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** How many tags each of these contacts carries (those with none are left out), one query per 500 contacts. */
export async function countTagsOf(db: Executor, contactIds: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let i = 0; i < contactIds.length; i += 500) {
    const rows = await db
      .selectFrom('contact_tags')
      .select((eb) => ['contact_id', eb.fn.countAll<number>().as('n')])
      .where('contact_id', 'in', contactIds.slice(i, i + 500))
      .groupBy('contact_id')
      .execute();
    for (const r of rows) out.set(r.contact_id, Number(r.n));
  }
  return out;
}

/** The Page's tags with how many contacts carry each (erased contacts hold none: erasure deleted them). */
export async function pageTagCounts(db: Executor, pageId: string): Promise<{ tag: string; count: number }[]> {
  const rows = await db
    .selectFrom('contact_tags')
    .select(['tag', (eb) => eb.fn.countAll<number>().as('n')])
    .where('page_id', '=', pageId)
    .groupBy('tag')
    .orderBy('tag')
    .execute();
  return rows.map((r) => ({ tag: r.tag, count: Number(r.n) }));
}

export async function attributeRowsOf(db: Executor, contactIds: readonly string[]): Promise<ContactAttributeTable[]> {
  if (contactIds.length === 0) return [];
  return db
    .selectFrom('contact_attributes')
    .selectAll()
    .where('contact_id', 'in', [...contactIds])
    .orderBy('contact_id')
    .orderBy('key')
    .execute();
}

export async function insertAttribute(db: Executor, row: ContactAttributeTable): Promise<void> {
  await db.insertInto('contact_attributes').values(row).execute();
}

export async function updateAttributeRow(
  db: Executor,
  id: string,
  set: Pick<
    ContactAttributeTable,
    'value_text' | 'value_num' | 'value_enc' | 'value_bidx' | 'updated_by' | 'updated_at'
  >,
): Promise<void> {
  await db.updateTable('contact_attributes').set(set).where('id', '=', id).execute();
}

export async function deleteAttributeRows(db: Executor, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .deleteFrom('contact_attributes')
    .where('id', 'in', [...ids])
    .execute();
}

export async function deleteTagsOf(db: Executor, contactId: string): Promise<void> {
  await db.deleteFrom('contact_tags').where('contact_id', '=', contactId).execute();
}

/** Old encrypted attribute objects moved by migration 0020 under the key `_legacy`, waiting to be converted. */
export async function legacyAttributeRows(db: Executor, key: string, limit: number): Promise<ContactAttributeTable[]> {
  return db.selectFrom('contact_attributes').selectAll().where('key', '=', key).orderBy('id').limit(limit).execute();
}
