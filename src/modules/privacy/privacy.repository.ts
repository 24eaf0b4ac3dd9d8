import type { Executor } from '../../db/types.ts';
import type { PrivacyCallbackTable, PrivacyRequestTable } from '../../db/tables/privacy.ts';

export const OPEN_STATUSES = ['pending', 'in_progress', 'failed'] as const;

export async function insertRequest(db: Executor, row: PrivacyRequestTable): Promise<void> {
  await db.insertInto('privacy_requests').values(row).execute();
}

export async function findRequest(db: Executor, id: string): Promise<PrivacyRequestTable | undefined> {
  return db.selectFrom('privacy_requests').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updateRequest(
  db: Executor,
  id: string,
  set: Partial<Omit<PrivacyRequestTable, 'id'>>,
): Promise<void> {
  await db.updateTable('privacy_requests').set(set).where('id', '=', id).execute();
}

export interface RequestFilter {
  /** One status, or `open`: every status but completed. */
  status?: PrivacyRequestTable['status'] | 'open' | undefined;
  contactId?: string | undefined;
}

/** Newest first, limited to a Page scope in SQL; requests awaiting review (no Page yet) only for unscoped readers. */
export async function listRequests(
  db: Executor,
  scope: readonly string[] | null,
  cursor: string | null,
  limit: number,
  filter: RequestFilter = {},
): Promise<PrivacyRequestTable[]> {
  let q = db.selectFrom('privacy_requests').selectAll().orderBy('id', 'desc').limit(limit);
  if (scope !== null) q = q.where('page_id', 'in', scope.length ? [...scope] : ['\u0000']);
  if (filter.status === 'open') q = q.where('status', 'in', [...OPEN_STATUSES]);
  else if (filter.status) q = q.where('status', '=', filter.status);
  if (filter.contactId) q = q.where('contact_id', '=', filter.contactId);
  if (cursor) q = q.where('id', '<', cursor);
  return q.execute();
}

/**
 * Takes the next runnable request with a lease: a claim is a compare-and-set on `next_attempt_at`, so two workers
 * never run the same request at once, and a crashed worker's request is taken again once its lease runs out.
 */
export async function claimRequest(
  db: Executor,
  now: number,
  leaseMs: number,
): Promise<PrivacyRequestTable | undefined> {
  const candidates = await db
    .selectFrom('privacy_requests')
    .selectAll()
    .where('status', 'in', ['pending', 'in_progress'])
    .where('review_reason', 'is', null)
    .where('contact_id', 'is not', null)
    .where('next_attempt_at', '<=', now)
    .orderBy('next_attempt_at')
    .limit(5)
    .execute();
  for (const c of candidates) {
    const r = await db
      .updateTable('privacy_requests')
      .set({
        status: 'in_progress',
        started_at: c.started_at ?? now,
        next_attempt_at: now + leaseMs,
        attempts: c.attempts + 1,
        updated_at: now,
      })
      .where('id', '=', c.id)
      .where('next_attempt_at', '=', c.next_attempt_at)
      .where('status', '=', c.status)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 1)
      return { ...c, status: 'in_progress', attempts: c.attempts + 1, next_attempt_at: now + leaseMs };
  }
  return undefined;
}

/** Unanswered requests (failed ones too: the person is still owed an answer). */
export async function openRequests(db: Executor, limit: number): Promise<PrivacyRequestTable[]> {
  return db
    .selectFrom('privacy_requests')
    .selectAll()
    .where('status', 'in', [...OPEN_STATUSES])
    .orderBy('due_at')
    .limit(limit)
    .execute();
}

export async function countOverdue(db: Executor, now: number): Promise<number> {
  const r = await db
    .selectFrom('privacy_requests')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('status', 'in', [...OPEN_STATUSES])
    .where('due_at', '<', now)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

export async function requestsOfContact(db: Executor, contactId: string): Promise<PrivacyRequestTable[]> {
  return db.selectFrom('privacy_requests').selectAll().where('contact_id', '=', contactId).execute();
}

/** Exports and inputs of a contact's requests are personal data: erasure clears them, the tombstone rows stay. */
export async function clearRequestData(db: Executor, contactId: string): Promise<number> {
  const r = await db
    .updateTable('privacy_requests')
    .set({ export_enc: null, input_enc: null })
    .where('contact_id', '=', contactId)
    .where((eb) => eb.or([eb('export_enc', 'is not', null), eb('input_enc', 'is not', null)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function pageExists(db: Executor, id: string): Promise<boolean> {
  return (await db.selectFrom('pages').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}

export async function insertCallback(db: Executor, row: PrivacyCallbackTable): Promise<void> {
  await db.insertInto('privacy_callbacks').values(row).execute();
}

export async function findCallback(db: Executor, id: string): Promise<PrivacyCallbackTable | undefined> {
  return db.selectFrom('privacy_callbacks').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findCallbackByCode(db: Executor, code: string): Promise<PrivacyCallbackTable | undefined> {
  return db.selectFrom('privacy_callbacks').selectAll().where('confirmation_code', '=', code).executeTakeFirst();
}

/** The same signed request delivered twice is one callback: same kind, same person, same issue time. */
export async function findCallbackBySignature(
  db: Executor,
  kind: PrivacyCallbackTable['kind'],
  userBidx: string,
  issuedAt: number,
) {
  return db
    .selectFrom('privacy_callbacks')
    .selectAll()
    .where('kind', '=', kind)
    .where('user_bidx', '=', userBidx)
    .where('issued_at', '=', issuedAt)
    .executeTakeFirst();
}

export async function updateCallback(
  db: Executor,
  id: string,
  set: Partial<Omit<PrivacyCallbackTable, 'id'>>,
): Promise<void> {
  await db.updateTable('privacy_callbacks').set(set).where('id', '=', id).execute();
}

/** A received callback whose mapping is due, claimed with a lease like requests. */
export async function claimCallback(
  db: Executor,
  now: number,
  leaseMs: number,
): Promise<PrivacyCallbackTable | undefined> {
  const c = await db
    .selectFrom('privacy_callbacks')
    .selectAll()
    .where('status', '=', 'received')
    .where('next_attempt_at', '<=', now)
    .orderBy('next_attempt_at')
    .limit(1)
    .executeTakeFirst();
  if (!c) return undefined;
  const r = await db
    .updateTable('privacy_callbacks')
    .set({ next_attempt_at: now + leaseMs, attempts: c.attempts + 1, updated_at: now })
    .where('id', '=', c.id)
    .where('next_attempt_at', '=', c.next_attempt_at)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1 ? { ...c, attempts: c.attempts + 1 } : undefined;
}

/** Callbacks whose erasures are under way, to settle once all of them are done. */
export async function callbacksInProgress(db: Executor, limit: number): Promise<PrivacyCallbackTable[]> {
  return db
    .selectFrom('privacy_callbacks')
    .selectAll()
    .where('status', 'in', ['in_progress', 'needs_review'])
    .limit(limit)
    .execute();
}

export async function requestsOfCallback(db: Executor, callbackId: string): Promise<PrivacyRequestTable[]> {
  return db.selectFrom('privacy_requests').selectAll().where('callback_id', '=', callbackId).execute();
}
