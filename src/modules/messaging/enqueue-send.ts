import type { Transaction } from 'kysely';
import { recordOutboundMessage } from '../conversations/conversation-activity.ts';
import type { AppContext } from '../../kernel/context.ts';
import type { DB } from '../../db/types.ts';
import type { DeliveryTable } from '../../db/tables/messaging.ts';
import type { PageTable } from '../../db/tables/foundation.ts';
import { notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { sealContactField } from '../../crypto/contact-layer.ts';
import { insertDelivery, insertOutboundMessage, findDeliveryByKey } from './deliveries.repository.ts';
import {
  decideSend,
  type Author,
  type MarketingTokenState,
  type MessageKind,
  type RefusalReason,
  type SendDecision,
} from './send.policy.ts';
import { decideMarketingMessage } from './marketing.policy.ts';
import { marketingEnabled } from '../pages/marketing-messages.ts';
import { findMarketingSubscription, findPages, findSendTarget, type SendTarget } from './send-targets.repository.ts';

/** `created_by` of the single confirmation after a consent keyword: the one send allowed to an opted-out contact. */
export const CONSENT_CONFIRMATION_CREATOR = 'consent-keywords';

export interface EnqueueSendInput {
  contactId: string;
  author: Author;
  /** The Send API `message` object (see buildMessage); the dispatcher adds the delivery id as `metadata`. */
  message: Record<string, unknown>;
  kind: MessageKind;
  /** The same key on the same Page is the same send: a second enqueue returns the first delivery. */
  idempotencyKey?: string | null;
  /** Who asked (token id, campaign run …); an id, never personal data. */
  createdBy?: string | null;
  campaignId?: string | null;
  /** The one confirmation after an opt-out/opt-in keyword. */
  consentConfirmation?: boolean;
  /** A marketing campaign's send: through Meta's paid Marketing Message API, under its policy (marketing.policy.ts). */
  channel?: 'marketing_messages';
}

/** `messaging_type` of a delivery sent through the paid Marketing Message API (not a Send API messaging type). */
export const MARKETING_MESSAGE_TYPE = 'MARKETING_MESSAGE';

/** The Marketing Messages policy's view of a contact and its Page at `now`. */
export function decideMarketingFor(
  target: SendTarget,
  page: PageTable,
  token: MarketingTokenState | null,
  pageEnabled: boolean,
  now: number,
): SendDecision {
  const d = decideMarketingMessage({
    now,
    contactStatus: target.status,
    pageStatus: page.status,
    pageEnabled,
    consent: { replies: target.consent_replies, marketing: target.consent_marketing },
    token,
    locale: target.locale,
    timezone: target.timezone,
  });
  // The API has no messaging type; the delivery carries MARKETING_MESSAGE so the dispatcher knows its way.
  return d.allowed ? { allowed: true, messagingType: 'UPDATE', marketingToken: true } : d;
}

export type EnqueueResult =
  | { outcome: 'queued' | 'existing' | 'skipped'; delivery: DeliveryTable }
  | { outcome: 'refused'; reason: RefusalReason };

/** The policy's view of a contact and its Page at `now`: shared by enqueue and by the dispatcher's re-check. */
export function decideFor(
  target: SendTarget,
  page: PageTable,
  d: { author: Author; kind: MessageKind; isConfirmation: boolean; marketingToken: MarketingTokenState | null },
  now: number,
): SendDecision {
  return decideSend({
    author: d.author,
    now,
    lastUserActionAt: target.last_user_action_at,
    contactStatus: target.status,
    consent: { replies: target.consent_replies, marketing: target.consent_marketing },
    marketingToken: d.marketingToken,
    pageStatus: page.status,
    isOptOutConfirmation: d.isConfirmation,
    kind: d.kind,
    // Ingest keeps the owner only while another app has the thread (null: pagescope's, or idle).
    threadOwnedElsewhere: target.thread_owner_app_id !== null,
  });
}

export async function marketingStateOf(
  trx: Transaction<DB> | AppContext['db'],
  contactId: string,
): Promise<MarketingTokenState | null> {
  const sub = await findMarketingSubscription(trx, contactId);
  return sub ? { status: sub.status, expiresAt: sub.expires_at, lastMarketingSentAt: sub.last_sent_at } : null;
}

/**
 * Decides and records one send inside the caller's transaction: the delivery row and its outbound history row
 * commit with the change that caused them, or not at all. Idempotent by `(page, idempotencyKey)`. A refused
 * campaign send is recorded as `skipped` with the reason; any other refusal writes nothing and is returned.
 */
export async function enqueueSend(
  trx: Transaction<DB>,
  ctx: AppContext,
  input: EnqueueSendInput,
): Promise<EnqueueResult> {
  const target = await findSendTarget(trx, input.contactId);
  if (!target) throw notFound('contact');
  if (input.idempotencyKey) {
    const existing = await findDeliveryByKey(trx, target.page_id, input.idempotencyKey);
    if (existing) return { outcome: 'existing', delivery: existing };
  }
  const [page] = await findPages(trx, [target.page_id]);
  if (!page) throw notFound('contact');
  const now = ctx.clock.now();
  const isConfirmation = input.consentConfirmation === true;
  const marketingToken = input.author === 'campaign' ? await marketingStateOf(trx, target.id) : null;
  const viaMarketing = input.channel === 'marketing_messages';
  const decision = viaMarketing
    ? decideMarketingFor(target, page, marketingToken, await marketingEnabled(trx, page.id), now)
    : decideFor(target, page, { author: input.author, kind: input.kind, isConfirmation, marketingToken }, now);
  if (!decision.allowed && input.author !== 'campaign') return { outcome: 'refused', reason: decision.reason };

  const id = newId('dl', now);
  const messageId = newId('msg', now);
  const delivery: DeliveryTable = {
    id,
    page_id: page.id,
    contact_id: target.id,
    message_id: messageId,
    author: input.author,
    kind: input.kind,
    messaging_type: viaMarketing ? MARKETING_MESSAGE_TYPE : decision.allowed ? decision.messagingType : null,
    tag: decision.allowed ? (decision.tag ?? null) : null,
    body_enc: sealContactField(ctx, target.id, JSON.stringify(input.message), {
      table: 'deliveries',
      column: 'body_enc',
      pageId: page.id,
      rowId: id,
    }),
    status: decision.allowed ? 'queued' : 'skipped',
    reason: decision.allowed ? null : decision.reason,
    error_code: null,
    error_message: null,
    meta_code: null,
    meta_subcode: null,
    mid: null,
    attempts: 0,
    next_attempt_at: now,
    lease_owner: null,
    lease_until: null,
    campaign_id: input.campaignId ?? null,
    idempotency_key: input.idempotencyKey ?? null,
    created_by: isConfirmation ? CONSENT_CONFIRMATION_CREATOR : (input.createdBy ?? null),
    created_at: now,
    updated_at: now,
    sent_at: null,
    delivered_at: null,
    read_at: null,
  };
  await insertDelivery(trx, delivery);
  if (decision.allowed) {
    await insertOutboundMessage(trx, historyRow(ctx, delivery, input.message, now));
    const text = typeof input.message.text === 'string' ? input.message.text : null;
    await recordOutboundMessage(
      trx,
      ctx,
      {
        id: delivery.message_id,
        page_id: delivery.page_id,
        contact_id: delivery.contact_id,
        sent_at: now,
        author: delivery.author,
      },
      text,
    );
  }
  ctx.metrics.deliveriesByStatus.inc({ status: delivery.status, reason: delivery.reason ?? '' });
  return { outcome: decision.allowed ? 'queued' : 'skipped', delivery };
}

function historyRow(ctx: AppContext, d: DeliveryTable, message: Record<string, unknown>, now: number) {
  const at = (column: string) => ({ table: 'messages', column, pageId: d.page_id, rowId: d.message_id });
  const text = typeof message.text === 'string' ? message.text : null;
  const attachment = message.attachment ?? null;
  return {
    id: d.message_id,
    page_id: d.page_id,
    contact_id: d.contact_id,
    mid: null,
    direction: 'outbound' as const,
    kind: 'message' as const,
    author: d.author,
    text_enc: text === null ? null : sealContactField(ctx, d.contact_id, text, at('text_enc')),
    attachments_enc:
      attachment === null
        ? null
        : sealContactField(ctx, d.contact_id, JSON.stringify([attachment]), at('attachments_enc')),
    quick_reply_enc: null,
    reply_to_mid: null,
    app_id: null,
    delivery_id: d.id,
    sent_at: now,
    created_at: now,
  };
}
