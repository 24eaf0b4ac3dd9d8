import type { Executor } from '../../db/types.ts';
import type { AccountTable, ApiTokenTable } from '../../db/tables/foundation.ts';

export async function insertAccount(db: Executor, row: AccountTable): Promise<void> {
  await db.insertInto('accounts').values(row).execute();
}

export async function insertToken(db: Executor, row: ApiTokenTable): Promise<void> {
  await db.insertInto('api_tokens').values(row).execute();
}

/** Not revoked; the caller checks `expires_at`, so that the use of an expired token can be recorded. */
export async function findActiveTokenByHash(db: Executor, hash: string): Promise<ApiTokenTable | undefined> {
  return db
    .selectFrom('api_tokens')
    .selectAll()
    .where('token_hash', '=', hash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

export async function touchToken(db: Executor, id: string, now: number): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
}

export async function revokeToken(db: Executor, id: string, now: number): Promise<number> {
  const r = await db
    .updateTable('api_tokens')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function countAccounts(db: Executor): Promise<number> {
  const r = await db
    .selectFrom('accounts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function findTokenById(db: Executor, id: string): Promise<ApiTokenTable | undefined> {
  return db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Tokens in id order (ids grow with creation time), after a cursor. */
export async function listTokenRows(db: Executor, after: string | null, limit: number): Promise<ApiTokenTable[]> {
  let q = db.selectFrom('api_tokens').selectAll().orderBy('id').limit(limit);
  if (after) q = q.where('id', '>', after);
  return q.execute();
}
