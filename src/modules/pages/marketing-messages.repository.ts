import type { Executor } from '../../db/types.ts';
import type { PageMarketingMessagesTable } from '../../db/tables/meta-settings.ts';

export async function findMarketingSetting(
  db: Executor,
  pageId: string,
): Promise<PageMarketingMessagesTable | undefined> {
  return db.selectFrom('page_marketing_messages').selectAll().where('page_id', '=', pageId).executeTakeFirst();
}

/** Writes the Page's setting whole (one row per Page). */
export async function upsertMarketingSetting(db: Executor, row: PageMarketingMessagesTable): Promise<void> {
  const { page_id: _id, created_at: _c, ...set } = row;
  await db
    .insertInto('page_marketing_messages')
    .values(row)
    .onConflict((oc) => oc.column('page_id').doUpdateSet(set))
    .execute();
}
