import type { Executor } from '../../db/types.ts';
import type { CannedResponseTable } from '../../db/tables/canned-responses.ts';

export async function listCannedResponseRows(db: Executor, pageId: string): Promise<CannedResponseTable[]> {
  return db.selectFrom('canned_responses').selectAll().where('page_id', '=', pageId).orderBy('shortcut').execute();
}

export async function countCannedResponses(db: Executor, pageId: string): Promise<number> {
  const r = await db
    .selectFrom('canned_responses')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('page_id', '=', pageId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** One canned response of the given Pages (null: any Page); another Page's is simply not found. */
export async function findCannedResponse(
  db: Executor,
  id: string,
  pageScope: readonly string[] | null,
): Promise<CannedResponseTable | undefined> {
  let q = db.selectFrom('canned_responses').selectAll().where('id', '=', id);
  if (pageScope !== null) q = q.where('page_id', 'in', pageScope.length ? [...pageScope] : ['\u0000']);
  return q.executeTakeFirst();
}

export async function findCannedResponseByShortcut(
  db: Executor,
  pageId: string,
  shortcut: string,
): Promise<CannedResponseTable | undefined> {
  return db
    .selectFrom('canned_responses')
    .selectAll()
    .where('page_id', '=', pageId)
    .where('shortcut', '=', shortcut)
    .executeTakeFirst();
}

export async function insertCannedResponse(db: Executor, row: CannedResponseTable): Promise<void> {
  await db.insertInto('canned_responses').values(row).execute();
}

export async function updateCannedResponseRow(
  db: Executor,
  id: string,
  set: Partial<Pick<CannedResponseTable, 'shortcut' | 'text' | 'updated_at'>>,
): Promise<void> {
  await db.updateTable('canned_responses').set(set).where('id', '=', id).execute();
}

export async function deleteCannedResponseRow(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('canned_responses').where('id', '=', id).execute();
}
