import { sql } from 'kysely';
import type { Executor } from '../../db/types.ts';
import type { Dialect } from '../../db/types.ts';
import type { Insertable, Selectable } from 'kysely';
import type { InboxEventTable } from '../../db/tables/inbox.ts';
import { PreparedInsert } from '../../db/prepared.ts';
import { gatherOrInsert } from '../../db/gathered-inserts.ts';

export type NewInboxEvent = Omit<Insertable<InboxEventTable>, 'seq'>;
export type InboxEvent = Selectable<InboxEventTable>;

const PG_EVENTS_LOCK = 7_361_402_201;

/** The PostgreSQL channel told at each commit that appended events (NOTIFY is delivered at commit, if any). */
export const PG_EVENTS_CHANNEL = 'pagescope_inbox_events';

const appendedListeners = new Set<() => void>();

/**
 * Calls `fn` whenever this thread appends events, in the appending transaction (before it commits: a look at once
 * may not see them yet, see EventFeed.wake); returns the unsubscribe function. A hint only, per thread: several apps
 * in one process (tests) may wake each other's readers for nothing, which costs a look.
 */
export function onEventsAppended(fn: () => void): () => void {
  appendedListeners.add(fn);
  return () => appendedListeners.delete(fn);
}

/** Tells this thread's listeners that events were appended elsewhere (the processing thread, over its port). */
export function announceEventsAppended(): void {
  for (const fn of appendedListeners) fn();
}

/**
 * Appends events in the caller's transaction, so they commit with the change they describe or not at all. On
 * PostgreSQL the appends of concurrent transactions are serialised by a transaction-scoped advisory lock, so seqs
 * become visible in the order they were given and a reader that has seen seq N never later finds a smaller one;
 * a NOTIFY in the same transaction wakes the readers of every process at its commit. SQLite has one writer: the
 * order holds by itself. Readers find new events by looking (see EventFeed); the wake-ups only make them look sooner.
 */
export async function appendEvents(db: Executor, dialect: Dialect, events: readonly NewInboxEvent[]): Promise<void> {
  // In a processing turn they are gathered and appended at its end, still in the order given (see gathered-inserts).
  await gatherOrInsert(db, 'inbox_events', events, (d, all) => appendNow(d, dialect, all));
}

async function appendNow(db: Executor, dialect: Dialect, events: readonly NewInboxEvent[]): Promise<void> {
  // The NOTIFY is queued with the lock and delivered at commit (one round trip for both).
  if (dialect === 'postgres')
    await sql`select pg_advisory_xact_lock(${PG_EVENTS_LOCK}), pg_notify(${PG_EVENTS_CHANNEL}, '')`.execute(db);
  await insertEvents.run(db, events);
  announceEventsAppended();
}

const insertEvents = new PreparedInsert<NewInboxEvent>(
  ['page_id', 'type', 'at', 'conversation_id', 'contact_id', 'message_id', 'delivery_id', 'campaign_id'],
  (db, rows) => db.insertInto('inbox_events').values(rows),
);

/** Events after `after` and up to `upTo` on these Pages (null: all), oldest first. */
export async function eventsAfter(
  db: Executor,
  after: number,
  upTo: number,
  pageScope: readonly string[] | null,
  limit: number,
): Promise<InboxEvent[]> {
  let q = db
    .selectFrom('inbox_events')
    .selectAll()
    .where('seq', '>', after)
    .where('seq', '<=', upTo)
    .orderBy('seq')
    .limit(limit);
  if (pageScope !== null) {
    if (pageScope.length === 0) return [];
    q = q.where('page_id', 'in', pageScope);
  }
  const rows = await q.execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq), at: Number(r.at) }));
}

/** The newest seq, and the oldest still kept (0 and 0 when there are none). */
export async function eventBounds(db: Executor): Promise<{ newest: number; oldest: number }> {
  const row = await db
    .selectFrom('inbox_events')
    .select((eb) => [eb.fn.max('seq').as('newest'), eb.fn.min('seq').as('oldest')])
    .executeTakeFirst();
  return { newest: Number(row?.newest ?? 0), oldest: Number(row?.oldest ?? 0) };
}

/** Removes events older than `before` (ms), at most `limit`; the number removed. */
export async function pruneEvents(db: Executor, before: number, limit: number): Promise<number> {
  const r = await db
    .deleteFrom('inbox_events')
    .where('seq', 'in', (eb) =>
      eb.selectFrom('inbox_events').select('seq').where('at', '<', before).orderBy('seq').limit(limit),
    )
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
