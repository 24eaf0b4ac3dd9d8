// The outbox's queue operations: claiming due deliveries with a lease, and fenced result writes.
//
// A claimed row is `sending` with `next_attempt_at` = the end of its lease, so one index range
// (`status in (queued, sending) and next_attempt_at <= now`) finds both due rows and rows whose worker died.
// `attempts` grows by one on every claim and is the fencing token: a worker whose lease expired and whose row was
// claimed again can no longer write a result, because every write names the attempt it belongs to.
import { sql } from 'kysely';
import type { Executor } from '../audit/audit.repository.ts';
import type { Dialect } from '../../db/types.ts';
import type { DeliveryTable } from '../../db/tables/messaging.ts';

export interface ClaimOptions {
  owner: string;
  now: number;
  leaseMs: number;
  limit: number;
}

/**
 * Claims up to `limit` due deliveries of active Pages, oldest due first, never one whose contact has an earlier
 * delivery still queued or sending (one contact's messages go out in order). Rows whose worker died (lease
 * expired) are taken over first. Each claim is one atomic UPDATE … WHERE id IN (SELECT …) RETURNING on both
 * dialects; PostgreSQL adds FOR UPDATE SKIP LOCKED so that claimers never wait for each other.
 */
export async function claimDeliveries(db: Executor, dialect: Dialect, o: ClaimOptions): Promise<DeliveryTable[]> {
  const expired = await claimWhere(db, dialect, o, 'sending', o.limit);
  const fresh = expired.length < o.limit ? await claimWhere(db, dialect, o, 'queued', o.limit - expired.length) : [];
  // RETURNING gives no order on PostgreSQL; sending in id order keeps the claimed batch in creation order.
  return [...expired, ...fresh].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

// One status per query, ordered by next_attempt_at alone: the (status, next_attempt_at) index then yields rows in
// order and the scan stops at the limit instead of sorting every due row.
async function claimWhere(db: Executor, dialect: Dialect, o: ClaimOptions, status: 'queued' | 'sending', limit: number): Promise<DeliveryTable[]> {
  let due = db
    .selectFrom('deliveries as d')
    .innerJoin('pages as p', 'p.id', 'd.page_id')
    .select('d.id')
    .where('d.status', '=', status)
    .where('d.next_attempt_at', '<=', o.now)
    .where('p.status', '=', 'active')
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('deliveries as e')
            .select('e.id')
            .whereRef('e.contact_id', '=', 'd.contact_id')
            .where('e.status', 'in', ['queued', 'sending'])
            .whereRef('e.id', '<', 'd.id'),
        ),
      ),
    )
    .orderBy('d.next_attempt_at')
    .limit(limit);
  if (dialect === 'postgres') due = due.forUpdate('d').skipLocked();
  const until = o.now + o.leaseMs;
  return db
    .updateTable('deliveries')
    .set({ status: 'sending', attempts: sql<number>`attempts + 1`, lease_owner: o.owner, lease_until: until, next_attempt_at: until, updated_at: o.now })
    .where('id', 'in', due)
    .where('status', '=', status)
    .returningAll()
    .execute();
}

export type ResultSet = Partial<
  Pick<
    DeliveryTable,
    | 'status' | 'reason' | 'error_code' | 'error_message' | 'meta_code' | 'meta_subcode' | 'mid' | 'next_attempt_at' | 'sent_at'
    | 'messaging_type' | 'tag'
  >
>;

/**
 * Writes the outcome of attempt `attempt`, only if that attempt still holds the row; false when it was fenced off
 * (its lease expired and another worker claimed the row, or the echo already recorded the send).
 */
export async function settleAttempt(db: Executor, id: string, attempt: number, set: ResultSet, now: number): Promise<boolean> {
  const r = await db
    .updateTable('deliveries')
    .set({ ...set, lease_owner: null, lease_until: null, updated_at: now })
    .where('id', '=', id)
    .where('attempts', '=', attempt)
    .where('status', '=', 'sending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Hands every delivery of a worker back to the queue (a clean stop), so nothing waits for its lease to expire. */
export async function releaseLeases(db: Executor, owner: string, now: number): Promise<number> {
  const r = await db
    .updateTable('deliveries')
    .set({ status: 'queued', lease_owner: null, lease_until: null, next_attempt_at: now, updated_at: now })
    .where('lease_owner', '=', owner)
    .where('status', '=', 'sending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}
