// What people do on a Page, and the webhook events it causes (reference §2). Each action updates the thread
// (window, block state, inbox) and returns the events with the delivery attempts that carried them.
import { channelFor, newMid, touchOwner, type Core } from './core.ts';
import {
  accountLinkingEvent,
  checkboxOptinEvent,
  editEvent,
  marketingOptinEvent,
  messageEvent,
  postbackEvent,
  reactionEvent,
  readEvent,
  referralEvent,
  REACTION_EMOJI,
  type InboundMessage,
  type WebhookEvent,
} from './events.ts';
import type { Page, Person, Thread } from './world.ts';
import type { DeliveryRecord } from './webhook-delivery.ts';

export class ActionError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type Action =
  | { type: 'message'; text?: string; attachments?: unknown[]; reply_to?: string; referral?: Record<string, unknown> }
  | { type: 'quick_reply'; text: string; payload: string }
  | { type: 'postback'; payload?: string; title?: string; referral?: Record<string, unknown> }
  | { type: 'ice_breaker'; question: string }
  | { type: 'reaction'; mid: string; reaction?: string; emoji?: string; action?: 'react' | 'unreact' }
  | { type: 'read' }
  | { type: 'edit'; mid: string; text: string }
  | { type: 'referral'; ref?: string; source?: string; ad_id?: string; ads_context_data?: Record<string, unknown> }
  | {
      type: 'optin';
      user_ref?: string;
      ref?: string;
      marketing?: 'opt_in' | 'stop' | 'resume';
      topic?: string;
      payload?: string;
    }
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

interface Ctx {
  core: Core;
  person: Person;
  page: Page;
  existing: Thread | undefined;
  now: number;
  result: ActionResult;
}
type Handler<K extends Action['type']> = (ctx: Ctx, action: Extract<Action, { type: K }>) => WebhookEvent[];

function idsOf(t: Thread, now: number): { psid: string; pageId: string; ts: number } {
  return { psid: t.psid, pageId: t.page.id, ts: now };
}

/** Puts an inbound event on `standby` while another app owns the thread. */
function routed(ctx: Ctx, thread: Thread, e: WebhookEvent): WebhookEvent[] {
  e.channel = channelFor(ctx.core, thread, ctx.now);
  return [e];
}

function requireThread(thread: Thread | undefined): Thread {
  if (!thread) throw new ActionError(409, 'this person has not contacted the Page yet');
  return thread;
}

function getStartedPayload(page: Page): string | undefined {
  return (page.messengerProfile.get_started as { payload?: string } | undefined)?.payload;
}

const onMessage: Handler<'message' | 'quick_reply'> = (ctx, action) => {
  const { core, now } = ctx;
  const thread = core.world.contact(ctx.page, ctx.person);
  thread.blocked = false; // writing to a Page means the person unblocked it first
  const mid = newMid(core);
  const message: InboundMessage = { mid };
  const text = action.text;
  const attachments =
    action.type === 'message' && action.attachments ? normaliseAttachments(action.attachments) : undefined;
  if (text === undefined && !attachments) throw new ActionError(400, 'a message needs text or attachments');
  if (text !== undefined) message.text = text;
  if (attachments) message.attachments = attachments;
  if (action.type === 'quick_reply') message.quick_reply = { payload: action.payload };
  const replyTo = action.type === 'message' ? action.reply_to : undefined;
  if (replyTo) {
    const quoted = thread.messages.find((m) => m.mid === replyTo);
    message.reply_to = { mid: replyTo, is_self_reply: quoted?.from === 'person' };
  }
  if (action.type === 'message' && action.referral)
    message.referral = { source: 'ADS', type: 'OPEN_THREAD', ...action.referral };
  const prior = thread.pendingUserRef ?? undefined;
  thread.pendingUserRef = null;
  core.world.record(thread, { mid, from: 'person', timestamp: now, text, attachments, reply_to: replyTo });
  userActed(thread, now);
  ctx.result.mid = mid;
  return routed(ctx, thread, messageEvent(idsOf(thread, now), message, prior));
};

const onPostback: Handler<'postback'> = (ctx, action) => {
  const { core, now } = ctx;
  const thread = core.world.contact(ctx.page, ctx.person);
  const payload = action.payload ?? getStartedPayload(ctx.page);
  if (payload === undefined)
    throw new ActionError(400, 'a postback needs a payload (or a Get Started button on the Page)');
  const title = action.title ?? (action.payload === undefined ? 'Get Started' : payload);
  const mid = newMid(core);
  const standby = channelFor(core, thread, now) === 'standby';
  const referral = action.referral ? { source: 'SHORTLINK', type: 'OPEN_THREAD', ...action.referral } : undefined;
  userActed(thread, now);
  ctx.result.mid = mid;
  return routed(ctx, thread, postbackEvent(idsOf(thread, now), { mid, title, payload, referral }, standby));
};

/** The ice breakers a person sees: their locale's list, else the `default` one (Messenger profile). */
export function iceBreakersFor(page: Page, locale: string): { question: string; payload: string }[] {
  const raw = page.messengerProfile.ice_breakers;
  if (!Array.isArray(raw)) return [];
  const lists = raw.map((v) => {
    const entry = (v ?? {}) as { call_to_actions?: unknown; locale?: unknown; question?: unknown };
    const ctas = Array.isArray(entry.call_to_actions) ? entry.call_to_actions : [entry];
    return { locale: typeof entry.locale === 'string' ? entry.locale : 'default', ctas };
  });
  const list = lists.find((l) => l.locale === locale) ?? lists.find((l) => l.locale === 'default');
  return (list?.ctas ?? []) as { question: string; payload: string }[];
}

// Messenger shows ice breakers when a person opens a conversation with the Page for the first time; tapping one sends
// its payload as a postback titled with the question.
const onIceBreaker: Handler<'ice_breaker'> = (ctx, action) => {
  const { core, now } = ctx;
  if (ctx.existing) throw new ActionError(409, 'ice breakers are shown only on a new conversation');
  const choice = iceBreakersFor(ctx.page, ctx.person.locale).find((q) => q.question === action.question);
  if (!choice) throw new ActionError(409, 'the Page shows this person no such ice breaker');
  const thread = core.world.contact(ctx.page, ctx.person);
  const mid = newMid(core);
  const standby = channelFor(core, thread, now) === 'standby';
  userActed(thread, now);
  ctx.result.mid = mid;
  return routed(
    ctx,
    thread,
    postbackEvent(idsOf(thread, now), { mid, title: choice.question, payload: choice.payload }, standby),
  );
};

const onReferral: Handler<'referral'> = (ctx, action) => {
  const { core, now } = ctx;
  const referral: Record<string, unknown> = {};
  if (action.ref !== undefined) referral.ref = action.ref;
  if (action.ad_id !== undefined) referral.ad_id = action.ad_id;
  referral.source = action.source ?? (action.ad_id ? 'ADS' : 'SHORTLINK');
  referral.type = 'OPEN_THREAD';
  if (action.ads_context_data) referral.ads_context_data = action.ads_context_data;
  const getStarted = getStartedPayload(ctx.page);
  const thread = core.world.contact(ctx.page, ctx.person);
  userActed(thread, now);
  if (!ctx.existing && getStarted !== undefined) {
    // A new conversation from m.me or an ad arrives as the Get Started postback carrying the referral.
    return routed(
      ctx,
      thread,
      postbackEvent(
        idsOf(thread, now),
        { mid: newMid(core), title: 'Get Started', payload: getStarted, referral },
        false,
      ),
    );
  }
  return routed(ctx, thread, referralEvent(idsOf(thread, now), referral));
};

const onReaction: Handler<'reaction'> = (ctx, action) => {
  const thread = requireThread(ctx.existing);
  const reaction = action.reaction ?? 'love';
  userActed(thread, ctx.now);
  const emoji = action.emoji ?? (Object.hasOwn(REACTION_EMOJI, reaction) ? REACTION_EMOJI[reaction]! : '\u{1F44D}');
  return routed(
    ctx,
    thread,
    reactionEvent(idsOf(thread, ctx.now), { mid: action.mid, reaction, emoji, action: action.action ?? 'react' }),
  );
};

const onRead: Handler<'read'> = (ctx) => {
  const thread = requireThread(ctx.existing);
  return routed(ctx, thread, readEvent(idsOf(thread, ctx.now), ctx.now));
};

const onEdit: Handler<'edit'> = (ctx, action) => {
  // People may edit their own messages, at most 5 times (Messenger's client-side limit).
  const thread = requireThread(ctx.existing);
  const original = thread.messages.find((m) => m.mid === action.mid && m.from === 'person');
  if (!original) throw new ActionError(404, 'no message of this person with that mid');
  const edits = (original.edits ?? 0) + 1;
  if (edits > 5) throw new ActionError(409, 'a message can be edited at most 5 times');
  original.edits = edits;
  original.text = action.text;
  return routed(ctx, thread, editEvent(idsOf(thread, ctx.now), { mid: action.mid, text: action.text, numEdit: edits }));
};

const onOptin: Handler<'optin'> = (ctx, action) => {
  const { core, page, person, now } = ctx;
  if (action.marketing) {
    const thread = requireThread(ctx.existing);
    const r = marketing(core, person, page, thread, action.marketing, action.topic ?? 'Updates', action.payload, now);
    ctx.result.notification_messages_token = r.token;
    return [r.event];
  }
  const userRef = action.user_ref;
  if (!userRef) throw new ActionError(400, 'an optin needs user_ref (checkbox plugin) or marketing');
  const thread = core.world.contact(page, person);
  thread.pendingUserRef = userRef;
  core.world.userRefs.set(userRef, { userRef, page, person, createdAt: now });
  ctx.result.user_ref = userRef; // the app does not learn the PSID until the person replies
  return [checkboxOptinEvent(page.id, now, userRef, action.ref)];
};

const onBlock: Handler<'block' | 'unblock'> = (ctx, action) => {
  // Meta sends no webhook for either; the Send API answers 551/1545041 while blocked.
  requireThread(ctx.existing).blocked = action.type === 'block';
  return [];
};

const onAccountLinking: Handler<'account_linking'> = (ctx, action) => {
  const thread = requireThread(ctx.existing);
  const status = action.status ?? 'linked';
  thread.linked = status === 'linked';
  const code = action.authorization_code ?? (status === 'linked' ? ctx.core.random.alnum(16) : undefined);
  return [accountLinkingEvent(idsOf(thread, ctx.now), status, code)];
};

// Each handler accepts only its own kinds of action; `act` dispatches on `type`, so the record can be loose.
const HANDLERS: Record<Action['type'], (ctx: Ctx, action: never) => WebhookEvent[]> = {
  message: onMessage,
  quick_reply: onMessage,
  postback: onPostback,
  ice_breaker: onIceBreaker,
  referral: onReferral,
  reaction: onReaction,
  read: onRead,
  edit: onEdit,
  optin: onOptin,
  block: onBlock,
  unblock: onBlock,
  account_linking: onAccountLinking,
};

/** Runs one action of `person` on `page`; throws ActionError for an impossible action. */
export async function act(core: Core, person: Person, page: Page, action: Action): Promise<ActionResult> {
  const existing = core.world.existingThread(page, person);
  const result: ActionResult = { type: action.type, psid: existing?.psid ?? null, events: [], deliveries: [] };
  const handler = Object.hasOwn(HANDLERS, action.type)
    ? (HANDLERS[action.type] as (ctx: Ctx, action: Action) => WebhookEvent[])
    : undefined;
  if (!handler) throw new ActionError(400, `unknown action type ${String((action as { type: unknown }).type)}`);
  const events = handler({ core, person, page, existing, now: core.clock.now(), result }, action);
  if (!(action.type === 'optin' && action.user_ref))
    result.psid = core.world.existingThread(page, person)?.psid ?? null;
  result.events = events.map((e) => e.item);
  result.deliveries = await core.emit(events);
  return result;
}

function marketing(
  core: Core,
  person: Person,
  page: Page,
  thread: Thread,
  kind: 'opt_in' | 'stop' | 'resume',
  topic: string,
  payload: string | undefined,
  now: number,
): { event: WebhookEvent; token: string } {
  const { world } = core;
  let token = [...world.marketingTokens.values()].find(
    (t) => t.pageId === page.id && t.personId === person.id && t.topic === topic,
  );
  if (kind === 'opt_in') {
    if (!token) {
      token = {
        token: core.random.chars('0123456789', 19).replace(/^0/, '1'),
        pageId: page.id,
        personId: person.id,
        topic,
        status: 'active',
        createdAt: now,
        lastSentAt: null,
      };
      world.marketingTokens.set(token.token, token);
    }
    token.status = 'active';
  } else {
    if (!token) throw new ActionError(409, `no marketing opt-in for topic ${topic}`);
    token.status = kind === 'stop' ? 'stopped' : 'active';
  }
  const status = kind === 'stop' ? 'STOP NOTIFICATIONS' : kind === 'resume' ? 'RESUME NOTIFICATIONS' : undefined;
  const tz = timezoneName(person.timezone);
  const event = marketingOptinEvent(
    { psid: thread.psid, pageId: page.id, ts: now },
    { token: token.token, topic, payload: payload ?? topic, timezone: tz, status },
  );
  return { event, token: token.token };
}

function timezoneName(offset: number): string {
  if (offset === 0) return 'UTC';
  return `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}
