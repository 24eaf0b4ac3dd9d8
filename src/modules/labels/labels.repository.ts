// Every query of label definitions, and the conversation rows a renamed or deleted label is rewritten in.
import type { Executor } from '../../db/types.ts';
import type { PageLabelTable } from '../../db/tables/settings.ts';

export async function listLabelRows(db: Executor, pageId: string): Promise<PageLabelTable[]> {
  return db.selectFrom('page_labels').selectAll().where('page_id', '=', pageId).orderBy('name_key').execute();
}

export async function findLabel(db: Executor, id: string): Promise<PageLabelTable | undefined> {
  return db.selectFrom('page_labels').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findLabelByKey(db: Executor, pageId: string, key: string): Promise<PageLabelTable | undefined> {
  return db
    .selectFrom('page_labels')
    .selectAll()
    .where('page_id', '=', pageId)
    .where('name_key', '=', key)
    .executeTakeFirst();
}

export async function countLabels(db: Executor, pageId: string): Promise<number> {
  const r = await db
    .selectFrom('page_labels')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('page_id', '=', pageId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function insertLabel(db: Executor, row: PageLabelTable): Promise<void> {
  await db.insertInto('page_labels').values(row).execute();
}

export async function updateLabelRow(
  db: Executor,
  id: string,
  set: Partial<Pick<PageLabelTable, 'name' | 'name_key' | 'color' | 'updated_at'>>,
): Promise<void> {
  await db.updateTable('page_labels').set(set).where('id', '=', id).execute();
}

export async function deleteLabelRow(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('page_labels').where('id', '=', id).execute();
}

/** A Page's conversations that carry any label: the ones a rename or a deletion may have to rewrite. */
export async function labelledConversations(
  db: Executor,
  pageId: string,
): Promise<{ id: string; contact_id: string; labels: string }[]> {
  return db
    .selectFrom('conversations')
    .select(['id', 'contact_id', 'labels'])
    .where('page_id', '=', pageId)
    .where('labels', '<>', '[]')
    .execute();
}
