import { idempotencyKeyOf } from './idempotency-keys.ts';
import type {
  MarketingMessageEvent,
  UnkeyedEvent,
  UnknownEvent,
  WebhookChannel,
  WebhookEvent,
} from './webhook-event.types.ts';
import { parseMessage, parsePostback, parseReferralEvent } from './webhook-messages.ts';
import { compact, isObject, Malformed, optId, optObject, optString, optTime, type Json } from './webhook-read.ts';
import {
  parseAccountLinking,
  parseAppRoles,
  parseDelivery,
  parseFeedback,
  parseMessageEdit,
  parseOptin,
  parsePolicyEnforcement,
  parseReaction,
  parseRead,
  parseRequestThreadControl,
  parseThreadControl,
} from './webhook-signals.ts';

export type ItemContext = { channel: WebhookChannel; entryId?: string; entryTime?: number };

type KindFields = Record<string, unknown> & { kind: WebhookEvent['kind'] };

// Order matters only for items carrying several event keys, which Meta does not send; `message` wins.
const PARSERS: [key: string, parse: (item: Json) => KindFields][] = [
  ['message', parseMessage],
  ['postback', parsePostback],
  ['referral', parseReferralEvent],
  ['optin', parseOptin],
  ['read', parseRead],
  ['delivery', parseDelivery],
  ['reaction', parseReaction],
  ['message_edit', parseMessageEdit],
  ['account_linking', parseAccountLinking],
  ['policy_enforcement', parsePolicyEnforcement],
  ['policy-enforcement', parsePolicyEnforcement],
  ['pass_thread_control', parseThreadControl('pass_thread_control')],
  ['take_thread_control', parseThreadControl('take_thread_control')],
  ['request_thread_control', parseRequestThreadControl],
  ['app_roles', parseAppRoles],
  ['messaging_feedback', parseFeedback],
];

// Kinds Meta sends without a person: the recipient is the Page itself.
const PAGE_ONLY = new Set(['app_roles', 'policy_enforcement']);
const ITEM_FRAME = new Set(['sender', 'recipient', 'timestamp']);

/** Turns one `messaging`/`standby` item into a typed event; anything malformed becomes `unknown`, never a throw. */
export function parseMessagingItem(item: unknown, context: ItemContext): WebhookEvent {
  if (!isObject(item)) return unknownEvent(item, context, 'item_not_object');
  try {
    return keyed(parseKnownItem(item, context));
  } catch (error) {
    if (error instanceof Malformed) return unknownEvent(item, context, error.message);
    throw error;
  }
}

/** Turns one `changes` item into a `change` event, or a messaging event when Meta wraps one as `{field, value}`. */
export function parseChangeItem(item: unknown, context: ItemContext): WebhookEvent {
  if (!isObject(item)) return unknownEvent(item, context, 'change_not_object');
  try {
    const field = optString(item, 'field', 'change');
    if (field === undefined) throw new Malformed('change.field: required');
    const value = item.value;
    const marketing = MARKETING_FIELDS[field];
    if (marketing !== undefined)
      return keyed(parseMarketingMessage(isObject(value) ? value : item, marketing, context));
    if (isObject(value) && isObject(value.recipient) && PARSERS.some(([key]) => value[key] !== undefined)) {
      return parseMessagingItem(value, context);
    }
    if (context.entryId === undefined) throw new Malformed('entry.id: required');
    const timestamp = context.entryTime ?? (isObject(value) ? optTime(value, 'timestamp', 'change.value') : undefined);
    if (timestamp === undefined) throw new Malformed('entry.time: required');
    return keyed({ kind: 'change', pageId: context.entryId, timestamp, channel: context.channel, field, value });
  } catch (error) {
    if (error instanceof Malformed) return unknownEvent(item, context, error.message);
    throw error;
  }
}

const MARKETING_FIELDS: Record<string, MarketingMessageEvent['status']> = {
  marketing_message_echoes: 'echo',
  marketing_message_deliveries: 'delivered',
  marketing_message_delivery_failed: 'failed',
};

// Meta's samples are flat (`{field, recipient_id, page_id, …}`); a Page subscription wraps them as `{field, value}`:
// both read the same fields.
function parseMarketingMessage(
  v: Json,
  status: MarketingMessageEvent['status'],
  context: ItemContext,
): Omit<MarketingMessageEvent, 'idempotencyKey'> {
  const trackingId = optString(v, 'marketing_message_tracking_id', 'marketing_message');
  if (trackingId === undefined || trackingId === '')
    throw new Malformed('marketing_message.marketing_message_tracking_id: required');
  const pageId = context.entryId ?? optId(v, 'page_id', 'marketing_message');
  if (pageId === undefined) throw new Malformed('entry.id: required');
  const timestamp = optTime(v, 'timestamp', 'marketing_message') ?? context.entryTime;
  if (timestamp === undefined) throw new Malformed('marketing_message.timestamp: required');
  return compact({
    kind: 'marketing_message' as const,
    status,
    pageId,
    psid: optId(v, 'recipient_id', 'marketing_message'),
    timestamp,
    channel: context.channel,
    trackingId,
    mid: optString(v, 'mid', 'marketing_message'),
    messageCampaignId: optId(v, 'message_id', 'marketing_message'),
    errorMessage: optString(v, 'error_message', 'marketing_message'),
  });
}

/** An `unknown` event keeping the raw value, for storage and the unhandled-events counter. */
export function unknownEvent(raw: unknown, context: ItemContext, reason: string, key?: string): UnknownEvent {
  return keyed(
    compact({
      kind: 'unknown' as const,
      channel: context.channel,
      pageId: context.entryId,
      timestamp: context.entryTime,
      reason,
      key,
      raw,
    }),
  );
}

function parseKnownItem(item: Json, context: ItemContext): UnkeyedEvent {
  const entry = PARSERS.find(([key]) => item[key] !== undefined && item[key] !== null);
  if (!entry) return unrecognized(item, context);
  const fields = entry[1](item);
  const sender = optObject(item, 'sender', 'item');
  const senderId = optId(sender, 'id', 'sender');
  const recipientId = optId(optObject(item, 'recipient', 'item'), 'id', 'recipient');
  const isEcho = fields.kind === 'echo';
  const pageSide = isEcho ? senderId : recipientId;
  const person = PAGE_ONLY.has(fields.kind) ? undefined : isEcho ? recipientId : senderId;
  const pageId = context.entryId ?? pageSide;
  if (pageId === undefined) throw new Malformed('entry.id: required');
  const timestamp = optTime(item, 'timestamp', 'item') ?? context.entryTime;
  if (timestamp === undefined) throw new Malformed('item.timestamp: required');
  return compact({
    pageId,
    psid: person,
    userRef: optString(sender, 'user_ref', 'sender'),
    timestamp,
    channel: context.channel,
    ...fields,
  }) as unknown as UnkeyedEvent;
}

function unrecognized(item: Json, context: ItemContext): UnkeyedEvent {
  const key = Object.keys(item).find((k) => !ITEM_FRAME.has(k));
  const { idempotencyKey: _drop, ...event } = unknownEvent(
    item,
    context,
    'unrecognized_event',
    key !== undefined && /^[a-z][a-z0-9_-]{0,63}$/.test(key) ? key : undefined,
  );
  return event;
}

function keyed<E extends UnkeyedEvent>(event: E): E & { idempotencyKey: string } & WebhookEvent {
  return { ...event, idempotencyKey: idempotencyKeyOf(event) } as E & { idempotencyKey: string } & WebhookEvent;
}
