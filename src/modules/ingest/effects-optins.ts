import type { ContactTable, MarketingSubscriptionTable } from '../../db/tables/conversations.ts';
import { newId } from '../../lib/ids.ts';
import type { OptinEvent } from '../../platform/index.ts';
import { touchByUserAction, touchContact } from '../contacts/contacts.repository.ts';
import { recordConsent } from '../consent/ledger.ts';
import { sealContactField } from '../../crypto/contact-layer.ts';
import {
  findSubscription,
  findUserRef,
  insertSubscriptionIfAbsent,
  insertUserRefIfAbsent,
  updateSubscription,
  updateUserRef,
} from './optins.repository.ts';
import { defined, recordContactEvent, type EffectContext } from './effect-context.ts';

async function userRefRow(e: EffectContext, pageId: string, userRef: string, at: number) {
  const bidx = e.ctx.keyring.blindIndex(userRef, 'user-ref');
  const existing = await findUserRef(e.trx, pageId, bidx);
  if (existing) return existing;
  const id = newId('ur', e.now);
  const user_ref_enc = e.ctx.keyring.encrypt(userRef, {
    table: 'user_refs',
    column: 'user_ref_enc',
    pageId,
    rowId: id,
  });
  await insertUserRefIfAbsent(e.trx, {
    id,
    page_id: pageId,
    user_ref_bidx: bidx,
    user_ref_enc,
    contact_id: null,
    opted_in_at: at,
    linked_at: null,
  });
  return (await findUserRef(e.trx, pageId, bidx))!;
}

/** A checkbox opt-in: the user_ref waits (or, when the first message came first, is already linked). */
export async function recordCheckboxOptin(
  e: EffectContext,
  pageId: string,
  userRef: string,
  at: number,
): Promise<void> {
  const row = await userRefRow(e, pageId, userRef, at);
  if (at < row.opted_in_at) await updateUserRef(e.trx, row.id, { opted_in_at: at });
}

/** The person's first message named the user_ref it answers: link it to the contact, whichever event came first. */
export async function linkUserRef(e: EffectContext, contact: ContactTable, userRef: string, at: number): Promise<void> {
  const row = await userRefRow(e, contact.page_id, userRef, at);
  if (row.contact_id === null || row.linked_at === null || at < row.linked_at) {
    await updateUserRef(e.trx, row.id, { contact_id: contact.id, linked_at: at });
    await recordContactEvent(e, contact, 'user_ref_linked', at, null);
  }
}

type SubscriptionStatus = MarketingSubscriptionTable['status'];

/**
 * Marketing-message opt-in, STOP or RESUME: one subscription per contact and topic whose status follows the newest
 * decision (by event time), and marketing consent with it.
 */
async function applyMarketingOptin(e: EffectContext, contact: ContactTable, ev: OptinEvent): Promise<void> {
  const topic = ev.topic ?? ev.title ?? 'default';
  const status: SubscriptionStatus = ev.notificationStatus === 'STOP_NOTIFICATIONS' ? 'stopped' : 'active';
  // The consent ledger is the source of truth: the person's choice is recorded there, with the event that carried it.
  const action = status === 'stopped' ? 'withdraw' : 'grant';
  const safeTopic = topic.replace(/[^A-Za-z0-9_.:-]/g, '_').slice(0, 100);
  for (const purpose of ['marketing', `topic:${safeTopic}`] as const) {
    await recordConsent(e.trx, e.ctx, {
      contactId: contact.id,
      pageId: contact.page_id,
      purpose,
      action,
      source: 'marketing_optin',
      eventId: ev.idempotencyKey,
      actor: 'contact',
      occurredAt: ev.timestamp,
    });
  }
  let sub = await findSubscription(e.trx, contact.id, topic);
  if (!sub && ev.token !== undefined) {
    const id = newId('ms', e.now);
    await insertSubscriptionIfAbsent(e.trx, {
      id,
      page_id: contact.page_id,
      contact_id: contact.id,
      topic,
      token_enc: sealContactField(e.ctx, contact.id, ev.token, {
        table: 'marketing_subscriptions',
        column: 'token_enc',
        pageId: contact.page_id,
        rowId: id,
      }),
      status,
      status_at: ev.timestamp,
      expires_at: ev.tokenExpiry ? ev.tokenExpiry : null,
      timezone: ev.timezone ?? null,
      frequency: ev.frequency ?? null,
      last_sent_at: null,
      created_at: ev.timestamp,
    });
    sub = await findSubscription(e.trx, contact.id, topic);
    if (sub && sub.status_at === ev.timestamp && sub.status === status) return;
  }
  // Same instant, two decisions: STOP wins, so the outcome does not depend on arrival order.
  if (!sub || sub.status_at > ev.timestamp || (sub.status_at === ev.timestamp && sub.status === 'stopped')) return;
  await updateSubscription(e.trx, sub.id, {
    status,
    status_at: ev.timestamp,
    ...(ev.token !== undefined && {
      token_enc: sealContactField(e.ctx, contact.id, ev.token, {
        table: 'marketing_subscriptions',
        column: 'token_enc',
        pageId: contact.page_id,
        rowId: sub.id,
      }),
      expires_at: ev.tokenExpiry ? ev.tokenExpiry : null,
    }),
    ...(ev.timezone !== undefined && { timezone: ev.timezone }),
    ...(ev.frequency !== undefined && { frequency: ev.frequency }),
  });
}

/** Opt-ins of a known person: marketing subscriptions, Send to Messenger and one-time notifications. */
export async function applyOptin(e: EffectContext, contact: ContactTable, ev: OptinEvent): Promise<void> {
  if (ev.optinType === 'notification_messages') await applyMarketingOptin(e, contact, ev);
  await recordContactEvent(
    e,
    contact,
    `optin_${ev.optinType}`,
    ev.timestamp,
    defined({
      ref: ev.ref,
      payload: ev.payload,
      status: ev.notificationStatus,
      topic: ev.topic ?? ev.title,
      message_request: ev.messageRequest,
      ...(ev.optinType === 'one_time_notif' && { token: ev.token }),
    }),
  );
  if (ev.optinType === 'send_to_messenger') await touchByUserAction(e.trx, contact, ev.timestamp, e.now);
  else await touchContact(e.trx, contact.id, ev.timestamp, e.now, {});
}
