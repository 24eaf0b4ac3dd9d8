/**
 * Typed webhook events, one per kind Meta sends on a Page's `messaging`, `standby` or `changes` arrays.
 * Field names are camelCase; times are milliseconds since the epoch; ids are strings.
 */
export type WebhookChannel = 'messaging' | 'standby' | 'changes';

export type WebhookEnvelope = { object: string; entry: unknown[] };

type EventBase = {
  /** The Page: `entry.id`, or the Page side of the item when the entry has none. */
  pageId: string;
  /** The person's Page-scoped id; absent when Meta identifies them only by `userRef` or not at all. */
  psid?: string;
  /** Checkbox / chat-plugin reference standing in for a PSID. */
  userRef?: string;
  timestamp: number;
  channel: WebhookChannel;
  /** Stable across redeliveries of the same event; unique within a Page. */
  idempotencyKey: string;
};

export type Attachment = { type: string; url?: string; title?: string; stickerId?: string; payload?: unknown };

export type Referral = {
  ref?: string;
  source?: string;
  type?: string;
  adId?: string;
  refererUri?: string;
  isGuestUser?: boolean;
  productId?: string;
  adsContext?: Record<string, unknown>;
};

export type PriorMessage = { source: string; identifier: string };

export type MessageEvent = EventBase & {
  kind: 'message';
  isEcho: false;
  mid: string;
  text?: string;
  attachments: Attachment[];
  quickReplyPayload?: string;
  replyToMid?: string;
  stickerId?: string;
  referral?: Referral;
  /** A first message after a checkbox opt-in: links this PSID to the earlier user_ref. */
  priorMessage?: PriorMessage;
};

export type EchoEvent = EventBase & {
  kind: 'echo';
  isEcho: true;
  mid: string;
  appId?: string;
  metadata?: string;
  text?: string;
  attachments: Attachment[];
  replyToMid?: string;
};

export type PostbackEvent = EventBase & {
  kind: 'postback';
  mid?: string;
  title?: string;
  payload?: string;
  referral?: Referral;
};

export type ReferralEvent = EventBase & { kind: 'referral' } & Referral;

export type NotificationStatus = 'STOP_NOTIFICATIONS' | 'RESUME_NOTIFICATIONS';

export type OptinEvent = EventBase & {
  kind: 'optin';
  optinType: 'checkbox' | 'send_to_messenger' | 'notification_messages' | 'one_time_notif';
  ref?: string;
  payload?: string;
  messageRequest?: string;
  /** Marketing-message (notification_messages) or one-time-notification token. */
  token?: string;
  notificationStatus?: NotificationStatus;
  topic?: string;
  timezone?: string;
  frequency?: string;
  tokenExpiry?: number;
  userTokenStatus?: string;
  title?: string;
};

export type ReadEvent = EventBase & { kind: 'read'; watermark: number };
export type DeliveryEvent = EventBase & { kind: 'delivery'; watermark: number; mids: string[] };
export type ReactionEvent = EventBase & {
  kind: 'reaction';
  mid: string;
  action: 'react' | 'unreact';
  reaction?: string;
  emoji?: string;
};
export type MessageEditEvent = EventBase & { kind: 'message_edit'; mid: string; text?: string; numEdit?: number };
export type AccountLinkingEvent = EventBase & {
  kind: 'account_linking';
  status: 'linked' | 'unlinked';
  authorizationCode?: string;
};
export type PolicyEnforcementEvent = EventBase & {
  kind: 'policy_enforcement';
  action: 'warning' | 'block' | 'unblock';
  reason?: string;
};
export type ThreadControlEvent = EventBase & {
  kind: 'pass_thread_control' | 'take_thread_control';
  /** Absent when the thread was idle. */
  previousOwnerAppId?: string;
  newOwnerAppId?: string;
  metadata?: string;
};
export type RequestThreadControlEvent = EventBase & {
  kind: 'request_thread_control';
  requestedOwnerAppId?: string;
  metadata?: string;
};
export type AppRolesEvent = EventBase & { kind: 'app_roles'; roles: Record<string, string[]> };

export type FeedbackQuestion = {
  id: string;
  type?: string;
  payload?: string;
  followUp?: { type?: string; payload?: string };
};
export type FeedbackEvent = EventBase & {
  kind: 'feedback';
  screens: { screenId?: string; questions: FeedbackQuestion[] }[];
};

/**
 * The paid Marketing Message API's webhooks (`marketing_message_echoes`, `_deliveries`, `_delivery_failed`): one
 * message sent through `act_<id>/messages`, named by Meta's `marketing_message_tracking_id`.
 */
export type MarketingMessageEvent = EventBase & {
  kind: 'marketing_message';
  status: 'echo' | 'delivered' | 'failed';
  trackingId: string;
  mid?: string;
  /** Meta's message campaign (`message_id` of the send). */
  messageCampaignId?: string;
  /** `marketing_message_delivery_failed`: Meta's reason. */
  errorMessage?: string;
};

export type ChangeEvent = Omit<EventBase, 'psid' | 'userRef'> & { kind: 'change'; field: string; value: unknown };

/** Anything not understood: kept whole so it can be stored raw and counted, never thrown. */
export type UnknownEvent = {
  kind: 'unknown';
  channel: WebhookChannel;
  pageId?: string;
  timestamp?: number;
  /** Short machine-readable explanation, e.g. `unrecognized_event` or `message.mid: expected string`. */
  reason: string;
  /** The item's first unrecognised key, when it looks like an event name (for metrics labels). */
  key?: string;
  raw: unknown;
  idempotencyKey: string;
};

export type WebhookEvent =
  | MessageEvent
  | EchoEvent
  | PostbackEvent
  | ReferralEvent
  | OptinEvent
  | ReadEvent
  | DeliveryEvent
  | ReactionEvent
  | MessageEditEvent
  | AccountLinkingEvent
  | PolicyEnforcementEvent
  | ThreadControlEvent
  | RequestThreadControlEvent
  | AppRolesEvent
  | FeedbackEvent
  | MarketingMessageEvent
  | ChangeEvent
  | UnknownEvent;

export type WebhookEventKind = WebhookEvent['kind'];

/** An event before its idempotency key is derived. */
export type UnkeyedEvent = WebhookEvent extends infer E
  ? E extends WebhookEvent
    ? Omit<E, 'idempotencyKey'>
    : never
  : never;
