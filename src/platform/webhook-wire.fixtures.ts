/**
 * Test support: encodes typed events back into Meta's wire format (snake_case, Meta's spellings), so tests
 * anywhere in the product can build realistic webhook bodies from the same types the parser produces.
 */
import type { Attachment, Referral, UnkeyedEvent, WebhookChannel } from './webhook-event.types.ts';

type Wire = Record<string, unknown>;
type Encodable = Exclude<UnkeyedEvent, { kind: 'change' } | { kind: 'unknown' }>;

/** Builds a Meta envelope with one entry per event, each in its channel's array. */
export function envelopeOf(events: Encodable[], entryTime = 1_700_000_000_000): Wire {
  return {
    object: 'page',
    entry: events.map((event) => ({
      id: event.pageId,
      time: entryTime,
      [event.kind === 'marketing_message' ? 'changes' : arrayKey(event.channel)]: [toWireItem(event)],
    })),
  };
}

/** Encodes one event as the item Meta puts in `messaging` / `standby`. */
export function toWireItem(event: Encodable): Wire {
  if (event.kind === 'marketing_message') return marketingMessage(event);
  return { ...frame(event), ...body(event) };
}

function arrayKey(channel: WebhookChannel): string {
  return channel === 'standby' ? 'standby' : 'messaging';
}

function frame(event: Encodable): Wire {
  const page = { id: event.pageId };
  const person =
    event.psid !== undefined
      ? { id: event.psid }
      : event.userRef !== undefined && event.kind !== 'optin'
        ? { user_ref: event.userRef }
        : undefined;
  if (event.kind === 'echo') return { sender: page, recipient: { id: event.psid }, timestamp: event.timestamp };
  return { ...(person && { sender: person }), recipient: page, timestamp: event.timestamp };
}

function body(event: Exclude<Encodable, { kind: 'marketing_message' }>): Wire {
  switch (event.kind) {
    case 'message':
      return {
        message: drop({
          mid: event.mid,
          text: event.text,
          attachments: event.attachments.length ? event.attachments.map(attachment) : undefined,
          quick_reply: event.quickReplyPayload !== undefined ? { payload: event.quickReplyPayload } : undefined,
          reply_to: event.replyToMid !== undefined ? { mid: event.replyToMid, is_self_reply: false } : undefined,
          sticker_id: event.stickerId !== undefined ? Number(event.stickerId) : undefined,
          referral: event.referral && referral(event.referral),
        }),
        ...(event.priorMessage && { prior_message: event.priorMessage }),
      };
    case 'echo':
      return {
        message: drop({
          is_echo: true,
          app_id: event.appId !== undefined ? Number(event.appId) : undefined,
          metadata: event.metadata,
          mid: event.mid,
          text: event.text,
          attachments: event.attachments.length ? event.attachments.map(attachment) : undefined,
          reply_to: event.replyToMid !== undefined ? { mid: event.replyToMid } : undefined,
        }),
      };
    case 'postback':
      return {
        postback: drop({
          mid: event.mid,
          title: event.title,
          payload: event.payload,
          referral: event.referral && referral(event.referral),
        }),
      };
    case 'referral': {
      const { kind: _k, pageId: _p, psid: _s, userRef: _u, timestamp: _t, channel: _c, ...fields } = event;
      return { referral: referral(fields) };
    }
    case 'optin':
      return { optin: optin(event) };
    case 'read':
      return { read: { watermark: event.watermark } };
    case 'delivery':
      return { delivery: { mids: event.mids, watermark: event.watermark } };
    case 'reaction':
      return { reaction: drop({ mid: event.mid, action: event.action, reaction: event.reaction, emoji: event.emoji }) };
    case 'message_edit':
      return { message_edit: drop({ mid: event.mid, text: event.text, num_edit: event.numEdit }) };
    case 'account_linking':
      return { account_linking: drop({ status: event.status, authorization_code: event.authorizationCode }) };
    case 'policy_enforcement':
      return { policy_enforcement: drop({ action: event.action, reason: event.reason }) };
    case 'pass_thread_control':
    case 'take_thread_control':
      return {
        [event.kind]: drop({
          previous_owner_app_id: event.previousOwnerAppId ?? null,
          new_owner_app_id: event.newOwnerAppId,
          metadata: event.metadata,
        }),
      };
    case 'request_thread_control':
      return {
        request_thread_control: drop({
          requested_owner_app_id:
            event.requestedOwnerAppId !== undefined ? Number(event.requestedOwnerAppId) : undefined,
          metadata: event.metadata,
        }),
      };
    case 'app_roles':
      return { app_roles: event.roles };
    case 'feedback':
      return {
        messaging_feedback: {
          feedback_screens: event.screens.map((screen) => ({
            screen_id: screen.screenId,
            questions: Object.fromEntries(
              screen.questions.map((q) => [q.id, drop({ type: q.type, payload: q.payload, follow_up: q.followUp })]),
            ),
          })),
        },
      };
  }
}

const MARKETING_FIELDS = {
  echo: 'marketing_message_echoes',
  delivered: 'marketing_message_deliveries',
  failed: 'marketing_message_delivery_failed',
} as const;

function marketingMessage(event: Extract<Encodable, { kind: 'marketing_message' }>): Wire {
  const field = MARKETING_FIELDS[event.status];
  const value = drop({
    recipient_id: event.psid,
    page_id: event.pageId,
    timestamp: event.timestamp,
    mid: event.mid,
    marketing_message_tracking_id: event.trackingId,
    message_id: event.messageCampaignId,
    error_message: event.errorMessage,
  });
  return { field, value };
}

function optin(event: Extract<Encodable, { kind: 'optin' }>): Wire {
  const common = { ref: event.ref, payload: event.payload, message_request: event.messageRequest, title: event.title };
  switch (event.optinType) {
    case 'checkbox':
    case 'send_to_messenger':
      return drop({ ...common, user_ref: event.userRef });
    case 'one_time_notif':
      return drop({ ...common, type: 'one_time_notif_req', one_time_notif_token: event.token });
    case 'notification_messages':
      return drop({
        ...common,
        type: 'notification_messages',
        notification_messages_token: event.token,
        // Meta's documented spelling has a space.
        notification_messages_status: event.notificationStatus?.replace('_', ' '),
        notification_messages_topic: event.topic,
        notification_messages_timezone: event.timezone,
        notification_messages_frequency: event.frequency,
        token_expiry_timestamp: event.tokenExpiry,
        user_token_status: event.userTokenStatus,
      });
  }
}

function attachment(a: Attachment): Wire {
  return drop({ type: a.type, payload: a.payload });
}

function referral(r: Referral): Wire {
  return drop({
    ref: r.ref,
    source: r.source,
    type: r.type,
    ad_id: r.adId,
    referer_uri: r.refererUri,
    is_guest_user: r.isGuestUser,
    product: r.productId !== undefined ? { id: r.productId } : undefined,
    ads_context_data: r.adsContext,
  });
}

function drop(wire: Wire): Wire {
  return Object.fromEntries(Object.entries(wire).filter(([, value]) => value !== undefined));
}
