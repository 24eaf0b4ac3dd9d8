// Every query of a Page's own consent keywords.
import type { Executor } from '../../db/types.ts';
import type { PageConsentKeywordTable } from '../../db/tables/settings.ts';

export async function pageKeywordRows(db: Executor, pageId: string): Promise<PageConsentKeywordTable[]> {
  return db.selectFrom('page_consent_keywords').selectAll().where('page_id', '=', pageId).orderBy('keyword').execute();
}

/** Replaces a Page's keywords with `rows`, in the caller's transaction. */
export async function replacePageKeywords(
  db: Executor,
  pageId: string,
  rows: readonly PageConsentKeywordTable[],
): Promise<void> {
  await db.deleteFrom('page_consent_keywords').where('page_id', '=', pageId).execute();
  if (rows.length)
    await db
      .insertInto('page_consent_keywords')
      .values([...rows])
      .execute();
}
