// Counters of failed authentications: one row per (kind, source, minute, reason), added to as flushes come in.
import { sql } from 'kysely';
import type { Executor } from '../../db/types.ts';
import type { AuthFailureTable } from '../../db/tables/foundation.ts';

/** Adds each count to its row, creating the row on its first failure (an upsert both dialects accept). */
export async function addAuthFailures(db: Executor, rows: readonly AuthFailureTable[]): Promise<void> {
  for (const row of rows) {
    await db
      .insertInto('auth_failures')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['kind', 'source', 'minute', 'reason']).doUpdateSet({
          failures: sql<number>`${sql.ref('auth_failures.failures')} + ${sql.ref('excluded.failures')}`,
          last_at: sql<number>`case when ${sql.ref('excluded.last_at')} > ${sql.ref('auth_failures.last_at')} then ${sql.ref('excluded.last_at')} else ${sql.ref('auth_failures.last_at')} end`,
        }),
      )
      .execute();
  }
}

/** Newest minute first, then by id; `cursor` is the id of the last row of the previous page. */
export async function listAuthFailures(
  db: Executor,
  f: { since?: number; cursor: string | null; limit: number },
): Promise<AuthFailureTable[]> {
  let q = db.selectFrom('auth_failures').selectAll().orderBy('id', 'desc').limit(f.limit);
  if (f.since !== undefined) q = q.where('minute', '>=', f.since);
  if (f.cursor) q = q.where('id', '<', f.cursor);
  return q.execute();
}
