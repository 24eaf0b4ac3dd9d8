import { sql } from 'kysely';
import type { Executor } from '../../db/types.ts';
import type { ContactTable } from '../../db/tables/conversations.ts';
import type { SegmentTable } from '../../db/tables/audience.ts';
import type { AttributeDef } from './segment-fields.ts';
import type { SegmentNode } from './segment-filter.ts';
import { segmentPredicate, type SegmentQueryContext } from './segment-query.repository.ts';

/** The contacts a segment can hold: the Page's, never erased, never merged into another (no campaign sends to them). */
function segmentContacts(db: Executor, node: SegmentNode, c: SegmentQueryContext) {
  return (
    db
      .selectFrom('contacts')
      .where('contacts.page_id', '=', c.pageId)
      .where('contacts.merged_into', 'is', null)
      // A literal, not a parameter: the partial index of live contacts (migration 0022) matches only its own words.
      .where('contacts.status', '!=', sql.lit('erased'))
      .where(segmentPredicate(node, c))
  );
}

/** How many contacts the segment holds: one statement. */
export async function countSegment(db: Executor, node: SegmentNode, c: SegmentQueryContext): Promise<number> {
  const r = await segmentContacts(db, node, c)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The segment's contacts, newest first (by id), after the cursor: the same statement as the count, paged. */
export async function segmentContactRows(
  db: Executor,
  node: SegmentNode,
  c: SegmentQueryContext,
  page: { cursor: string | null; limit: number },
): Promise<ContactTable[]> {
  let q = segmentContacts(db, node, c).selectAll('contacts').orderBy('contacts.id', 'desc').limit(page.limit);
  if (page.cursor) q = q.where('contacts.id', '<', page.cursor);
  return q.execute();
}

/**
 * Every contact id of the segment, in batches, in the order the sample shows them: what a campaign freezes. Keyset
 * paging over the one compiled statement, so memory stays flat however large the segment; `after` (a batch's last
 * id) resumes a walk where it stopped.
 */
export async function* segmentContactIds(
  db: Executor,
  node: SegmentNode,
  c: SegmentQueryContext,
  batchSize = 5000,
  after: string | null = null,
): AsyncGenerator<string[]> {
  let cursor: string | null = after;
  for (;;) {
    let q = segmentContacts(db, node, c).select('contacts.id').orderBy('contacts.id', 'desc').limit(batchSize);
    if (cursor) q = q.where('contacts.id', '<', cursor);
    const ids = (await q.execute()).map((r) => r.id);
    if (ids.length === 0) return;
    yield ids;
    if (ids.length < batchSize) return;
    cursor = ids[ids.length - 1]!;
  }
}

export async function attributeDefinitions(db: Executor, pageId: string): Promise<AttributeDef[]> {
  const rows = await db
    .selectFrom('attribute_definitions')
    .select(['key', 'type', 'personal'])
    .where('page_id', '=', pageId)
    .orderBy('key')
    .execute();
  return rows.map((r) => ({ key: r.key, type: r.type, personal: Number(r.personal) === 1 }));
}

/** The most used values of a column, for the builder's suggestions (at most `limit`). */
export async function topTags(db: Executor, pageId: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('contact_tags')
    .select(['tag', (eb) => eb.fn.countAll<number>().as('n')])
    .where('page_id', '=', pageId)
    .groupBy('tag')
    .orderBy('n', 'desc')
    .orderBy('tag')
    .limit(limit)
    .execute();
  return rows.map((r) => r.tag);
}

export async function productValues(db: Executor, pageId: string, limit: number) {
  const skus = await db
    .selectFrom('products')
    .select('sku')
    .where('page_id', '=', pageId)
    .orderBy('sku')
    .limit(limit)
    .execute();
  const categories = await db
    .selectFrom('products')
    .select('category')
    .distinct()
    .where('page_id', '=', pageId)
    .where('category', 'is not', null)
    .orderBy('category')
    .limit(limit)
    .execute();
  return { skus: skus.map((r) => r.sku), categories: categories.map((r) => r.category!) };
}

export async function topInterests(db: Executor, pageId: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('contact_interests')
    .select(['interest', (eb) => eb.fn.countAll<number>().as('n')])
    .where('page_id', '=', pageId)
    .groupBy('interest')
    .orderBy('n', 'desc')
    .orderBy('interest')
    .limit(limit)
    .execute();
  return rows.map((r) => r.interest);
}

export async function localeValues(db: Executor, pageId: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('contacts')
    .select('locale')
    .distinct()
    .where('page_id', '=', pageId)
    .where('locale', 'is not', null)
    .orderBy('locale')
    .limit(limit)
    .execute();
  return rows.map((r) => r.locale!);
}

export async function listSegmentRows(db: Executor, pageId: string): Promise<SegmentTable[]> {
  return db.selectFrom('segments').selectAll().where('page_id', '=', pageId).orderBy('name').execute();
}

export async function countSegments(db: Executor, pageId: string): Promise<number> {
  const r = await db
    .selectFrom('segments')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('page_id', '=', pageId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** One segment of the given Pages (null: any Page); another Page's is simply not found. */
export async function findSegment(
  db: Executor,
  id: string,
  pageScope: readonly string[] | null,
): Promise<SegmentTable | undefined> {
  let q = db.selectFrom('segments').selectAll().where('id', '=', id);
  if (pageScope !== null) q = q.where('page_id', 'in', pageScope.length ? [...pageScope] : ['\u0000']);
  return q.executeTakeFirst();
}

export async function findSegmentByName(db: Executor, pageId: string, name: string) {
  return db
    .selectFrom('segments')
    .select('id')
    .where('page_id', '=', pageId)
    .where('name', '=', name)
    .executeTakeFirst();
}

export async function insertSegment(db: Executor, row: SegmentTable): Promise<void> {
  await db.insertInto('segments').values(row).execute();
}

export async function updateSegmentRow(
  db: Executor,
  id: string,
  set: Partial<Pick<SegmentTable, 'name' | 'filter' | 'updated_at'>>,
): Promise<void> {
  await db.updateTable('segments').set(set).where('id', '=', id).execute();
}

/**
 * The campaigns that will still read this segment when they start (drafts and scheduled ones; a started campaign keeps
 * the filter it started with), by name.
 */
export async function campaignsAwaitingSegment(
  db: Executor,
  id: string,
): Promise<{ id: string; name: string; status: string }[]> {
  return db
    .selectFrom('campaigns')
    .select(['id', 'name', 'status'])
    .where('segment_id', '=', id)
    .where('status', 'in', ['draft', 'scheduled'])
    .orderBy('name')
    .orderBy('id')
    .execute();
}

export async function deleteSegmentRow(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('segments').where('id', '=', id).execute();
}

/** Whether one contact is in the segment: the compiled statement narrowed to its id, one query. */
export async function segmentHoldsContact(
  db: Executor,
  node: SegmentNode,
  c: SegmentQueryContext,
  contactId: string,
): Promise<boolean> {
  const row = await segmentContacts(db, node, c)
    .select('contacts.id')
    .where('contacts.id', '=', contactId)
    .executeTakeFirst();
  return row !== undefined;
}
