// The outbox's queue operations: claiming due deliveries with a lease, and fenced result writes.
//
// A claimed row is `sending` with `next_attempt_at` = the end of its lease, so one index range
// (`status in (queued, sending) and next_attempt_at <= now`) finds both due rows and rows whose worker died.
// `attempts` grows by one on every claim and is the fencing token: a worker whose lease expired and whose row was
// claimed again can no longer write a result, because every write names the attempt it belongs to.
import { CompiledQuery, sql, type SqlBool } from 'kysely';
import type { Dialect, Executor } from '../../db/types.ts';
import type { DeliveryTable } from '../../db/tables/messaging.ts';
import { padToBucket } from './batch-size.ts';

export interface ClaimOptions {
  owner: string;
  now: number;
  leaseMs: number;
  limit: number;
  /**
   * Only these contacts (e.g. those whose previous delivery was just settled): each probe is one index lookup, so a
   * claim costs the number of contacts named, however long the queue. Expired leases are not taken over by it.
   */
  contactIds?: readonly string[];
  /** Only campaign sends, or only the others (agents' and automations'); both when absent. */
  authors?: 'campaign' | 'others';
}

/**
 * Claims up to `limit` due deliveries of active Pages, agents' and automations' sends before campaign sends (a
 * broadcast never holds up a person's reply), oldest due first within each, never one whose contact has an earlier
 * delivery still queued or sending (one contact's messages go out in order). Rows whose worker died (lease
 * expired) are taken over first. Each claim is one atomic UPDATE … WHERE id IN (SELECT …) RETURNING on both
 * dialects; PostgreSQL adds FOR UPDATE SKIP LOCKED so that claimers never wait for each other.
 */
export async function claimPosts(db: Executor, dialect: Dialect, o: ClaimOptions): Promise<DeliveryTable[]> {
  if (o.contactIds) {
    if (o.contactIds.length === 0 || o.limit <= 0) return [];
    return inIdOrder(await claimQuery(db, dialect, o, 'queued').execute());
  }
  const expired = await claimQuery(db, dialect, o, 'sending').execute();
  let room = o.limit - expired.length;
  const replies =
    room > 0 ? await claimQuery(db, dialect, { ...o, limit: room, authors: 'others' }, 'queued').execute() : [];
  room -= replies.length;
  const campaign =
    room > 0 ? await claimQuery(db, dialect, { ...o, limit: room, authors: 'campaign' }, 'queued').execute() : [];
  return [...inIdOrder([...expired, ...replies]), ...inIdOrder(campaign)];
}

// RETURNING gives no order on PostgreSQL; sending in id order keeps the claimed batch in creation order (replies
// first, then campaign sends: the dispatcher starts them in the order given).
function inIdOrder(rows: DeliveryTable[]): DeliveryTable[] {
  return rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * The claim of one status as a query (exported for the query-plan test). Ordered by next_attempt_at alone: the
 * (status, next_attempt_at) index then yields rows in order and the scan stops at the limit instead of sorting
 * every due row. For named contacts there is no order to keep (at most one row each), so the (contact_id, status,
 * id) index finds them directly.
 */
export function claimQuery(db: Executor, dialect: Dialect, o: ClaimOptions, status: 'queued' | 'sending') {
  let due = db
    .selectFrom('deliveries as d')
    .innerJoin('pages as p', 'p.id', 'd.page_id')
    .select('d.id')
    .where('d.status', '=', status)
    // For named contacts, `+ 0` keeps SQLite's planner off the (status, next_attempt_at) index, which would walk the
    // queue, and on the (contact_id, status, id) one.
    .where(o.contactIds ? sql<number>`${sql.ref('d.next_attempt_at')} + 0` : sql.ref('d.next_attempt_at'), '<=', o.now)
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
    .limit(o.limit);
  if (o.authors === 'campaign') due = due.where('d.author', '=', 'campaign');
  if (o.authors === 'others') due = due.where('d.author', '!=', 'campaign');
  due = o.contactIds ? due.where('d.contact_id', 'in', padToBucket(o.contactIds)) : due.orderBy('d.next_attempt_at');
  if (dialect === 'postgres') due = due.forUpdate('d').skipLocked();
  const until = o.now + o.leaseMs;
  let claim = db
    .updateTable('deliveries')
    .set({
      status: 'sending',
      attempts: sql<number>`attempts + 1`,
      lease_owner: o.owner,
      lease_until: until,
      next_attempt_at: until,
      updated_at: o.now,
    })
    // On PostgreSQL `id = any(array(…))` runs the subquery once (an InitPlan). As `id in (…)` the planner may make it
    // the inner side of a nested loop and run it again for each row: each run skips the rows the previous ones
    // locked and returns the next, so the claim takes more than `limit` rows.
    .where(
      dialect === 'postgres'
        ? sql<SqlBool>`${sql.ref('id')} = any(array(${due}))`
        : sql<SqlBool>`${sql.ref('id')} in (${due})`,
    );
  // PostgreSQL re-checks the status of rows it had to wait for. On SQLite the statement runs alone under the write
  // lock, so the subquery's check suffices; repeating it here would make SQLite pick the status index and walk
  // every row of that status instead of the primary key (a claim then costs O(queue length)).
  if (dialect === 'postgres') claim = claim.where('status', '=', status);
  return claim.returningAll();
}

export type ResultSet = Partial<
  Pick<
    DeliveryTable,
    | 'status'
    | 'reason'
    | 'error_code'
    | 'error_message'
    | 'meta_code'
    | 'meta_subcode'
    | 'mid'
    | 'next_attempt_at'
    | 'sent_at'
    | 'messaging_type'
    | 'tag'
  >
>;

/**
 * Writes the outcome of attempt `attempt`, only if that attempt still holds the row; false when it was fenced off
 * (its lease expired and another worker claimed the row, or the echo already recorded the send).
 */
export async function settleAttempt(
  db: Executor,
  id: string,
  attempt: number,
  set: ResultSet,
  now: number,
): Promise<boolean> {
  const r = await db
    .updateTable('deliveries')
    .set({ ...set, lease_owner: null, lease_until: null, updated_at: now })
    .where('id', '=', id)
    .where('attempts', '=', attempt)
    .where('status', '=', 'sending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** One sent attempt to record: Meta's message id and the labels the send went out with. */
export interface SentAttempt {
  id: string;
  attempt: number;
  mid: string;
  labels?: Pick<DeliveryTable, 'messaging_type' | 'tag'>;
}

/**
 * `settleAttempt` for many sent attempts (a busy dispatcher's turn), each still fenced by its own attempt number.
 * Returns the ids it settled; the others were fenced off and are left unchanged. PostgreSQL takes the batch in one
 * statement (a round trip saved per row); SQLite, in process, runs one short prepared statement per row, which costs
 * less than one statement whose every row walks a CASE over the whole batch for each column.
 */
export async function settleSent(
  db: Executor,
  dialect: Dialect,
  batch: readonly SentAttempt[],
  now: number,
): Promise<Set<string>> {
  if (batch.length === 0) return new Set();
  if (dialect === 'postgres') return new Set((await settleSentQuery(db, batch, now).execute()).map((r) => r.id));
  const settled = new Set<string>();
  for (const r of batch) {
    const { numAffectedRows } = await db.executeQuery(settleSentRow(r, now));
    if (Number(numAffectedRows ?? 0) === 1) settled.add(r.id);
  }
  return settled;
}

const SETTLE_SENT = `update deliveries set status = 'sent', mid = ?, sent_at = ?, error_code = null, error_message = null,
  meta_code = null, meta_subcode = null, lease_owner = null, lease_until = null, updated_at = ?`;
const FENCED = `where id = ? and attempts = ? and status = 'sending'`;

/** SQLite's statement of settleSent for one row (exported for the query-plan test); labels not given are kept. */
export function settleSentRow(r: SentAttempt, now: number): CompiledQuery {
  return r.labels
    ? CompiledQuery.raw(`${SETTLE_SENT}, messaging_type = ?, tag = ? ${FENCED}`, [
        r.mid,
        now,
        now,
        r.labels.messaging_type,
        r.labels.tag,
        r.id,
        r.attempt,
      ])
    : CompiledQuery.raw(`${SETTLE_SENT} ${FENCED}`, [r.mid, now, now, r.id, r.attempt]);
}

/**
 * PostgreSQL's statement of settleSent: the whole batch, each row's values picked by CASE id WHEN … END, with the
 * column's own value as the fallback for an absent label.
 */
export function settleSentQuery(db: Executor, batch: readonly SentAttempt[], now: number) {
  const rows = padToBucket(batch);
  const perRow = <T>(value: (r: SentAttempt) => unknown) =>
    sql<T>`case ${sql.ref('id')} ${sql.join(
      rows.map((r) => sql`when ${r.id} then ${value(r)}`),
      sql` `,
    )} end`;
  return db
    .updateTable('deliveries')
    .set({
      status: 'sent',
      mid: perRow<string>((r) => r.mid),
      sent_at: now,
      error_code: null,
      error_message: null,
      meta_code: null,
      meta_subcode: null,
      messaging_type: perRow<string | null>((r) => (r.labels ? r.labels.messaging_type : sql.ref('messaging_type'))),
      tag: perRow<string | null>((r) => (r.labels ? r.labels.tag : sql.ref('tag'))),
      lease_owner: null,
      lease_until: null,
      updated_at: now,
    })
    .where(
      'id',
      'in',
      rows.map((r) => r.id),
    )
    .where('status', '=', 'sending')
    .where(
      'attempts',
      '=',
      perRow<number>((r) => sql`cast(${r.attempt} as integer)`),
    )
    .returning('id');
}

/** Who holds leases on deliveries being sent. */
export async function sendingLeaseOwners(db: Executor): Promise<string[]> {
  const rows = await db
    .selectFrom('deliveries')
    .select('lease_owner')
    .distinct()
    .where('status', '=', 'sending')
    .where('lease_owner', 'is not', null)
    .execute();
  return rows.map((r) => r.lease_owner!);
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
