// Preparing a claimed send: the policy re-checked at send time (the contact may have opted out, blocked the Page or
// been erased since the delivery was queued) and the Send API body built from the decrypted message and recipient.
import type { AppContext } from '../../kernel/context.ts';
import type { PageTable } from '../../db/tables/foundation.ts';
import type { MarketingMessageBody, SendMessageBody } from '../../platform/index.ts';
import { marketingAccount } from '../pages/marketing-messages.ts';
import { decryptPageToken } from '../pages/register-page.ts';
import { openContactField } from '../../crypto/contact-layer.ts';
import type { ClaimedSend } from './claim-sends.ts';
import { CONSENT_CONFIRMATION_CREATOR, decideFor, decideMarketingFor, MARKETING_MESSAGE_TYPE } from './enqueue-send.ts';
import type { Attempt } from './record-outcome.ts';
import { findMarketingSubscription, findMetaCampaignId, type SendTarget } from './send-targets.repository.ts';
import type { SendOutcome } from './send-outcome.ts';

/** A send ready for the Send API: the attempt it belongs to, its body, the Page's token and its rate-limit kind. */
export interface PreparedSend extends Attempt {
  body: SendMessageBody;
  token: string;
  kind: 'text' | 'media';
  /** A paid Marketing Message: sent to `act_<adAccountId>/messages` with this body instead of the Send API. */
  marketing?: { adAccountId: string; body: MarketingMessageBody };
}

/** Decrypted Page tokens, kept while the Page's ciphertext stays the same (a re-registered Page gets a new one). */
export class PageTokens {
  private readonly cache = new Map<string, { enc: string; token: string }>();

  constructor(private readonly ctx: AppContext) {}

  of(page: PageTable): string {
    const cached = this.cache.get(page.id);
    if (cached?.enc === page.access_token_enc) return cached.token;
    const token = decryptPageToken(this.ctx, page);
    this.cache.set(page.id, { enc: page.access_token_enc, token });
    return token;
  }
}

/**
 * Re-decides a claimed delivery at `now` and builds its Send API body, or says why it is not sent: skipped (erased,
 * invalid recipient, refused by the policy) or back to the queue (its Page is paused or disabled). Reads the
 * marketing subscription of a campaign's contact; writes nothing.
 */
export async function prepareSend(
  ctx: AppContext,
  tokens: PageTokens,
  c: Pick<ClaimedSend, 'delivery' | 'target' | 'page'>,
  now: number,
): Promise<PreparedSend | SendOutcome> {
  const { delivery: d, target, page } = c;
  if (!target || !page || target.status === 'erased') return { type: 'skipped', reason: 'erased' };
  if (target.psid_invalid_at !== null) return { type: 'skipped', reason: 'invalid_recipient' };
  const isConfirmation = d.created_by === CONSENT_CONFIRMATION_CREATOR;
  const sub = d.author === 'campaign' ? await findMarketingSubscription(ctx.db, d.contact_id) : undefined;
  const marketingToken = sub
    ? { status: sub.status, expiresAt: sub.expires_at, lastMarketingSentAt: sub.last_sent_at }
    : null;
  if (d.messaging_type === MARKETING_MESSAGE_TYPE) return prepareMarketing(ctx, tokens, c, target, page, sub, now);
  const decision = decideFor(target, page, { author: d.author, kind: d.kind, isConfirmation, marketingToken }, now);
  if (!decision.allowed) {
    const paused = decision.reason === 'page_unauthorized' || decision.reason === 'page_disabled';
    return paused ? { type: 'requeue', at: now } : { type: 'skipped', reason: decision.reason };
  }
  const bodyAd = { table: 'deliveries', column: 'body_enc', pageId: d.page_id, rowId: d.id };
  const message = JSON.parse(openContactField(ctx, d.contact_id, d.body_enc, bodyAd)) as Record<string, unknown>;
  // Meta echoes the metadata back: it ties the echo of our own send to its delivery.
  message.metadata = d.id;
  const viaToken = decision.marketingToken && sub ? sub : null;
  let body: SendMessageBody;
  if (viaToken) {
    const tokenAd = { table: 'marketing_subscriptions', column: 'token_enc', pageId: d.page_id, rowId: viaToken.id };
    const recipient = { notification_messages_token: openContactField(ctx, d.contact_id, viaToken.token_enc, tokenAd) };
    body = { recipient, message };
  } else {
    const psidAd = { table: 'contacts', column: 'psid_enc', pageId: d.page_id, rowId: target.id };
    body = {
      recipient: { id: openContactField(ctx, target.id, target.psid_enc, psidAd) },
      messaging_type: decision.messagingType,
      ...(decision.tag && { tag: decision.tag }),
      message,
    };
  }
  return {
    delivery: d,
    attempt: d.attempts,
    body,
    token: tokens.of(page),
    kind: d.kind === 'media' ? 'media' : 'text',
    labels: { messaging_type: decision.marketingToken ? null : decision.messagingType, tag: decision.tag ?? null },
    marketingSubscriptionId: viaToken ? viaToken.id : null,
  };
}

type Subscription = Awaited<ReturnType<typeof findMarketingSubscription>>;

// A paid Marketing Message: the Marketing Messages policy again at send time (the Page's switch, consent, the token,
// 12 hours, the region), then the body of `act_<id>/messages` naming the campaign's message campaign at Meta.
async function prepareMarketing(
  ctx: AppContext,
  tokens: PageTokens,
  c: Pick<ClaimedSend, 'delivery'>,
  target: SendTarget,
  page: PageTable,
  sub: Subscription,
  now: number,
): Promise<PreparedSend | SendOutcome> {
  const d = c.delivery;
  const [account, metaCampaignId] = await Promise.all([
    marketingAccount(ctx.db, page.id),
    d.campaign_id === null ? null : findMetaCampaignId(ctx.db, d.campaign_id),
  ]);
  const state = sub ? { status: sub.status, expiresAt: sub.expires_at, lastMarketingSentAt: sub.last_sent_at } : null;
  const decision = decideMarketingFor(target, page, state, account !== null, now);
  if (!decision.allowed) {
    const paused = decision.reason === 'page_unauthorized' || decision.reason === 'page_disabled';
    return paused ? { type: 'requeue', at: now } : { type: 'skipped', reason: decision.reason };
  }
  // The sender creates the message campaign before queueing; a send without one waits for it.
  if (!sub || !account || metaCampaignId === null) return { type: 'requeue', at: now + 5000 };
  const bodyAd = { table: 'deliveries', column: 'body_enc', pageId: d.page_id, rowId: d.id };
  const message = JSON.parse(openContactField(ctx, d.contact_id, d.body_enc, bodyAd)) as Record<string, unknown>;
  const tokenAd = { table: 'marketing_subscriptions', column: 'token_enc', pageId: d.page_id, rowId: sub.id };
  const subscriptionToken = openContactField(ctx, d.contact_id, sub.token_enc, tokenAd);
  const body: MarketingMessageBody = {
    message_id: metaCampaignId,
    messenger_delivery_data: { subscription_token: subscriptionToken },
    message,
  };
  return {
    delivery: d,
    attempt: d.attempts,
    body: { recipient: { notification_messages_token: subscriptionToken }, message },
    marketing: { adAccountId: account.adAccountId, body },
    token: tokens.of(page),
    kind: d.kind === 'media' ? 'media' : 'text',
    labels: { messaging_type: MARKETING_MESSAGE_TYPE, tag: null },
    marketingSubscriptionId: sub.id,
  };
}
