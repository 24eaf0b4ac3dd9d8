// Every query of operator accounts, sign-in links and sessions.
import { sql } from 'kysely';
import type { Executor } from '../../db/types.ts';
import type { LoginLinkTable, SessionTable, UserTable } from '../../db/tables/users.ts';

export async function insertUser(db: Executor, row: UserTable): Promise<void> {
  await db.insertInto('users').values(row).execute();
}

/** The account by id; `lock` holds its row until the transaction ends (PostgreSQL's FOR UPDATE). */
export async function findUserById(db: Executor, id: string, lock = false): Promise<UserTable | undefined> {
  const q = db.selectFrom('users').selectAll().where('id', '=', id);
  return (lock ? q.forUpdate() : q).executeTakeFirst();
}

export async function findUserByEmailIndex(db: Executor, bidx: string): Promise<UserTable | undefined> {
  return db.selectFrom('users').selectAll().where('email_bidx', '=', bidx).executeTakeFirst();
}

/** Users in id order (ids grow with creation time), after a cursor. */
export async function listUserRows(db: Executor, after: string | null, limit: number): Promise<UserTable[]> {
  let q = db.selectFrom('users').selectAll().orderBy('id').limit(limit);
  if (after) q = q.where('id', '>', after);
  return q.execute();
}

/** Adds one wrong password to the account's count and returns the new count (one statement: no lost increment). */
export async function addFailedPassword(db: Executor, id: string): Promise<number> {
  const r = await db
    .updateTable('users')
    .set({ failed_count: sql<number>`${sql.ref('failed_count')} + 1` })
    .where('id', '=', id)
    .returning('failed_count')
    .executeTakeFirst();
  return Number(r?.failed_count ?? 0);
}

/** Locks the account until `until` and starts its count again. */
export async function lockUser(db: Executor, id: string, until: number): Promise<void> {
  await db.updateTable('users').set({ failed_count: 0, locked_until: until }).where('id', '=', id).execute();
}

export async function clearFailedPasswords(db: Executor, id: string): Promise<void> {
  await db
    .updateTable('users')
    .set({ failed_count: 0, locked_until: null })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('failed_count', '<>', 0), eb('locked_until', 'is not', null)]))
    .execute();
}

export async function setPasswordHash(db: Executor, id: string, hash: string, now: number): Promise<void> {
  await db
    .updateTable('users')
    .set({ password_hash: hash, password_changed_at: now, failed_count: 0, locked_until: null })
    .where('id', '=', id)
    .execute();
}

/** A re-hash of the same password under stronger parameters: not a password change, so no date moves. */
export async function replacePasswordHash(db: Executor, id: string, expected: string, hash: string): Promise<void> {
  await db
    .updateTable('users')
    .set({ password_hash: hash })
    .where('id', '=', id)
    .where('password_hash', '=', expected)
    .execute();
}

/** 1 when the account was enabled and is now disabled, 0 when it was disabled already. */
export async function disableUserRow(db: Executor, id: string, now: number): Promise<number> {
  const r = await db
    .updateTable('users')
    .set({ disabled_at: now })
    .where('id', '=', id)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function insertLoginLink(db: Executor, row: LoginLinkTable): Promise<void> {
  await db.insertInto('login_links').values(row).execute();
}

export async function findLoginLinkByHash(db: Executor, hash: string): Promise<LoginLinkTable | undefined> {
  return db.selectFrom('login_links').selectAll().where('token_hash', '=', hash).executeTakeFirst();
}

/** Compare-and-set: 1 for the one request that uses the link, 0 for every other (a link signs in once). */
export async function markLoginLinkUsed(db: Executor, id: string, now: number): Promise<number> {
  const r = await db
    .updateTable('login_links')
    .set({ used_at: now })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function insertSession(db: Executor, row: SessionTable): Promise<void> {
  await db.insertInto('sessions').values(row).execute();
}

export async function findSessionByHash(db: Executor, hash: string): Promise<SessionTable | undefined> {
  return db.selectFrom('sessions').selectAll().where('token_hash', '=', hash).executeTakeFirst();
}

export async function touchSession(db: Executor, id: string, now: number): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ last_seen_at: now })
    .where('id', '=', id)
    .where('last_seen_at', '<', now)
    .execute();
}

export async function revokeSessionRow(db: Executor, id: string, now: number): Promise<number> {
  const r = await db
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Revokes every open session of a user but `keep` (the one that changed the password); returns how many. */
export async function revokeUserSessions(
  db: Executor,
  userId: string,
  now: number,
  keep: string | null = null,
): Promise<number> {
  let q = db
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now);
  if (keep) q = q.where('id', '<>', keep);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function countUsers(db: Executor): Promise<number> {
  const r = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function findSessionById(db: Executor, id: string): Promise<SessionTable | undefined> {
  return db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function setSessionMethod(db: Executor, id: string, method: SessionTable['method']): Promise<void> {
  await db.updateTable('sessions').set({ method }).where('id', '=', id).execute();
}

export async function findUsersByIds(db: Executor, ids: readonly string[]): Promise<UserTable[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('users')
    .selectAll()
    .where('id', 'in', [...ids])
    .execute();
}

/**
 * Enabled owner accounts: the last one is never disabled, or nobody could manage the installation from the UI. With
 * `lock` (PostgreSQL) their rows stay locked until the caller's transaction ends, so two owners disabled at once
 * cannot both pass the check; SQLite runs one write transaction at a time anyway.
 */
export async function countEnabledOwners(db: Executor, lock: boolean): Promise<number> {
  let q = db.selectFrom('users').select('id').where('role', '=', 'owner').where('disabled_at', 'is', null);
  if (lock) q = q.forUpdate();
  return (await q.execute()).length;
}

export async function setUserAccess(db: Executor, id: string, role: string, pages: string | null): Promise<void> {
  await db.updateTable('users').set({ role, pages }).where('id', '=', id).execute();
}
