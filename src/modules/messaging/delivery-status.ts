import type { Executor } from '../audit/audit.repository.ts';

/**
 * Attaches an echo of our own send to its delivery: the dispatcher sends the delivery id as the message's
 * `metadata`, and Meta echoes it back. Returns the delivery's history message id when matched, so the processor
 * stores nothing twice. Safe to run before or after the dispatcher records the Send API's answer.
 */
export async function matchEcho(db: Executor, pageId: string, mid: string, metadata: string | undefined, at: number): Promise<string | null> {
  const byMid = await db.selectFrom('messages').select('id').where('page_id', '=', pageId).where('mid', '=', mid).executeTakeFirst();
  if (byMid) return byMid.id;
  if (!metadata || !/^dl_[0-9a-z]{26}$/.test(metadata)) return null;
  const delivery = await db.selectFrom('deliveries').select(['id', 'message_id', 'status']).where('id', '=', metadata).where('page_id', '=', pageId).executeTakeFirst();
  if (!delivery) return null;
  await db.updateTable('messages').set({ mid }).where('id', '=', delivery.message_id).where('mid', 'is', null).execute();
  await db
    .updateTable('deliveries')
    .set({ mid, status: 'sent', sent_at: at, updated_at: at, lease_owner: null, lease_until: null })
    .where('id', '=', delivery.id)
    .where('status', 'in', ['queued', 'sending'])
    .execute();
  return delivery.message_id;
}

/** Moves sent messages up to a delivery or read watermark forward; never backwards (watermarks are monotonic). */
export async function advanceDeliveries(db: Executor, contactId: string, to: 'delivered' | 'read', watermark: number): Promise<number> {
  const from = to === 'delivered' ? (['sent'] as const) : (['sent', 'delivered'] as const);
  const set = to === 'delivered' ? { status: 'delivered' as const, delivered_at: watermark, updated_at: watermark } : { status: 'read' as const, read_at: watermark, updated_at: watermark };
  const r = await db
    .updateTable('deliveries')
    .set(set)
    .where('contact_id', '=', contactId)
    .where('status', 'in', [...from])
    .where('sent_at', '<=', watermark)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}
