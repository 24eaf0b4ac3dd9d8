// The main database's side of intake keys: which keys exist (by id only; the keys themselves live in the contact key
// store) and which are retired, and the raw bodies still held under them.
import type { Executor } from '../../db/types.ts';

/** Lists keys in `intake_keys` (a key already listed keeps its row: a retirement is never undone). */
export async function listIntakeKeys(
  db: Executor,
  keys: { id: string; retired_at: number | null }[],
  now: number,
): Promise<void> {
  if (keys.length === 0) return;
  await db
    .insertInto('intake_keys')
    .values(keys.map((k) => ({ id: k.id, created_at: now, retired_at: k.retired_at })))
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

/** Whether any of the keys is retired; on PostgreSQL their rows stay held (FOR SHARE) until the transaction ends. */
export async function anyIntakeKeyRetired(db: Executor, ids: readonly string[], holdRows: boolean): Promise<boolean> {
  let q = db.selectFrom('intake_keys').select('retired_at').where('id', 'in', ids);
  if (holdRows) q = q.forShare();
  return (await q.execute()).some((r) => r.retired_at !== null);
}

/** Retires every key older than `currentId` (ids grow with time); newer ones, made meanwhile elsewhere, stay. */
export async function retireIntakeKeysBefore(db: Executor, currentId: string, now: number): Promise<void> {
  await db
    .updateTable('intake_keys')
    .set({ retired_at: now })
    .where('retired_at', 'is', null)
    .where('id', '<', currentId)
    .execute();
}

/** Which of the keys some row still holds a body under. */
export async function intakeKeysHoldingBodies(db: Executor, ids: readonly string[]): Promise<Set<string | null>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('webhook_posts')
    .select('body_key')
    .distinct()
    .where('body_key', 'in', ids)
    .where('body_enc', 'is not', null)
    .execute();
  return new Set(rows.map((r) => r.body_key));
}

/** The next batch of bodies kept on purpose (failed) under one of the `old` keys or under the keyring alone, by id. */
export async function keptBodiesUnder(
  db: Executor,
  old: readonly string[],
  after: string,
  limit: number,
): Promise<{ id: string; body_enc: string | null }[]> {
  return db
    .selectFrom('webhook_posts')
    .select(['id', 'body_enc'])
    .where('status', '=', 'failed')
    .where('body_enc', 'is not', null)
    .where('id', '>', after)
    .where((w) =>
      old.length > 0 ? w.or([w('body_key', 'is', null), w('body_key', 'in', old)]) : w('body_key', 'is', null),
    )
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Replaces a body sealed again under `keyId`, unless it changed meanwhile; returns whether it did. */
export async function replaceKeptBody(
  db: Executor,
  id: string,
  was: string,
  sealed: string,
  keyId: string,
): Promise<boolean> {
  const u = await db
    .updateTable('webhook_posts')
    .set({ body_enc: sealed, body_key: keyId })
    .where('id', '=', id)
    .where('body_enc', '=', was)
    .executeTakeFirst();
  return Number(u.numUpdatedRows) === 1;
}
