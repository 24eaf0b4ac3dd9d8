// One builder per webhook shape in the reference (§2). Each returns the messaging item and the subscription field
// that governs whether it is sent. Key order follows Meta's samples.

export interface WebhookEvent {
  field: string;
  pageId: string;
  /** `standby` when another app owns the thread (handover). */
  /** `changes` for fields Meta sends as `{field, value}` (the Marketing Message API's webhooks). */
  channel: 'messaging' | 'standby' | 'changes';
  item: Record<string, unknown>;
}

type Ids = { psid: string; pageId: string; ts: number };

function inbound(field: string, { psid, pageId, ts }: Ids, body: Record<string, unknown>): WebhookEvent {
  return {
    field,
    pageId,
    channel: 'messaging',
    item: { sender: { id: psid }, recipient: { id: pageId }, timestamp: ts, ...body },
  };
}

export interface InboundMessage {
  mid: string;
  text?: string;
  attachments?: unknown[];
  quick_reply?: { payload: string };
  reply_to?: { mid: string; is_self_reply: boolean };
  referral?: Record<string, unknown>;
}

/** `messages`: text, attachments, quick reply, reply, ad referral; `prior_message` after a checkbox opt-in. */
export function messageEvent(ids: Ids, message: InboundMessage, priorUserRef?: string): WebhookEvent {
  const body: Record<string, unknown> = { message };
  if (priorUserRef) body.prior_message = { source: 'checkbox_plugin', identifier: priorUserRef };
  return inbound('messages', ids, body);
}

/** `message_echoes`: sender is the Page, recipient the PSID (or user_ref), app_id a number. */
export function echoEvent(
  ids: Ids & { userRef?: string },
  appId: string,
  message: { mid: string; metadata?: string; text?: string; attachments?: unknown[]; quick_replies?: unknown[] },
): WebhookEvent {
  const m: Record<string, unknown> = { is_echo: true, app_id: Number(appId) };
  if (message.metadata !== undefined) m.metadata = message.metadata;
  m.mid = message.mid;
  if (message.text !== undefined) m.text = message.text;
  if (message.attachments !== undefined) m.attachments = message.attachments;
  if (message.quick_replies !== undefined) m.quick_replies = message.quick_replies;
  const recipient = ids.userRef ? { user_ref: ids.userRef } : { id: ids.psid };
  return {
    field: 'message_echoes',
    pageId: ids.pageId,
    channel: 'messaging',
    item: { sender: { id: ids.pageId }, recipient, timestamp: ids.ts, message: m },
  };
}

/** `message_deliveries`: sender = PSID; `mids` plus a watermark. */
export function deliveryEvent(ids: Ids, mids: string[], watermark: number): WebhookEvent {
  return inbound('message_deliveries', ids, { delivery: { mids, watermark } });
}

/** `message_reads`: everything sent at or before the watermark was read. */
export function readEvent(ids: Ids, watermark: number): WebhookEvent {
  return inbound('message_reads', ids, { read: { watermark } });
}

export const REACTION_EMOJI: Record<string, string> = {
  like: '\u{1F44D}',
  love: '\u{2764}\u{FE0F}',
  smile: '\u{1F606}',
  wow: '\u{1F62E}',
  sad: '\u{1F622}',
  angry: '\u{1F620}',
  dislike: '\u{1F44E}',
};

/** `message_reactions`. */
export function reactionEvent(
  ids: Ids,
  r: { mid: string; reaction: string; emoji: string; action: 'react' | 'unreact' },
): WebhookEvent {
  return inbound('message_reactions', ids, {
    reaction: { reaction: r.reaction, emoji: r.emoji, action: r.action, mid: r.mid },
  });
}

/** `messaging_postbacks`: on the standby channel the payload is left out, as Meta documents. */
export function postbackEvent(
  ids: Ids,
  p: { mid: string; title: string; payload: string; referral?: Record<string, unknown> },
  standby: boolean,
): WebhookEvent {
  const postback: Record<string, unknown> = { mid: p.mid, title: p.title };
  if (!standby) postback.payload = p.payload;
  if (p.referral) postback.referral = p.referral;
  return inbound('messaging_postbacks', ids, { postback });
}

/** `messaging_referrals`: m.me link or ad into an existing thread. */
export function referralEvent(ids: Ids, referral: Record<string, unknown>): WebhookEvent {
  return inbound('messaging_referrals', ids, { referral });
}

/** Checkbox-plugin `messaging_optins`: no sender, only `optin.user_ref`. */
export function checkboxOptinEvent(pageId: string, ts: number, userRef: string, ref?: string): WebhookEvent {
  const optin: Record<string, unknown> = {};
  if (ref !== undefined) optin.ref = ref;
  optin.user_ref = userRef;
  return {
    field: 'messaging_optins',
    pageId,
    channel: 'messaging',
    item: { recipient: { id: pageId }, timestamp: ts, optin },
  };
}

/** Marketing-messages `messaging_optins`: opt-in, or STOP/RESUME with `notification_messages_status`. */
export function marketingOptinEvent(
  ids: Ids,
  o: {
    token: string;
    topic: string;
    payload: string;
    timezone: string;
    status?: 'STOP NOTIFICATIONS' | 'RESUME NOTIFICATIONS';
  },
): WebhookEvent {
  const optin: Record<string, unknown> = {
    type: 'notification_messages',
    payload: o.payload,
    notification_messages_token: o.token,
    notification_messages_timezone: o.timezone,
    token_expiry_timestamp: 0,
    user_token_status: 'NOT_REFRESHED',
  };
  if (o.status) optin.notification_messages_status = o.status;
  optin.title = o.topic;
  return inbound('messaging_optins', ids, { optin });
}

/** `message_edits`: the edited text and how many times the message was edited. */
export function editEvent(ids: Ids, e: { mid: string; text: string; numEdit: number }): WebhookEvent {
  return inbound('message_edits', ids, { message_edit: { mid: e.mid, text: e.text, num_edit: e.numEdit } });
}

/** `messaging_account_linking`: linked with the authorization code, or unlinked. */
export function accountLinkingEvent(ids: Ids, status: 'linked' | 'unlinked', authorizationCode?: string): WebhookEvent {
  const account_linking: Record<string, unknown> = { status };
  if (status === 'linked' && authorizationCode !== undefined) account_linking.authorization_code = authorizationCode;
  return inbound('messaging_account_linking', ids, { account_linking });
}

/** `messaging_handovers`: pass/take carry string app ids; request carries a number, as documented. */
export function handoverEvent(
  ids: Ids,
  kind: 'pass_thread_control' | 'take_thread_control' | 'request_thread_control',
  h: { previous?: string | null; next?: string; requester?: string; metadata?: string },
): WebhookEvent {
  let body: Record<string, unknown>;
  if (kind === 'request_thread_control')
    body = { requested_owner_app_id: Number(h.requester), metadata: h.metadata ?? '' };
  else body = { previous_owner_app_id: h.previous ?? null, new_owner_app_id: h.next, metadata: h.metadata ?? '' };
  return inbound('messaging_handovers', ids, { [kind]: body });
}

/** `messaging_policy_enforcement`: no sender; no reason on unblock. */
export function policyEnforcementEvent(
  pageId: string,
  ts: number,
  action: 'warning' | 'block' | 'unblock',
  reason?: string,
): WebhookEvent {
  const policy_enforcement: Record<string, unknown> = { action };
  if (action !== 'unblock' && reason) policy_enforcement.reason = reason;
  return {
    field: 'messaging_policy_enforcement',
    pageId,
    channel: 'messaging',
    item: { recipient: { id: pageId }, timestamp: ts, policy_enforcement },
  };
}

/**
 * The paid Marketing Message API's webhooks (`marketing_message_echoes`, `_deliveries`, `_delivery_failed`): the flat
 * fields of Meta's samples, as the `value` of a `changes` item of the Page's entry.
 */
export function marketingMessageEvent(
  field: 'marketing_message_echoes' | 'marketing_message_deliveries' | 'marketing_message_delivery_failed',
  ids: Ids,
  m: { appId: string; mid: string; trackingId: string; subscriptionToken: string; messageId: string; error?: string },
): WebhookEvent {
  const value: Record<string, unknown> = {
    recipient_id: ids.psid,
    page_id: ids.pageId,
    app_id: m.appId,
    timestamp: ids.ts,
    mid: m.mid,
    marketing_message_tracking_id: m.trackingId,
    messenger_subscription_token: m.subscriptionToken,
    message_id: m.messageId,
  };
  if (m.error !== undefined) value.error_message = m.error;
  return { field, pageId: ids.pageId, channel: 'changes', item: { field, value } };
}

/** Builds the envelope Meta POSTs: one messaging item per entry, several entries when batched. */
export function envelope(events: WebhookEvent[], time: number): { object: 'page'; entry: Record<string, unknown>[] } {
  return {
    object: 'page',
    entry: events.map((e) => ({ id: e.pageId, time, [e.channel]: [e.item] })),
  };
}
