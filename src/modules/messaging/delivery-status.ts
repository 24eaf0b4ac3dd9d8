import type { Executor } from '../../db/types.ts';
import { findDelivery, findMessageIdByMid, markSentByEcho, setHistoryMid } from './deliveries.repository.ts';

const DELIVERY_ID = /^dl_[0-9a-z]{26}$/;

/**
 * Attaches an echo of our own send to its delivery: the dispatcher sends the delivery id as the message's
 * `metadata`, and Meta echoes it back. Returns the delivery's history message id when matched, so the processor
 * stores nothing twice. Safe to run before or after the dispatcher records the Send API's answer.
 */
export async function matchEcho(
  db: Executor,
  pageId: string,
  mid: string,
  metadata: string | undefined,
  at: number,
): Promise<string | null> {
  const byMid = await findMessageIdByMid(db, pageId, mid);
  if (byMid) return byMid;
  if (!metadata || !DELIVERY_ID.test(metadata)) return null;
  const delivery = await findDelivery(db, metadata, [pageId]);
  if (!delivery) return null;
  await setHistoryMid(db, delivery.message_id, mid);
  await markSentByEcho(db, delivery.id, mid, at);
  return delivery.message_id;
}
