import type { Attachment, EchoEvent, MessageEvent, PostbackEvent, Referral } from './webhook-event.types.ts';
import {
  compact,
  isObject,
  Malformed,
  optArray,
  optBoolean,
  optId,
  optObject,
  optString,
  reqObject,
  reqString,
  type Json,
} from './webhook-read.ts';

type Fields<E> = Omit<E, 'pageId' | 'psid' | 'userRef' | 'timestamp' | 'channel' | 'idempotencyKey'>;

/** Parses `item.message` into a message or, when `is_echo` is true, an echo. */
export function parseMessage(item: Json): Fields<MessageEvent> | Fields<EchoEvent> {
  const message = reqObject(item, 'message', 'item');
  const isEcho = optBoolean(message, 'is_echo', 'message') === true;
  const common = {
    mid: reqString(message, 'mid', 'message'),
    text: optString(message, 'text', 'message'),
    attachments: parseAttachments(message),
    replyToMid: replyToMid(message),
  };
  if (isEcho) {
    return compact({
      kind: 'echo' as const,
      isEcho: true as const,
      ...common,
      appId: optId(message, 'app_id', 'message'),
      metadata: optString(message, 'metadata', 'message'),
    });
  }
  const prior = optObject(item, 'prior_message', 'item');
  return compact({
    kind: 'message' as const,
    isEcho: false as const,
    ...common,
    quickReplyPayload: optString(optObject(message, 'quick_reply', 'message'), 'payload', 'message.quick_reply'),
    stickerId: optId(message, 'sticker_id', 'message'),
    referral: parseReferral(optObject(message, 'referral', 'message'), 'message.referral'),
    priorMessage: prior && {
      source: reqString(prior, 'source', 'prior_message'),
      identifier: reqString(prior, 'identifier', 'prior_message'),
    },
  });
}

/** Parses `item.postback`; standby postbacks legitimately carry no payload. */
export function parsePostback(item: Json): Fields<PostbackEvent> {
  const postback = reqObject(item, 'postback', 'item');
  return compact({
    kind: 'postback' as const,
    mid: optString(postback, 'mid', 'postback'),
    title: optString(postback, 'title', 'postback'),
    payload: optString(postback, 'payload', 'postback'),
    referral: parseReferral(optObject(postback, 'referral', 'postback'), 'postback.referral'),
  });
}

/** Parses a stand-alone `item.referral` (m.me link or ad into an existing thread). */
export function parseReferralEvent(item: Json): Fields<Referral & { kind: 'referral' }> {
  return { kind: 'referral', ...parseReferral(reqObject(item, 'referral', 'item'), 'referral') };
}

function parseReferral(referral: Json | undefined, path: string): Referral | undefined {
  if (!referral) return undefined;
  return compact({
    ref: optString(referral, 'ref', path),
    source: optString(referral, 'source', path),
    type: optString(referral, 'type', path),
    adId: optId(referral, 'ad_id', path),
    refererUri: optString(referral, 'referer_uri', path),
    isGuestUser: optBoolean(referral, 'is_guest_user', path),
    productId: optId(optObject(referral, 'product', path), 'id', `${path}.product`),
    adsContext: optObject(referral, 'ads_context_data', path),
  });
}

function parseAttachments(message: Json): Attachment[] {
  return (optArray(message, 'attachments', 'message') ?? []).map((attachment) => {
    if (!isObject(attachment)) throw new Malformed('message.attachments[]: expected object');
    const payload = optObject(attachment, 'payload', 'attachment');
    return compact({
      type: reqString(attachment, 'type', 'attachment'),
      // The legacy fallback shape keeps url/title beside the payload, and once spelled `URL`.
      url:
        optString(payload, 'url', 'attachment.payload') ??
        optString(attachment, 'url', 'attachment') ??
        optString(attachment, 'URL', 'attachment'),
      title: optString(payload, 'title', 'attachment.payload') ?? optString(attachment, 'title', 'attachment'),
      stickerId: optId(payload, 'sticker_id', 'attachment.payload'),
      payload,
    });
  });
}

function replyToMid(message: Json): string | undefined {
  const replyTo = optObject(message, 'reply_to', 'message');
  return replyTo && reqString(replyTo, 'mid', 'message.reply_to');
}
