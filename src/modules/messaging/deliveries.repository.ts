import { CompiledQuery, sql } from 'kysely';
import type { Dialect } from '../../db/types.ts';
import type { Executor } from '../audit/audit.repository.ts';
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
export async function findDelivery(db: Executor, id: string, pageScope: readonly string[] | null): Promise<DeliveryTable | undefined> {
  let q = db.selectFrom('deliveries').selectAll().where('id', '=', id);
  if (pageScope !== null) q = q.where('page_id', 'in', pageScope.length ? [...pageScope] : ['\u0000']);
  return q.executeTakeFirst();
}

export async function findDeliveryByKey(db: Executor, pageId: string, idempotencyKey: string): Promise<DeliveryTable | undefined> {
  return db.selectFrom('deliveries').selectAll().where('page_id', '=', pageId).where('idempotency_key', '=', idempotencyKey).executeTakeFirst();
}

/**
 * Records Meta's message ids on the history rows, each unless the echo got there first: one statement for the batch
 * on PostgreSQL, one short prepared statement per row on SQLite (as settleSent does, and for the same reason).
 */
export async function setHistoryMids(db: Executor, dialect: Dialect, batch: readonly { messageId: string; mid: string }[]): Promise<void> {
  if (batch.length === 0) return;
  if (dialect === 'sqlite') {
    for (const r of batch) await db.executeQuery(CompiledQuery.raw('update messages set mid = ? where id = ? and mid is null', [r.mid, r.messageId]));
    return;
  }
  const rows = padToBucket(batch);
  const mid = sql<string>`case ${sql.ref('id')} ${sql.join(rows.map((r) => sql`when ${r.messageId} then ${r.mid}`), sql` `)} end`;
  await db.updateTable('messages').set({ mid }).where('id', 'in', rows.map((r) => r.messageId)).where('mid', 'is', null).execute();
}

/** Deliveries by status, for tests, the CLI and operators' dashboards. */
export async function countDeliveriesByStatus(db: Executor, pageId?: string): Promise<Record<string, number>> {
  let q = db.selectFrom('deliveries').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status');
  if (pageId) q = q.where('page_id', '=', pageId);
  const rows = await q.execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
