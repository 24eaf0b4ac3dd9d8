import type { AppContext } from '../../kernel/context.ts';
import type { InboundEventContext, InboundHooks } from '../../kernel/inbound-hooks.ts';
import { AppError, notFound } from '../../errors.ts';
import { assertCan, pageScopeOf, systemActor, type Actor } from '../access/actor.ts';
import { findContactById } from '../contacts/contacts.repository.ts';
import { refOfEvent } from '../interests/interests.policy.ts';
import { joinOrder } from './join-order.ts';
import type { OrderView } from './order.presenter.ts';
import { findOrderById, unlinkedOrdersByRef } from './orders.repository.ts';
import { presentOrders } from './read-orders.ts';
import { BIDX } from './store-order.ts';

/**
 * An agent links an order to a contact of the same Page from the inbox (anyone who may change its contacts); audited.
 * Linking it again to the same contact changes nothing; an order linked to someone else is a 409. Another Page's
 * order or contact is a 404.
 */
export async function linkOrder(ctx: AppContext, actor: Actor, orderId: string, contactId: string): Promise<OrderView> {
  assertCan(actor, 'contacts:write');
  return ctx.db.transaction().execute(async (trx) => {
    const order = await findOrderById(trx, orderId, pageScopeOf(actor));
    if (!order) throw notFound('order');
    const contact = await findContactById(trx, contactId, [order.page_id]);
    if (!contact) throw notFound('contact');
    const taken = new AppError('conflict', 'the order is linked to another contact', { field: 'contact_id' });
    if (order.contact_id !== null && order.contact_id !== contact.id) throw taken;
    // Two agents linking one order at once: the join's condition lets one win, the other hears a conflict.
    if (order.contact_id === null && !(await joinOrder(trx, ctx, actor, order, contact.id, 'agent'))) throw taken;
    const now = (await findOrderById(trx, orderId, null))!;
    return (await presentOrders(trx, [now]))[0]!;
  });
}

export const LINK_REF_HOOK_NAME = 'order-link-ref';

/** Registers the hook that joins orders to the person who follows their m.me link. */
export function registerOrderLinkRefHook(hooks: InboundHooks): void {
  hooks.register(LINK_REF_HOOK_NAME, joinOrdersByRef, { standby: true });
}

/**
 * A person followed an m.me link (a referral event, the Get Started postback carrying one, or a message with one):
 * every unlinked order of the Page whose `link_ref` is that ref joins their contact, in the processing transaction.
 * A ref that matches nothing changes nothing; the ref is cleared on join, so following the link again joins nothing.
 */
export async function joinOrdersByRef(e: InboundEventContext): Promise<void> {
  const ref = refOfEvent(e.event);
  if (ref === undefined || ref.trim() === '') return;
  const orders = await unlinkedOrdersByRef(e.trx, e.contact.page_id, e.ctx.keyring.blindIndex(ref.trim(), BIDX.ref));
  const actor = systemActor('m.me link');
  for (const order of orders) await joinOrder(e.trx, e.ctx, actor, order, e.contact.id, 'link_ref');
}
