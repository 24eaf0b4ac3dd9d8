import { sql } from 'kysely';
import type { MarketingMessageEarlyEventTable } from '../../db/tables/messaging.ts';
import type { Dialect, Executor } from '../../db/types.ts';

// One lock for every decision on a marketing webhook that found no send with its tracking id, and for every record of
// a marketing send's tracking id: a transaction on each side would otherwise miss the other's uncommitted row.
const PG_MARKETING_TRACKING_LOCK = 4_004_011;

/**
 * Serialises, until the end of the transaction, matching marketing webhooks with their sends' tracking ids. On
 * PostgreSQL an advisory lock that both sides take before any row lock (a dispatcher's commit of marketing sends, a
 * processing turn with marketing deliveries or failures), so no transaction waits for it while holding what another
 * needs; SQLite has one writer at a time already.
 */
export async function lockMarketingTracking(db: Executor, dialect: Dialect): Promise<void> {
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${PG_MARKETING_TRACKING_LOCK})`.execute(db);
}

/** Whether the contact has a send recorded under this tracking id (its `mid`). */
export async function marketingSendKnown(db: Executor, contactId: string, trackingId: string): Promise<boolean> {
  const row = await db
    .selectFrom('deliveries')
    .select('id')
    .where('contact_id', '=', contactId)
    .where('mid', '=', trackingId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Keeps an early event; a second one with the same (contact, tracking id, status) changes nothing. */
export async function keepEarlyMarketingEvent(db: Executor, row: MarketingMessageEarlyEventTable): Promise<void> {
  await db
    .insertInto('marketing_message_early_events')
    .values(row)
    .onConflict((oc) => oc.columns(['contact_id', 'tracking_id', 'status']).doNothing())
    .execute();
}

/** The early events waiting for these sends (contact and tracking id), oldest first, deleted as they are read. */
export async function takeEarlyMarketingEvents(
  db: Executor,
  sends: readonly { contactId: string; trackingId: string }[],
): Promise<MarketingMessageEarlyEventTable[]> {
  if (sends.length === 0) return [];
  const rows = await db
    .selectFrom('marketing_message_early_events')
    .selectAll()
    .where('contact_id', 'in', [...new Set(sends.map((s) => s.contactId))])
    .where('tracking_id', 'in', [...new Set(sends.map((s) => s.trackingId))])
    .orderBy('occurred_at')
    .orderBy('id')
    .execute();
  const wanted = new Set(sends.map((s) => `${s.contactId} ${s.trackingId}`));
  const mine = rows.filter((r) => wanted.has(`${r.contact_id} ${r.tracking_id}`));
  if (mine.length > 0)
    await db
      .deleteFrom('marketing_message_early_events')
      .where(
        'id',
        'in',
        mine.map((r) => r.id),
      )
      .execute();
  return mine;
}

/** Early events kept before `cutoff` whose send never came (retention), at most `limit` ids. */
export async function staleEarlyMarketingEvents(db: Executor, cutoff: number, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('marketing_message_early_events')
    .select('id')
    .where('created_at', '<', cutoff)
    .orderBy('created_at')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

export async function deleteEarlyMarketingEvents(db: Executor, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await db.deleteFrom('marketing_message_early_events').where('id', 'in', ids).executeTakeFirst();
  return Number(r.numDeletedRows);
}
