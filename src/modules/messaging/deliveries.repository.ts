import { CompiledQuery, sql } from 'kysely';
import type { Dialect, Executor } from '../../db/types.ts';
import { padToBucket } from './batch-size.ts';
import type { DeliveryTable } from '../../db/tables/messaging.ts';
import type { MessageTable } from '../../db/tables/conversations.ts';

export async function insertDelivery(db: Executor, row: DeliveryTable): Promise<void> {
  await db.insertInto('deliveries').values(row).execute();
}

export async function insertOutboundMessage(db: Executor, row: MessageTable): Promise<void> {
  await db.insertInto('messages').values(row).execute();
}

/** A delivery of one of the given Pages (null: any Page); another Page's delivery is simply not found. */
export async function findDelivery(
  db: Executor,
  id: string,
  pageScope: readonly string[] | null,
): Promise<DeliveryTable | undefined> {
  let q = db.selectFrom('deliveries').selectAll().where('id', '=', id);
  if (pageScope !== null) q = q.where('page_id', 'in', pageScope.length ? [...pageScope] : ['\u0000']);
  return q.executeTakeFirst();
}

export async function findDeliveryByKey(
  db: Executor,
  pageId: string,
  idempotencyKey: string,
): Promise<DeliveryTable | undefined> {
  return db
    .selectFrom('deliveries')
    .selectAll()
    .where('page_id', '=', pageId)
    .where('idempotency_key', '=', idempotencyKey)
    .executeTakeFirst();
}

/**
 * Records Meta's message ids on the history rows, each unless the echo got there first: one statement for the batch
 * on PostgreSQL, one short prepared statement per row on SQLite (as settleSent does, and for the same reason).
 */
export async function setHistoryMids(
  db: Executor,
  dialect: Dialect,
  batch: readonly { messageId: string; mid: string }[],
): Promise<void> {
  if (batch.length === 0) return;
  if (dialect === 'sqlite') {
    for (const r of batch)
      await db.executeQuery(
        CompiledQuery.raw('update messages set mid = ? where id = ? and mid is null', [r.mid, r.messageId]),
      );
    return;
  }
  const rows = padToBucket(batch);
  const mid = sql<string>`case ${sql.ref('id')} ${sql.join(
    rows.map((r) => sql`when ${r.messageId} then ${r.mid}`),
    sql` `,
  )} end`;
  await db
    .updateTable('messages')
    .set({ mid })
    .where(
      'id',
      'in',
      rows.map((r) => r.messageId),
    )
    .where('mid', 'is', null)
    .execute();
}

/** The id of the Page's history message that Meta gave `mid`, if one has it. */
export async function findMessageIdByMid(db: Executor, pageId: string, mid: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('messages')
    .select('id')
    .where('page_id', '=', pageId)
    .where('mid', '=', mid)
    .executeTakeFirst();
  return row?.id;
}

/** Records Meta's message id on one history row, unless it has one already. */
export async function setHistoryMid(db: Executor, messageId: string, mid: string): Promise<void> {
  await db.updateTable('messages').set({ mid }).where('id', '=', messageId).where('mid', 'is', null).execute();
}

/** Marks a delivery sent as its echo says, unless it already has a result (the Send API's answer came first). */
export async function markSentByEcho(db: Executor, deliveryId: string, mid: string, at: number): Promise<void> {
  await db
    .updateTable('deliveries')
    .set({ mid, status: 'sent', sent_at: at, updated_at: at, lease_owner: null, lease_until: null })
    .where('id', '=', deliveryId)
    .where('status', 'in', ['queued', 'sending'])
    .execute();
}

/**
 * Moves sent messages up to a delivery or read watermark forward; never backwards (watermarks are monotonic). A
 * delivery receipt also names the messages it covers (`mids`): Meta's watermark is its own clock's, which may be
 * earlier than the `sent_at` recorded when its answer reached us, so a message it names is delivered whatever the
 * times say.
 */
export async function advanceDeliveries(
  db: Executor,
  contactId: string,
  to: 'delivered' | 'read',
  watermark: number,
  mids: readonly string[] = [],
): Promise<number> {
  const from = to === 'delivered' ? (['sent'] as const) : (['sent', 'delivered'] as const);
  const set =
    to === 'delivered'
      ? { status: 'delivered' as const, delivered_at: watermark, updated_at: watermark }
      : { status: 'read' as const, read_at: watermark, updated_at: watermark };
  const r = await db
    .updateTable('deliveries')
    .set(set)
    .where('contact_id', '=', contactId)
    .where('status', 'in', [...from])
    .where((eb) =>
      mids.length === 0
        ? eb('sent_at', '<=', watermark)
        : eb.or([eb('sent_at', '<=', watermark), eb('mid', 'in', [...mids])]),
    )
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/**
 * A paid Marketing Message's fate from its webhook, found by Meta's tracking id (kept as the delivery's `mid`):
 * delivered (from sent), or failed with Meta's reason (from sent or delivered). Returns whether it changed.
 */
export async function settleMarketingDelivery(
  db: Executor,
  contactId: string,
  trackingId: string,
  to: 'delivered' | 'failed',
  at: number,
  errorMessage?: string,
): Promise<boolean> {
  const set =
    to === 'delivered'
      ? { status: 'delivered' as const, delivered_at: at, updated_at: at }
      : {
          status: 'failed' as const,
          reason: 'marketing_delivery_failed',
          error_code: 'marketing_delivery_failed',
          error_message: (errorMessage ?? 'Meta could not deliver the marketing message').slice(0, 500),
          updated_at: at,
        };
  const r = await db
    .updateTable('deliveries')
    .set(set)
    .where('contact_id', '=', contactId)
    .where('mid', '=', trackingId)
    .where('status', 'in', to === 'delivered' ? ['sent'] : ['sent', 'delivered'])
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Deliveries by status, for tests, the CLI and operators' dashboards. */
export async function countDeliveriesByStatus(db: Executor, pageId?: string): Promise<Record<string, number>> {
  let q = db
    .selectFrom('deliveries')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status');
  if (pageId) q = q.where('page_id', '=', pageId);
  const rows = await q.execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
