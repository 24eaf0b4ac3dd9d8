import type { Executor } from '../../db/types.ts';
import type { MessageTemplateTable } from '../../db/tables/meta-settings.ts';

export async function listTemplateRows(db: Executor, pageId: string): Promise<MessageTemplateTable[]> {
  return db
    .selectFrom('message_templates')
    .selectAll()
    .where('page_id', '=', pageId)
    .orderBy('name')
    .orderBy('language')
    .execute();
}

/** One template of the given Pages (null: any Page); another Page's is simply not found. */
export async function findTemplate(
  db: Executor,
  id: string,
  pageScope: readonly string[] | null,
): Promise<MessageTemplateTable | undefined> {
  let q = db.selectFrom('message_templates').selectAll().where('id', '=', id);
  if (pageScope !== null) q = q.where('page_id', 'in', pageScope.length ? [...pageScope] : ['\u0000']);
  return q.executeTakeFirst();
}

export async function findTemplateByName(
  db: Executor,
  pageId: string,
  name: string,
  language: string,
): Promise<MessageTemplateTable | undefined> {
  return db
    .selectFrom('message_templates')
    .selectAll()
    .where('page_id', '=', pageId)
    .where('name', '=', name)
    .where('language', '=', language)
    .executeTakeFirst();
}

/** The APPROVED templates of a Page with this name, in any of `languages` (null: in every language). */
export async function approvedTemplateRows(
  db: Executor,
  pageId: string,
  name: string,
  languages: readonly string[] | null,
): Promise<MessageTemplateTable[]> {
  if (languages?.length === 0) return [];
  let q = db
    .selectFrom('message_templates')
    .selectAll()
    .where('page_id', '=', pageId)
    .where('name', '=', name)
    .where('status', '=', 'approved');
  if (languages !== null) q = q.where('language', 'in', [...languages]);
  return q.orderBy('language').execute();
}

/** Templates waiting for Meta (to be submitted, or in review) whose next check is due, oldest first. */
export async function dueTemplateRows(db: Executor, now: number, limit: number): Promise<MessageTemplateTable[]> {
  return db
    .selectFrom('message_templates')
    .selectAll()
    .where('next_check_at', '<=', now)
    .where('status', 'in', ['submitting', 'pending'])
    .orderBy('next_check_at')
    .limit(limit)
    .execute();
}

export async function insertTemplate(db: Executor, row: MessageTemplateTable): Promise<void> {
  await db.insertInto('message_templates').values(row).execute();
}

/** Updates a template unless it was deleted meanwhile; true when a row changed. */
export async function updateTemplateRow(
  db: Executor,
  id: string,
  set: Partial<Omit<MessageTemplateTable, 'id' | 'page_id'>>,
): Promise<boolean> {
  const r = await db.updateTable('message_templates').set(set).where('id', '=', id).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function deleteTemplateRow(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('message_templates').where('id', '=', id).execute();
}

/**
 * Takes a template for one submission or check: moves its next check to `leaseUntil` if it is still `expected`.
 * False when another worker took it first (two loops never submit or poll one template at once).
 */
export async function claimTemplate(
  db: Executor,
  id: string,
  expected: number | null,
  leaseUntil: number,
): Promise<boolean> {
  if (expected === null) return false;
  const r = await db
    .updateTable('message_templates')
    .set({ next_check_at: leaseUntil })
    .where('id', '=', id)
    .where('next_check_at', '=', expected)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
