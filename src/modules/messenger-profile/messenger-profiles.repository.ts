import type { Executor } from '../../db/types.ts';
import type { MessengerProfileTable } from '../../db/tables/meta-settings.ts';

export async function findProfile(db: Executor, pageId: string): Promise<MessengerProfileTable | undefined> {
  return db.selectFrom('messenger_profiles').selectAll().where('page_id', '=', pageId).executeTakeFirst();
}

export async function insertProfile(db: Executor, row: MessengerProfileTable): Promise<void> {
  await db.insertInto('messenger_profiles').values(row).execute();
}

export async function updateProfile(
  db: Executor,
  pageId: string,
  set: Partial<Omit<MessengerProfileTable, 'page_id'>>,
  onlyAtVersion?: number,
): Promise<boolean> {
  let q = db.updateTable('messenger_profiles').set(set).where('page_id', '=', pageId);
  if (onlyAtVersion !== undefined) q = q.where('version', '=', onlyAtVersion);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Profiles with a push due, soonest first. */
export async function dueProfiles(db: Executor, now: number, limit: number): Promise<MessengerProfileTable[]> {
  return db
    .selectFrom('messenger_profiles')
    .selectAll()
    .where('push_status', '=', 'pending')
    .where('next_push_at', '<=', now)
    .orderBy('next_push_at')
    .limit(limit)
    .execute();
}

/** Takes a profile for one push if its push is still due at `expected`; false when another worker took it. */
export async function claimProfile(
  db: Executor,
  pageId: string,
  expected: number | null,
  leaseUntil: number,
): Promise<boolean> {
  if (expected === null) return false;
  const r = await db
    .updateTable('messenger_profiles')
    .set({ next_push_at: leaseUntil })
    .where('page_id', '=', pageId)
    .where('push_status', '=', 'pending')
    .where('next_push_at', '=', expected)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
