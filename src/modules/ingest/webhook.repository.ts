import type { Executor } from '../../db/types.ts';
import type { WebhookPostTable, WebhookEventTable } from '../../db/tables/conversations.ts';
import { PreparedInsert, PreparedQuery, slotRow } from '../../db/prepared.ts';
import { timeOrderedKey } from '../../lib/time-ordered-key.ts';

/** Stores deliveries in one statement. Identical bodies are all stored here; the processor dedupes them. */
export async function insertPosts(db: Executor, rows: WebhookPostTable[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insertInto('webhook_posts').values(rows).execute();
}

/**
 * Claims each body hash for the first delivery that carries it; returns the ids of the deliveries whose body was
 * claimed by ANOTHER delivery (an earlier one, or an earlier row of this same list). A delivery that claimed its hash
 * in an earlier, committed turn of its own processing (a large delivery is applied over several transactions) is not
 * a duplicate of itself. Runs in the processor's transaction, so a rolled-back turn claims nothing.
 */
export async function claimBodyHashes(
  db: Executor,
  rows: { id: string; body_hash: string }[],
  now: number,
): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const first = new Map<string, string>();
  for (const r of rows) if (!first.has(r.body_hash)) first.set(r.body_hash, r.id);
  const claimed = await insertBodyHashes.run(
    db,
    [...first].map(([body_hash, post_id]) => ({ body_hash, post_id, created_at: now })),
  );
  // Every hash was new (the usual case): each delivery owns its own, and only repeats within the list are duplicates.
  if (claimed === first.size) return new Set(rows.filter((r) => first.get(r.body_hash) !== r.id).map((r) => r.id));
  const owners = await db
    .selectFrom('webhook_body_hashes')
    .select(['body_hash', 'post_id'])
    .where('body_hash', 'in', [...first.keys()])
    .execute();
  const ownerOf = new Map(owners.map((o) => [o.body_hash, o.post_id]));
  return new Set(rows.filter((r) => ownerOf.get(r.body_hash) !== r.id).map((r) => r.id));
}

const insertBodyHashes = new PreparedInsert<{ body_hash: string; post_id: string; created_at: number }>(
  ['body_hash', 'post_id', 'created_at'],
  (db, rows) =>
    db
      .insertInto('webhook_body_hashes')
      .values(rows)
      .onConflict((oc) => oc.column('body_hash').doNothing()),
);

/**
 * Claims up to `limit` pending deliveries whose lease is free, oldest first, in one statement (so SQLite takes the
 * write lock at once and PostgreSQL skips rows another claimer is locking). Returns the ids claimed.
 */
export async function claimPosts(
  db: Executor,
  owner: string,
  now: number,
  leaseMs: number,
  limit: number,
  skipLocked: boolean,
): Promise<string[]> {
  const rows = await db
    .updateTable('webhook_posts')
    .set((eb) => ({ lease_owner: owner, lease_until: now + leaseMs, attempts: eb('attempts', '+', 1) }))
    .where('id', 'in', (eb) => {
      let q = eb
        .selectFrom('webhook_posts')
        .select('id')
        .where('status', '=', 'pending')
        .where((w) => w.or([w('lease_until', 'is', null), w('lease_until', '<', now)]))
        .orderBy('id')
        .limit(limit);
      if (skipLocked) q = q.forUpdate().skipLocked();
      return q;
    })
    .returning('id')
    .execute();
  return rows.map((r) => r.id).sort();
}

/** Keeps this worker's claim on deliveries it is still applying (a large batch takes several turns). */
export async function renewPostLeases(db: Executor, ids: string[], owner: string, until: number): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('webhook_posts')
    .set({ lease_until: until })
    .where('id', 'in', ids)
    .where('lease_owner', '=', owner)
    .where('status', '=', 'pending')
    .execute();
}

/** Who holds leases on pending deliveries. */
export async function postLeaseOwners(db: Executor): Promise<string[]> {
  const rows = await db
    .selectFrom('webhook_posts')
    .select('lease_owner')
    .distinct()
    .where('status', '=', 'pending')
    .where('lease_owner', 'is not', null)
    .execute();
  return rows.map((r) => r.lease_owner!);
}

/** Frees the pending deliveries these owners hold, so they can be claimed at once; returns how many. */
export async function releasePostLeases(db: Executor, owners: string[]): Promise<number> {
  if (owners.length === 0) return 0;
  const r = await db
    .updateTable('webhook_posts')
    .set({ lease_owner: null, lease_until: null })
    .where('lease_owner', 'in', owners)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function loadLeased(db: Executor, ids: string[], owner: string): Promise<WebhookPostTable[]> {
  return db
    .selectFrom('webhook_posts')
    .selectAll()
    .where('id', 'in', ids)
    .where('lease_owner', '=', owner)
    .where('status', '=', 'pending')
    .orderBy('id')
    .execute();
}

/** Marks a delivery done, only while this worker still holds it; false when the lease was lost meanwhile. */
export async function finishPost(
  db: Executor,
  id: string,
  owner: string,
  set: { status: 'processed' | 'duplicate' | 'failed'; eventCount: number | null; error: string | null; now: number },
): Promise<boolean> {
  const finish = set.status === 'failed' ? finishKeepingBody : finishDroppingBody;
  const r = await finish.run(db, {
    id,
    owner,
    status: set.status,
    now: set.now,
    eventCount: set.eventCount,
    error: set.error,
  });
  return r.changed > 0;
}

/** Ids a statement carries at most: well under both databases' limits on bound values. */
const MANY_POSTS = 500;

/**
 * Marks these deliveries processed with their event counts and drops their raw bodies, as finishPost does one at a
 * time, in one statement per event count (one, as a rule) and 500 deliveries; only those this worker still holds.
 */
export async function finishProcessedPosts(
  db: Executor,
  posts: readonly { id: string; eventCount: number }[],
  owner: string,
  now: number,
): Promise<void> {
  const byCount = new Map<number, string[]>();
  for (const p of posts) {
    const ids = byCount.get(p.eventCount) ?? [];
    ids.push(p.id);
    byCount.set(p.eventCount, ids);
  }
  for (const [eventCount, ids] of byCount)
    for (let i = 0; i < ids.length; i += MANY_POSTS)
      await finishing(db, { status: 'processed', now, eventCount, error: null, owner }, true)
        .where('id', 'in', ids.slice(i, i + MANY_POSTS))
        .execute();
}

type Finish = {
  id: string;
  owner: string;
  status: string;
  now: number;
  eventCount: number | null;
  error: string | null;
};

/**
 * The update that finishes deliveries this worker still holds (the caller names which). No raw body is kept past
 * processing (an erasure could not reach the copies in backups): a processed delivery's effects are in the tables and
 * a duplicate's body is a copy. A failed one keeps it until retention.
 */
function finishing(db: Executor, f: Omit<Finish, 'id'>, dropBody: boolean) {
  return db
    .updateTable('webhook_posts')
    .set({
      status: f.status as WebhookPostTable['status'],
      processed_at: f.now,
      event_count: f.eventCount,
      error: f.error,
      lease_owner: null,
      lease_until: null,
      ...(dropBody && { body_enc: null }),
    })
    .where('lease_owner', '=', f.owner)
    .where('status', '=', 'pending');
}

const finishQuery = (dropBody: boolean) =>
  new PreparedQuery<Finish, never>((db, slot) =>
    finishing(
      db,
      {
        owner: slot('owner'),
        status: slot('status'),
        now: slot('now'),
        eventCount: slot('eventCount'),
        error: slot('error'),
      },
      dropBody,
    ).where('id', '=', slot('id')),
  );
const finishDroppingBody = finishQuery(true);
const finishKeepingBody = finishQuery(false);

/** Records an event in the idempotency ledger; true only for the first time this (page, key) is seen. */
export async function insertEventIfNew(db: Executor, row: WebhookEventTable): Promise<boolean> {
  return (await insertEvent.run(db, row)).changed > 0;
}

const insertEvent = new PreparedQuery<WebhookEventTable, never>((db, slot) =>
  db
    .insertInto('webhook_events')
    .values(
      slotRow(slot, [
        'id',
        'page_id',
        'event_key',
        'kind',
        'status',
        'contact_id',
        'occurred_at',
        'post_id',
        'raw_enc',
        'created_at',
      ]),
    )
    .onConflict((oc) => oc.columns(['page_id', 'event_key']).doNothing()),
);

export async function registeredPages(db: Executor, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('pages').select('id').where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}

/**
 * Drops the raw body of settled deliveries whose processing ended before `cutoff` (processing drops a processed one's
 * body at once; a failed one keeps it until here); returns how many were purged.
 */
export async function purgePostBodies(db: Executor, cutoff: number, limit: number): Promise<number> {
  const ids = await db
    .selectFrom('webhook_posts')
    .select('id')
    .where('status', 'in', ['processed', 'failed'])
    .where('body_enc', 'is not', null)
    .where('processed_at', '<', cutoff)
    .limit(limit)
    .execute();
  if (ids.length === 0) return 0;
  await db
    .updateTable('webhook_posts')
    .set({ body_enc: null, status: 'purged' })
    .where(
      'id',
      'in',
      ids.map((r) => r.id),
    )
    .where('status', 'in', ['processed', 'failed'])
    .execute();
  return ids.length;
}

/** Drops the raw copy of events stored before `cutoff`. */
export async function purgeEventRaw(db: Executor, cutoff: number, limit: number): Promise<number> {
  const ids = await db
    .selectFrom('webhook_events')
    .select('id')
    .where('raw_enc', 'is not', null)
    .where('created_at', '<', cutoff)
    .limit(limit)
    .execute();
  if (ids.length === 0) return 0;
  await db
    .updateTable('webhook_events')
    .set({ raw_enc: null })
    .where(
      'id',
      'in',
      ids.map((r) => r.id),
    )
    .execute();
  return ids.length;
}

/**
 * Drops, at most `limit` at a time, the hashes of bodies sent before `cutoff` (the time in the body, which leads each
 * key: they are the first keys of the index) and stored before it too. A body without a time (keyed under time 0) or
 * with a time long past goes once it was stored before the cutoff.
 */
export async function purgeBodyHashes(db: Executor, cutoff: number, limit: number): Promise<number> {
  const r = await db
    .deleteFrom('webhook_body_hashes')
    .where('body_hash', 'in', (eb) =>
      eb
        .selectFrom('webhook_body_hashes')
        .select('body_hash')
        .where('body_hash', '<', timeOrderedKey(cutoff, ''))
        .where('created_at', '<', cutoff)
        .limit(limit),
    )
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
