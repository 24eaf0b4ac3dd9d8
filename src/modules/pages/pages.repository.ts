import type { Executor } from '../../db/types.ts';
import type { PageTable } from '../../db/tables/foundation.ts';

export async function findPage(db: Executor, id: string): Promise<PageTable | undefined> {
  return db.selectFrom('pages').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Pages in id order, limited to a scope when one is given (the scope is applied in SQL, not after). */
export async function listPages(
  db: Executor,
  scope: readonly string[] | null,
  after: string | null,
  limit: number,
): Promise<PageTable[]> {
  let q = db.selectFrom('pages').selectAll().orderBy('id').limit(limit);
  if (scope !== null) q = q.where('id', 'in', scope.length ? [...scope] : ['\u0000']);
  if (after) q = q.where('id', '>', after);
  return q.execute();
}

export async function insertPage(db: Executor, row: PageTable): Promise<void> {
  await db.insertInto('pages').values(row).execute();
}

export async function updatePage(db: Executor, id: string, set: Partial<Omit<PageTable, 'id'>>): Promise<void> {
  await db.updateTable('pages').set(set).where('id', '=', id).execute();
}

/** Marks an active Page's token invalid; true only for the call that changed it (so it is announced once). */
export async function markTokenInvalid(db: Executor, pageId: string, at: number): Promise<boolean> {
  const r = await db
    .updateTable('pages')
    .set({ status: 'token_invalid', updated_at: at })
    .where('id', '=', pageId)
    .where('status', '=', 'active')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Which of `ids` are registered Pages. */
export async function existingPageIds(db: Executor, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  return (
    await db
      .selectFrom('pages')
      .select('id')
      .where('id', 'in', [...ids])
      .execute()
  ).map((r) => r.id);
}
