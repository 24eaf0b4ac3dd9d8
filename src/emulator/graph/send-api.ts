// The Send API (`POST /{v}/{page-id|me}/messages`) with Meta's validation and policy, on the emulator's clock.
import { DAY, currentOwner, newMid, touchOwner, type Core } from '../core.ts';
import { errors } from '../graph-error-answers.ts';
import { deliveryEvent, echoEvent, type WebhookEvent } from '../events.ts';
import type { MarketingToken, Page, Thread } from '../world.ts';
import { checkUtilitySend } from './message-templates.ts';
import { obj, str, type Params } from './request.ts';
import { validateMessage, validateTagging, type ValidMessage } from './send-validate.ts';

const SENDER_ACTIONS = ['typing_on', 'typing_off', 'mark_seen', 'react', 'unreact'];

type Target =
  | { kind: 'psid'; thread: Thread }
  | { kind: 'user_ref'; thread: Thread; userRef: string; optedInAt: number }
  | { kind: 'marketing'; thread: Thread; token: MarketingToken };

function resolveRecipient(core: Core, page: Page, recipient: Record<string, unknown>): Target {
  const id = str(recipient.id);
  if (id !== undefined) {
    const thread = core.world.threadByPsid(page.id, id);
    if (!thread) throw errors.noMatchingUser();
    return { kind: 'psid', thread };
  }
  const userRef = str(recipient.user_ref);
  if (userRef !== undefined) {
    const ref = core.world.userRefs.get(userRef);
    if (!ref || ref.page !== page) throw errors.noMatchingUser();
    return { kind: 'user_ref', thread: core.world.contact(page, ref.person), userRef, optedInAt: ref.createdAt };
  }
  const mmToken = str(recipient.notification_messages_token);
  if (mmToken !== undefined) {
    const token = core.world.marketingTokens.get(mmToken);
    if (!token || token.pageId !== page.id) throw errors.invalidNotificationToken();
    const person = core.world.people.get(token.personId);
    if (!person) throw errors.invalidNotificationToken();
    return { kind: 'marketing', thread: core.world.contact(page, person), token };
  }
  if (recipient.one_time_notif_token !== undefined)
    throw errors.param('One-Time Notification tokens are no longer supported');
  if (recipient.phone_number !== undefined)
    throw errors.param('Sending to phone numbers is not available for this Page');
  throw errors.param('The parameter recipient is required');
}

function checkPolicy(
  core: Core,
  target: Target,
  tagging: { messagingType: string; tag?: string } | null,
  now: number,
): void {
  const { thread } = target;
  if (thread.blocked) throw errors.unavailable();
  const owner = currentOwner(thread, now);
  if (owner !== null && owner !== core.opts.appId) throw errors.threadControlled();
  if (target.kind === 'marketing') {
    if (target.token.status === 'stopped') throw errors.notificationsStopped();
    const last = target.token.lastSentAt;
    if (last !== null && now - last < core.opts.policy.marketingMinGapMs) throw errors.notificationFrequency();
    return;
  }
  if (target.kind === 'user_ref') {
    if (now - target.optedInAt > DAY) throw errors.outsideWindow();
    return;
  }
  // An approved utility template may reach a person at any time (reference: Utility Messages).
  if (tagging?.messagingType === 'UTILITY') return;
  const tag = tagging?.tag;
  if (tag && tag !== 'HUMAN_AGENT' && tag !== 'CUSTOMER_FEEDBACK') return; // a deprecated tag, before its cutoff
  const last = thread.lastUserActionAt;
  const allowed = tag ? 7 * DAY : DAY;
  if (last === null || now - last > allowed) throw errors.outsideWindow();
}

function isMedia(core: Core, m: ValidMessage): boolean {
  return m.attachment !== undefined && core.opts.policy.mediaAttachmentTypes.includes(m.attachment.type);
}

function checkRate(core: Core, page: Page, media: boolean, now: number): void {
  const rl = core.opts.rateLimits;
  if (!rl.enabled) return;
  const ok = media
    ? core.limiter.take(`media:${page.id}`, rl.mediaPerSecond, 1000, now)
    : core.limiter.take(`text:${page.id}`, rl.textPerSecond, 1000, now);
  if (!ok) throw errors.rateLimited();
  if (rl.daily && !core.limiter.take(`day:${page.id}`, 200 * Math.max(1, core.world.engagedUsers(page)), DAY, now)) {
    throw errors.appRequestLimit();
  }
}

function senderAction(core: Core, page: Page, params: Params, action: string, now: number): Record<string, unknown> {
  if (!SENDER_ACTIONS.includes(action))
    throw errors.param('param sender_action must be one of {typing_on, typing_off, mark_seen, react, unreact}');
  const recipient = obj(params.recipient);
  if (!recipient) throw errors.param('The parameter recipient is required');
  checkRate(core, page, false, now);
  const target = resolveRecipient(core, page, recipient);
  checkPolicy(core, target, null, now);
  if (action === 'react' || action === 'unreact') {
    const mid = str(obj(params.payload)?.message_id);
    if (!mid || !target.thread.messages.some((m) => m.mid === mid))
      throw errors.param('param payload[message_id] must be a message in this thread');
  }
  return target.kind === 'user_ref' ? {} : { recipient_id: target.thread.psid };
}

/** Sends a message or a sender action; on success records it in the person's inbox and emits echo + delivery. */
export function sendMessage(core: Core, page: Page, params: Params): Record<string, unknown> {
  const now = core.clock.now();
  const rawMessage = params.message;
  const action = str(params.sender_action);
  if (rawMessage !== undefined && action !== undefined) throw errors.messageAndAction();
  if (action !== undefined) return senderAction(core, page, params, action, now);
  const recipient = obj(params.recipient);
  if (!recipient) throw errors.param('The parameter recipient is required');
  if (rawMessage === undefined) throw errors.param('The parameter message is required');
  const message = validateMessage(obj(rawMessage) ?? {});
  const notificationType = params.notification_type;
  if (notificationType !== undefined && !['REGULAR', 'SILENT_PUSH', 'NO_PUSH'].includes(String(notificationType))) {
    throw errors.param('param notification_type must be one of {REGULAR, SILENT_PUSH, NO_PUSH}');
  }
  const isMarketing = recipient.notification_messages_token !== undefined;
  const tagging = isMarketing
    ? null
    : validateTagging(params, now, core.opts.policy.deprecatedTagsCutoff, core.opts.policy.requireMessagingType);
  if (tagging?.tag === 'CUSTOMER_FEEDBACK' && message.attachment?.payload.template_type !== 'customer_feedback') {
    throw errors.param('The CUSTOMER_FEEDBACK tag may only be used with the customer feedback template');
  }
  const utility = tagging?.messagingType === 'UTILITY';
  if (utility && message.quick_replies !== undefined) throw errors.templateFatal();
  if (utility !== (message.attachment?.payload.template_type === 'utility_messages')) {
    throw errors.param('A utility_messages template is sent with messaging_type UTILITY, and only it');
  }
  checkRate(core, page, isMedia(core, message), now);
  const target = resolveRecipient(core, page, recipient);
  const utilityText = utility ? checkUtilitySend(core, page, message.attachment!.payload) : undefined;
  checkPolicy(core, target, tagging, now);
  const replyTo = str(obj(params.reply_to)?.mid);
  if (replyTo !== undefined && !target.thread.messages.some((m) => m.mid === replyTo))
    throw errors.param('param reply_to[mid] is not a message in this thread');
  return commit(
    core,
    target,
    utilityText === undefined ? message : { ...message, text: utilityText },
    tagging,
    replyTo,
    now,
  );
}

function commit(
  core: Core,
  target: Target,
  message: ValidMessage,
  tagging: { messagingType: string; tag?: string } | null,
  replyTo: string | undefined,
  now: number,
): Record<string, unknown> {
  const { thread } = target;
  const mid = newMid(core);
  const attachments = message.attachment
    ? [{ type: message.attachment.type, payload: message.attachment.payload }]
    : undefined;
  core.world.record(thread, {
    mid,
    from: 'page',
    timestamp: now,
    text: message.text,
    attachments,
    quick_replies: message.quick_replies,
    metadata: message.metadata,
    messaging_type: tagging?.messagingType ?? 'MARKETING',
    tag: tagging?.tag,
    reply_to: replyTo,
  });
  touchOwner(thread, now);
  if (target.kind === 'marketing') target.token.lastSentAt = now;
  if (!core.receiving()) return answer(core, target, thread.psid, mid, message);
  const events: WebhookEvent[] = [];
  const ids = { psid: thread.psid, pageId: thread.page.id, ts: now };
  if (core.opts.policy.echoes) {
    const userRef = target.kind === 'user_ref' ? target.userRef : undefined;
    events.push(
      echoEvent({ ...ids, userRef }, core.opts.appId, {
        mid,
        metadata: message.metadata,
        text: tagging?.messagingType === 'UTILITY' ? undefined : message.text,
        attachments,
        quick_replies: message.quick_replies,
      }),
    );
  }
  if (core.opts.policy.deliveryReceipts && target.kind !== 'user_ref') events.push(deliveryEvent(ids, [mid], now));
  if (events.length > 0) {
    const p = core.emit(events);
    core.background.add(p);
    void p.finally(() => core.background.delete(p));
  }
  return answer(core, target, thread.psid, mid, message);
}

function answer(core: Core, target: Target, psid: string, mid: string, message: ValidMessage): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (target.kind !== 'user_ref') out.recipient_id = psid;
  out.message_id = mid;
  if (message.attachment?.payload.is_reusable === true) out.attachment_id = String(1e15 + core.random.int(9e14));
  return out;
}
