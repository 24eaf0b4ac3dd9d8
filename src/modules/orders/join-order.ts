import type { AppContext } from '../../kernel/context.ts';
import type { Executor } from '../../db/types.ts';
import type { OrderTable } from '../../db/tables/audience.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import type { Actor } from '../access/actor.ts';
import { recordContactChange } from '../conversations/conversation-activity.ts';
import { recordOrderInterests } from '../interests/interests.ts';
import { addTagsWithin } from '../attributes/contact-tags.ts';
import { normaliseTag } from '../attributes/attribute-values.ts';
import { claimOrder, itemsOfOrders, setItemsContact } from './orders.repository.ts';

/** How an order found its contact: named when the shop posted it, by an agent, or by the person following the m.me link. */
export type JoinVia = 'api' | 'agent' | 'link_ref';

/**
 * Joins an unlinked order to a contact of its Page, in the caller's transaction: the order and its lines get the
 * contact, the ref is cleared (a link joins once), the order's categories become interests, the order's tag is set,
 * the inbox hears that the contact changed, and the audit row is written. False (and nothing changed) when the order
 * has a contact already: the update's condition decides, so concurrent joins and redeliveries join once.
 */
export async function joinOrder(
  trx: Executor,
  ctx: AppContext,
  actor: Actor,
  order: OrderTable,
  contactId: string,
  via: JoinVia,
): Promise<boolean> {
  const now = ctx.clock.now();
  const by = actor.type === 'token' || actor.type === 'user' ? actor.id : null;
  if ((await claimOrder(trx, order.id, { contactId, at: now, by })) === 0) return false;
  await setItemsContact(trx, order.id, contactId);
  const items = await itemsOfOrders(trx, [order.id]);
  await recordOrderInterests(trx, {
    contactId,
    pageId: order.page_id,
    orderedAt: Number(order.ordered_at),
    categories: items.map((i) => i.category),
  });
  // A tag stored before tags were normalised on orders may not be one now: it is skipped rather than refused, and the
  // tag cap does not apply, since a join through the m.me link runs inside the webhook event's transaction.
  const tag = order.link_tag === null ? null : normaliseTag(order.link_tag);
  const tagged = tag !== null;
  if (tagged) await addTagsWithin(trx, { id: contactId, page_id: order.page_id }, [tag], null, now, 'exempt');
  await recordContactChange(trx, ctx, order.page_id, contactId);
  await appendAudit(
    trx,
    actor,
    {
      action: 'order.link',
      pageId: order.page_id,
      subjectType: 'order',
      subjectId: order.id,
      details: { contact_id: contactId, via, tagged },
    },
    now,
  );
  return true;
}
