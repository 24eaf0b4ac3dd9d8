import type { ContactTable } from '../../db/tables/conversations.ts';
import type {
  AccountLinkingEvent,
  FeedbackEvent,
  PostbackEvent,
  ReactionEvent,
  ReferralEvent,
  RequestThreadControlEvent,
} from '../../platform/index.ts';
import { findContactById, touchByUserAction, touchContact } from '../contacts/contacts.repository.ts';
import { forgetAccountLinking, recordAccountLinking } from '../contacts/identity-links.ts';
import { defined, recordContactEvent, type EffectContext } from './effect-context.ts';
import { recordPostbackInHistory } from './effects-messages.ts';
import { noteMessageChannel, noteThreadRequest } from '../conversations/thread-owner.ts';
import { recordMessageUpdate } from '../conversations/conversation-activity.ts';

/** A button press: activity, history, window refresh, reachability, then the inbound hooks with the payload. */
export async function applyPostback(e: EffectContext, contact: ContactTable, ev: PostbackEvent): Promise<void> {
  await recordContactEvent(
    e,
    contact,
    'postback',
    ev.timestamp,
    defined({ mid: ev.mid, title: ev.title, payload: ev.payload, referral: ev.referral, channel: ev.channel }),
  );
  await recordPostbackInHistory(e, contact, ev);
  const touched = await touchByUserAction(e.trx, contact, ev.timestamp, e.now, { inbound: true });
  const ownerChanged = await noteMessageChannel(e.trx, e.ctx, contact, ev.channel, ev.timestamp);
  if (e.ctx.inboundHooks.names().length === 0) return;
  const after = (ownerChanged ? await findContactById(e.trx, contact.id, null) : touched) ?? contact;
  await e.ctx.inboundHooks.run({
    ctx: e.ctx,
    trx: e.trx,
    contact: after,
    event: ev,
    ...(ev.payload !== undefined && { payload: ev.payload }),
  });
}

/** m.me links, ads and QR codes opening an existing thread; then the inbound hooks (an order may wait for the ref). */
export async function applyReferral(e: EffectContext, contact: ContactTable, ev: ReferralEvent): Promise<void> {
  await recordContactEvent(
    e,
    contact,
    'referral',
    ev.timestamp,
    defined({ ref: ev.ref, source: ev.source, type: ev.type, ad_id: ev.adId, referer_uri: ev.refererUri }),
  );
  const touched = await touchByUserAction(e.trx, contact, ev.timestamp, e.now);
  if (e.ctx.inboundHooks.names().length === 0) return;
  const after = touched ?? contact;
  await e.ctx.inboundHooks.run({ ctx: e.ctx, trx: e.trx, contact: after, event: ev });
}

/**
 * A reaction is a user action (it opens the window) and activity on the message it targets, which the history shows
 * with it (message-activity.ts); the inbox hears of it.
 */
export async function applyReaction(e: EffectContext, contact: ContactTable, ev: ReactionEvent): Promise<void> {
  await recordContactEvent(
    e,
    contact,
    'reaction',
    ev.timestamp,
    defined({ mid: ev.mid, action: ev.action, reaction: ev.reaction, emoji: ev.emoji }),
  );
  await recordMessageUpdate(e.trx, e.ctx, contact.page_id, contact.id);
  await touchByUserAction(e.trx, contact, ev.timestamp, e.now);
}

/**
 * Account linking: the business's authorization code is kept (encrypted) as activity and, as a keyed hash, links
 * this contact to the same person's contacts on other Pages or reconciles it with an older record on this Page.
 * Unlinking removes the links that account linking made for this contact and its stored codes.
 */
export async function applyAccountLinking(
  e: EffectContext,
  contact: ContactTable,
  ev: AccountLinkingEvent,
): Promise<void> {
  await recordContactEvent(
    e,
    contact,
    `account_${ev.status}`,
    ev.timestamp,
    defined({ authorization_code: ev.authorizationCode }),
  );
  await touchByUserAction(e.trx, contact, ev.timestamp, e.now);
  if (ev.status === 'unlinked') await forgetAccountLinking(e.trx, contact.id);
  else if (ev.authorizationCode !== undefined && ev.authorizationCode !== '')
    await recordAccountLinking(e.ctx, e.trx, contact, ev.authorizationCode, e.now);
}

export async function applyFeedback(e: EffectContext, contact: ContactTable, ev: FeedbackEvent): Promise<void> {
  await recordContactEvent(e, contact, 'feedback', ev.timestamp, { screens: ev.screens });
  await touchByUserAction(e.trx, contact, ev.timestamp, e.now);
}

export async function applyThreadRequest(
  e: EffectContext,
  contact: ContactTable,
  ev: RequestThreadControlEvent,
): Promise<void> {
  await recordContactEvent(
    e,
    contact,
    'request_thread_control',
    ev.timestamp,
    defined({ requested_owner_app_id: ev.requestedOwnerAppId, metadata: ev.metadata }),
  );
  await touchContact(e.trx, contact.id, ev.timestamp, e.now, {});
  if (ev.requestedOwnerAppId !== undefined)
    await noteThreadRequest(e.trx, e.ctx, contact, ev.requestedOwnerAppId, ev.timestamp);
}
