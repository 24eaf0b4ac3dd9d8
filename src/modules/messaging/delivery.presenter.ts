import type { DeliveryTable } from '../../db/tables/messaging.ts';
import { toIso } from '../../lib/time.ts';

/**
 * The public shape of a delivery (CONTRACT.md): status, Meta's message id once sent, and the error or skip reason.
 * Never the body, the PSID or the lease.
 */
export function presentDelivery(row: DeliveryTable) {
  const error =
    row.status === 'failed' && row.error_code
      ? {
          code: row.error_code,
          message: row.error_message ?? row.error_code,
          ...(row.meta_code !== null && { meta_code: row.meta_code }),
          ...(row.meta_subcode !== null && { meta_subcode: row.meta_subcode }),
        }
      : row.status === 'skipped' && row.reason
        ? { code: row.reason, message: `not sent: ${row.reason.replace(/_/g, ' ')}` }
        : undefined;
  return {
    id: row.id,
    status: row.status,
    contact_id: row.contact_id,
    author: row.author,
    messaging_type: row.messaging_type,
    tag: row.tag,
    attempts: row.attempts,
    ...(row.mid !== null && { message_id: row.mid }),
    ...(error && { error }),
    created_at: toIso(row.created_at),
    sent_at: toIso(row.sent_at),
    delivered_at: toIso(row.delivered_at),
    read_at: toIso(row.read_at),
  };
}

/** The short form of a delivery just queued (the CLI's `send` prints it). */
export function presentQueuedDelivery(row: DeliveryTable) {
  return { id: row.id, status: row.status, messaging_type: row.messaging_type, tag: row.tag };
}

/** The answer to `POST …/messages` (202): `{delivery: {id, status, messaging_type, tag}}`. */
export function presentQueuedSend(row: DeliveryTable) {
  return { delivery: presentQueuedDelivery(row) };
}

export type DeliveryView = ReturnType<typeof presentDelivery>;
