// What people do on a Page, and the webhook events it causes (reference §2). Each action updates the thread
// (window, block state, inbox) and returns the events with the delivery attempts that carried them.
import { channelFor, newMid, touchOwner, type Core } from './core.ts';
import {
  accountLinkingEvent, checkboxOptinEvent, editEvent, marketingOptinEvent, messageEvent, postbackEvent, reactionEvent,
  readEvent, referralEvent, REACTION_EMOJI, type InboundMessage, type WebhookEvent,
} from './events.ts';
import type { Page, Person, Thread } from './world.ts';
import type { DeliveryRecord } from './webhook-delivery.ts';

export class ActionError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export type Action =
  | { type: 'message'; text?: string; attachments?: unknown[]; reply_to?: string; referral?: Record<string, unknown> }
  | { type: 'quick_reply'; text: string; payload: string }
  | { type: 'postback'; payload?: string; title?: string; referral?: Record<string, unknown> }
  | { type: 'reaction'; mid: string; reaction?: string; emoji?: string; action?: 'react' | 'unreact' }
  | { type: 'read' }
  | { type: 'edit'; mid: string; text: string }
  | { type: 'referral'; ref?: string; source?: string; ad_id?: string; ads_context_data?: Record<string, unknown> }
  | { type: 'optin'; user_ref?: string; ref?: string; marketing?: 'opt_in' | 'stop' | 'resume'; topic?: string; payload?: string }
  | { type: 'block' }
  | { type: 'unblock' }
  | { type: 'account_linking'; status?: 'linked' | 'unlinked'; authorization_code?: string };

export interface ActionResult {
  type: string;
  psid: string | null;
  mid?: string;
  events: Record<string, unknown>[];
  deliveries: DeliveryRecord[];
  notification_messages_token?: string;
  user_ref?: string;
}

function normaliseAttachments(list: unknown[]): unknown[] {
  return list.map((a) => {
    const att = (a ?? {}) as Record<string, unknown>;
    if (att.payload !== undefined) return { type: att.type, payload: att.payload };
    const { type, ...payload } = att;
    return { type, payload };
  });
}

/** Marks a user action: the 24-hour window (and 7-day HUMAN_AGENT span) restarts now. */
function userActed(thread: Thread, now: number): void {
  thread.lastUserActionAt = now;
  touchOwner(thread, now);
}

/** Runs one action of `person` on `page`; throws ActionError for an impossible action. */
export async function act(core: Core, person: Person, page: Page, action: Action): Promise<ActionResult> {
  const now = core.clock.now();
  const { world } = core;
  const existing = world.existingThread(page, person);
  let events: WebhookEvent[] = [];
  const result: ActionResult = { type: action.type, psid: existing?.psid ?? null, events: [], deliveries: [] };
  const onChannel = (t: Thread, e: WebhookEvent): WebhookEvent => {
    e.channel = channelFor(core, t, now);
    return e;
  };

  switch (action.type) {
    case 'message':
    case 'quick_reply': {
      const thread = world.contact(page, person);
      thread.blocked = false; // writing to a Page means the person unblocked it first
      const mid = newMid(core);
      const message: InboundMessage = { mid };
      const text = action.text;
      const attachments = action.type === 'message' && action.attachments ? normaliseAttachments(action.attachments) : undefined;
      if (text === undefined && !attachments) throw new ActionError(400, 'a message needs text or attachments');
      if (text !== undefined) message.text = text;
      if (attachments) message.attachments = attachments;
      if (action.type === 'quick_reply') message.quick_reply = { payload: action.payload };
      if (action.type === 'message' && action.reply_to) {
        const quoted = thread.messages.find((m) => m.mid === action.reply_to);
        message.reply_to = { mid: action.reply_to, is_self_reply: quoted?.from === 'person' };
      }
      if (action.type === 'message' && action.referral) message.referral = { source: 'ADS', type: 'OPEN_THREAD', ...action.referral };
      const prior = thread.pendingUserRef ?? undefined;
      thread.pendingUserRef = null;
      world.record(thread, { mid, from: 'person', timestamp: now, text, attachments, reply_to: action.type === 'message' ? action.reply_to : undefined });
      userActed(thread, now);
      events = [onChannel(thread, messageEvent(idsOf(thread, now), message, prior))];
      result.mid = mid;
      break;
    }
    case 'postback': {
      const thread = world.contact(page, person);
      const getStarted = (page.messengerProfile.get_started as { payload?: string } | undefined)?.payload;
      const payload = action.payload ?? getStarted;
      if (payload === undefined) throw new ActionError(400, 'a postback needs a payload (or a Get Started button on the Page)');
      const title = action.title ?? (action.payload === undefined ? 'Get Started' : payload);
      const mid = newMid(core);
      const channel = channelFor(core, thread, now);
      const referral = action.referral ? { source: 'SHORTLINK', type: 'OPEN_THREAD', ...action.referral } : undefined;
      userActed(thread, now);
      events = [{ ...postbackEvent(idsOf(thread, now), { mid, title, payload, referral }, channel === 'standby'), channel }];
      result.mid = mid;
      break;
    }
    case 'referral': {
      const referral: Record<string, unknown> = {};
      if (action.ref !== undefined) referral.ref = action.ref;
      if (action.ad_id !== undefined) referral.ad_id = action.ad_id;
      referral.source = action.source ?? (action.ad_id ? 'ADS' : 'SHORTLINK');
      referral.type = 'OPEN_THREAD';
      if (action.ads_context_data) referral.ads_context_data = action.ads_context_data;
      const getStarted = (page.messengerProfile.get_started as { payload?: string } | undefined)?.payload;
      const thread = world.contact(page, person);
      userActed(thread, now);
      if (!existing && getStarted !== undefined) {
        // A new conversation from m.me or an ad arrives as the Get Started postback carrying the referral.
        const mid = newMid(core);
        events = [onChannel(thread, postbackEvent(idsOf(thread, now), { mid, title: 'Get Started', payload: getStarted, referral }, false))];
      } else events = [onChannel(thread, referralEvent(idsOf(thread, now), referral))];
      break;
    }
    case 'reaction': {
      const thread = requireThread(existing);
      const reaction = action.reaction ?? 'love';
      userActed(thread, now);
      const emoji = action.emoji ?? REACTION_EMOJI[reaction] ?? '\u{1F44D}';
      events = [onChannel(thread, reactionEvent(idsOf(thread, now), { mid: action.mid, reaction, emoji, action: action.action ?? 'react' }))];
      break;
    }
    case 'read': {
      const thread = requireThread(existing);
      events = [onChannel(thread, readEvent(idsOf(thread, now), now))];
      break;
    }
    case 'edit': {
      // People may edit their own messages, at most 5 times (Messenger's client-side limit).
      const thread = requireThread(existing);
      const original = thread.messages.find((m) => m.mid === action.mid && m.from === 'person');
      if (!original) throw new ActionError(404, 'no message of this person with that mid');
      const edits = (original.edits ?? 0) + 1;
      if (edits > 5) throw new ActionError(409, 'a message can be edited at most 5 times');
      original.edits = edits;
      original.text = action.text;
      events = [onChannel(thread, editEvent(idsOf(thread, now), { mid: action.mid, text: action.text, numEdit: edits }))];
      break;
    }
    case 'optin': {
      if (action.marketing) {
        const thread = requireThread(existing);
        const r = marketing(core, person, page, thread, action.marketing, action.topic ?? 'Updates', action.payload, now);
        events = [r.event];
        result.notification_messages_token = r.token;
      } else {
        const userRef = action.user_ref;
        if (!userRef) throw new ActionError(400, 'an optin needs user_ref (checkbox plugin) or marketing');
        const thread = world.contact(page, person);
        thread.pendingUserRef = userRef;
        world.userRefs.set(userRef, { userRef, page, person, createdAt: now });
        events = [checkboxOptinEvent(page.id, now, userRef, action.ref)];
        result.user_ref = userRef; // the app does not learn the PSID until the person replies
      }
      break;
    }
    case 'block':
    case 'unblock': {
      // Meta sends no webhook for either; the Send API answers 551/1545041 while blocked.
      requireThread(existing).blocked = action.type === 'block';
      break;
    }
    case 'account_linking': {
      const thread = requireThread(existing);
      const status = action.status ?? 'linked';
      thread.linked = status === 'linked';
      events = [accountLinkingEvent(idsOf(thread, now), status, action.authorization_code ?? (status === 'linked' ? core.random.alnum(16) : undefined))];
      break;
    }
    default:
      throw new ActionError(400, `unknown action type ${(action as { type: string }).type}`);
  }
  if (!(action.type === 'optin' && action.user_ref)) result.psid = world.existingThread(page, person)?.psid ?? null;
  result.events = events.map((e) => e.item);
  result.deliveries = await core.emit(events);
  return result;
}

function idsOf(t: Thread, now: number): { psid: string; pageId: string; ts: number } {
  return { psid: t.psid, pageId: t.page.id, ts: now };
}

function requireThread(thread: Thread | undefined): Thread {
  if (!thread) throw new ActionError(409, 'this person has not contacted the Page yet');
  return thread;
}

function marketing(
  core: Core, person: Person, page: Page, thread: Thread, kind: 'opt_in' | 'stop' | 'resume', topic: string,
  payload: string | undefined, now: number,
): { event: WebhookEvent; token: string } {
  const { world } = core;
  let token = [...world.marketingTokens.values()].find((t) => t.pageId === page.id && t.personId === person.id && t.topic === topic);
  if (kind === 'opt_in') {
    if (!token) {
      token = { token: core.random.chars('0123456789', 19).replace(/^0/, '1'), pageId: page.id, personId: person.id, topic, status: 'active', createdAt: now, lastSentAt: null };
      world.marketingTokens.set(token.token, token);
    }
    token.status = 'active';
  } else {
    if (!token) throw new ActionError(409, `no marketing opt-in for topic ${topic}`);
    token.status = kind === 'stop' ? 'stopped' : 'active';
  }
  const status = kind === 'stop' ? 'STOP NOTIFICATIONS' : kind === 'resume' ? 'RESUME NOTIFICATIONS' : undefined;
  const tz = timezoneName(person.timezone);
  const event = marketingOptinEvent({ psid: thread.psid, pageId: page.id, ts: now }, { token: token.token, topic, payload: payload ?? topic, timezone: tz, status });
  return { event, token: token.token };
}

function timezoneName(offset: number): string {
  if (offset === 0) return 'UTC';
  return `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}
