import type { ContactTable } from '../../db/tables/conversations.ts';
import type {
  MarketingMessageEvent,
  DeliveryEvent,
  PolicyEnforcementEvent,
  ReadEvent,
  ThreadControlEvent,
} from '../../platform/index.ts';
import { raiseWatermark, touchContact } from '../contacts/contacts.repository.ts';
import { recordThreadOwner } from '../conversations/thread-owner.ts';
import { ownerAfterHandover } from '../conversations/thread-owner.policy.ts';
import { advanceDeliveries, settleMarketingDelivery } from '../messaging/deliveries.repository.ts';
import {
  keepEarlyMarketingEvent,
  lockMarketingTracking,
  marketingSendKnown,
} from '../messaging/marketing-early-events.repository.ts';
import { newId } from '../../lib/ids.ts';
import { recordDeliveryChanges } from '../conversations/conversation-activity.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { systemActor } from '../access/actor.ts';
import { defined, type EffectContext } from './effect-context.ts';

/** Read and delivery receipts: monotonic watermarks on the contact and on our outbound deliveries. */
export async function applyReceipt(
  e: EffectContext,
  contact: ContactTable,
  ev: ReadEvent | DeliveryEvent,
): Promise<void> {
  const column = ev.kind === 'read' ? 'read_watermark' : 'delivery_watermark';
  await raiseWatermark(e.trx, contact.id, column, ev.watermark, e.now);
  const moved =
    ev.kind === 'read'
      ? await advanceDeliveries(e.trx, contact.id, 'read', ev.watermark)
      : await advanceDeliveries(e.trx, contact.id, 'delivered', ev.watermark, ev.mids);
  if (moved > 0)
    await recordDeliveryChanges(e.trx, e.ctx, [{ pageId: contact.page_id, contactId: contact.id, deliveryId: null }]);
  await touchContact(e.trx, contact.id, ev.timestamp, e.now, {});
}

/**
 * The paid Marketing Message API's webhooks: a delivery or a failure moves the send it names (by Meta's tracking id)
 * on, once; an echo only confirms what the send's answer said. Meta may send them before the send's answer (with the
 * tracking id) is committed: such an event is kept, and the commit of that answer applies it (record-outcome.ts).
 * Idempotent: a redelivery finds nothing to move, or its early event already kept.
 */
export async function applyMarketingMessage(
  e: EffectContext,
  contact: ContactTable,
  ev: MarketingMessageEvent,
): Promise<void> {
  if (ev.status === 'echo') return;
  const status = ev.status;
  const settle = () => settleMarketingDelivery(e.trx, contact.id, ev.trackingId, status, ev.timestamp, ev.errorMessage);
  let moved = await settle();
  if (!moved) {
    // Once the lock is held (the processing turn took it first, process-posts.ts), a dispatcher's commit of this
    // tracking id is either visible or not yet begun.
    await lockMarketingTracking(e.trx, e.ctx.database.dialect);
    moved = await settle();
    if (!moved && !(await marketingSendKnown(e.trx, contact.id, ev.trackingId))) {
      await keepEarlyMarketingEvent(e.trx, {
        id: newId('mme', e.now),
        page_id: contact.page_id,
        contact_id: contact.id,
        tracking_id: ev.trackingId,
        status,
        occurred_at: ev.timestamp,
        error_message: ev.errorMessage?.slice(0, 500) ?? null,
        created_at: e.now,
      });
      return;
    }
  }
  if (moved)
    await recordDeliveryChanges(e.trx, e.ctx, [{ pageId: contact.page_id, contactId: contact.id, deliveryId: null }]);
}

/**
 * Pass/take thread control: who owns the thread follows the newest handover (by event time). Meta sends a pass to the
 * app that receives the thread (us) and a take to the app that loses it (us), see thread-owner.policy.ts.
 */
export async function applyHandover(e: EffectContext, contact: ContactTable, ev: ThreadControlEvent): Promise<void> {
  await recordThreadOwner(e.trx, e.ctx, contact, {
    kind: ev.kind,
    at: ev.timestamp,
    ownerAppId: ownerAfterHandover(ev.kind, ev.newOwnerAppId, e.ctx.config.meta.appId),
    data: defined({
      previous_owner_app_id: ev.previousOwnerAppId,
      new_owner_app_id: ev.newOwnerAppId,
      metadata: ev.metadata,
    }),
  });
  await touchContact(e.trx, contact.id, ev.timestamp, e.now, {});
}

/** Meta's policy notice concerns the whole Page: it goes to the audit log and the operator's log (no personal data in it). */
export async function applyPolicyEnforcement(e: EffectContext, ev: PolicyEnforcementEvent): Promise<void> {
  const details = defined({ action: ev.action, reason: ev.reason?.slice(0, 500), occurred_at: ev.timestamp });
  await appendAudit(
    e.trx,
    systemActor('webhook'),
    { action: 'page.policy_enforcement', pageId: ev.pageId, subjectType: 'page', subjectId: ev.pageId, details },
    e.now,
  );
  e.ctx.logger.warn({ page_id: ev.pageId, action: ev.action }, 'Meta policy enforcement notice for a Page');
}
