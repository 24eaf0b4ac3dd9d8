// Meta's sending rules by author, as of 2026-11-28 (reference: messenger-platform.md §3.4, §3.5, §8.1).
//
// Window bounds are half-open: a send is inside the standard window while `now - lastUserActionAt < 24 h`.
// Meta only says "within the last 24 hours"; at exactly 24:00:00 we refuse, because Meta's clock and ours never agree
// to the millisecond and a refused send can still go out as HUMAN_AGENT, while a send Meta rejects is an error on the
// Page's record. The same holds for HUMAN_AGENT's 7 days. A user action timestamped after `now` (clock skew between
// Meta and us) counts as just now.
//
// The message kind changes the decision in one case: a `utility` send (an approved, non-promotional utility template
// of the Page, sent with `messaging_type: UTILITY`) may go out at any time, for any author, to a reachable person who
// has not opted out; it is never labelled HUMAN_AGENT nor sent through a marketing token. Otherwise HUMAN_AGENT and
// marketing-token sends accept text, media and templates alike, and kind matters for throughput only, see
// `pageSendRatePerSecond`.

export type Author = 'agent' | 'automation' | 'campaign';
export type MessageKind = 'text' | 'media' | 'template' | 'utility';

export interface MarketingTokenState {
  status: 'active' | 'stopped' | 'expired';
  /** null: the token never expires (Meta's tokens stopped expiring on 2023-08-10). */
  expiresAt: number | null;
  lastMarketingSentAt: number | null;
}

export interface SendPolicyInput {
  author: Author;
  now: number;
  lastUserActionAt: number | null;
  contactStatus: 'active' | 'unreachable' | 'erased';
  consent: { replies: 'granted' | 'withdrawn'; marketing: 'none' | 'granted' | 'withdrawn' };
  marketingToken: MarketingTokenState | null;
  pageStatus: 'active' | 'token_invalid' | 'disabled';
  /** The single confirmation sent after an opt-out keyword; the caller sends it once. */
  isOptOutConfirmation?: boolean;
  kind: MessageKind;
  /**
   * Another app (a helpdesk bot, the Page Inbox) owns the thread through Messenger's handover protocol: Meta refuses
   * every send of ours, of any kind, with 10/2018300 until we take the thread back or it goes idle.
   */
  threadOwnedElsewhere?: boolean;
}

export type RefusalReason =
  | 'outside_window'
  | 'human_agent_window_closed'
  | 'opted_out'
  | 'unreachable'
  | 'thread_owned'
  | 'erased'
  | 'page_unauthorized'
  | 'page_disabled'
  | 'no_marketing_consent'
  | 'marketing_token_stopped'
  | 'marketing_token_expired'
  | 'frequency_capped'
  | 'no_user_action'
  // The paid Marketing Message API (marketing.policy.ts).
  | 'marketing_not_enabled'
  | 'no_marketing_token'
  | 'marketing_region_restricted';

export type SendDecision =
  | {
      allowed: true;
      messagingType: 'RESPONSE' | 'MESSAGE_TAG' | 'UPDATE' | 'UTILITY';
      tag?: 'HUMAN_AGENT';
      marketingToken?: true;
    }
  | { allowed: false; reason: RefusalReason };

export interface SendPolicyOptions {
  /** Minimum gap between two marketing-token sends to one person; defaults to MARKETING_FREQUENCY_CAP_MS. */
  marketingFrequencyCapMs?: number;
}

const HOUR_MS = 60 * 60 * 1000;
export const WINDOW_MS = 24 * HOUR_MS;
export const HUMAN_AGENT_WINDOW_MS = 7 * 24 * HOUR_MS;
/**
 * Since 2025-09-01 Meta allows one marketing (Recurring Notification) message per token per 48 h on the Send API.
 * (The paid Marketing Message API allows one per 12 h; pass that as the option when sending through it.)
 */
export const MARKETING_FREQUENCY_CAP_MS = 48 * HOUR_MS;
/** Tags that Meta refuses with error 100 since 2026-04-27, or retired earlier; this module never returns them. */
export const RETIRED_TAGS: readonly string[] = Object.freeze([
  'ACCOUNT_UPDATE',
  'CONFIRMED_EVENT_UPDATE',
  'POST_PURCHASE_UPDATE',
  'COMMUNITY_ALERT',
  'CONFIRMED_EVENT_REMINDER',
  'NON_PROMOTIONAL_SUBSCRIPTION',
  'PAIRING_UPDATE',
  'APPLICATION_UPDATE',
  'PAYMENT_UPDATE',
  'PERSONAL_FINANCE_UPDATE',
  'SHIPPING_UPDATE',
  'RESERVATION_UPDATE',
  'ISSUE_RESOLUTION',
  'APPOINTMENT_UPDATE',
  'GAME_EVENT',
  'TRANSPORTATION_UPDATE',
  'FEATURE_FUNCTIONALITY_UPDATE',
  'TICKET_UPDATE',
]);

/** When the standard and HUMAN_AGENT windows close (first instant refused), or null without a user action. */
export function windowFor(lastUserActionAt: number | null): {
  standardEndsAt: number | null;
  humanAgentEndsAt: number | null;
} {
  if (lastUserActionAt === null) return { standardEndsAt: null, humanAgentEndsAt: null };
  return { standardEndsAt: lastUserActionAt + WINDOW_MS, humanAgentEndsAt: lastUserActionAt + HUMAN_AGENT_WINDOW_MS };
}

/** Meta's per-Page Send API ceiling for this kind of message (audio/video: 10/s; we treat all media so). */
export function pageSendRatePerSecond(kind: MessageKind): number {
  return kind === 'media' ? 10 : 300;
}

const refuse = (reason: RefusalReason): SendDecision => ({ allowed: false, reason });

/**
 * Decides whether Meta's rules and the person's consent allow this send, and how to label it; pure and total.
 * Refusals name the most useful reason: erased > Page state > unreachable > another app's thread > opted out >
 * window and marketing.
 */
export function decideSend(input: SendPolicyInput, options: SendPolicyOptions = {}): SendDecision {
  if (input.contactStatus === 'erased') return refuse('erased');
  if (input.pageStatus === 'token_invalid') return refuse('page_unauthorized');
  if (input.pageStatus === 'disabled') return refuse('page_disabled');
  if (input.contactStatus === 'unreachable') return refuse('unreachable');
  if (input.threadOwnedElsewhere === true) return refuse('thread_owned');

  const elapsed = input.lastUserActionAt === null ? null : Math.max(0, input.now - input.lastUserActionAt);
  const inStandardWindow = elapsed !== null && elapsed < WINDOW_MS;

  if (input.isOptOutConfirmation) {
    if (inStandardWindow) return { allowed: true, messagingType: 'RESPONSE' };
    return refuse(elapsed === null ? 'no_user_action' : 'outside_window');
  }
  if (input.consent.replies === 'withdrawn') return refuse('opted_out');
  // Meta lets an approved utility template reach a person outside any window (reference: Utility Messages).
  if (input.kind === 'utility') return { allowed: true, messagingType: 'UTILITY' };

  switch (input.author) {
    case 'agent':
      if (elapsed === null) return refuse('no_user_action');
      if (inStandardWindow) return { allowed: true, messagingType: 'RESPONSE' };
      if (elapsed < HUMAN_AGENT_WINDOW_MS) return { allowed: true, messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' };
      return refuse('human_agent_window_closed');
    case 'automation':
      if (elapsed === null) return refuse('no_user_action');
      return inStandardWindow ? { allowed: true, messagingType: 'RESPONSE' } : refuse('outside_window');
    case 'campaign':
      return decideCampaign(input, elapsed, options.marketingFrequencyCapMs ?? MARKETING_FREQUENCY_CAP_MS);
  }
}

// A campaign is promotional: inside the window Meta allows it as UPDATE (a proactive message) unless the person
// withdrew marketing consent; outside it, only a live marketing token for a person who granted marketing consent.
function decideCampaign(input: SendPolicyInput, elapsed: number | null, capMs: number): SendDecision {
  const { consent, marketingToken: token, now } = input;
  if (consent.marketing === 'withdrawn') return refuse('no_marketing_consent');
  if (elapsed !== null && elapsed < WINDOW_MS) return { allowed: true, messagingType: 'UPDATE' };
  if (consent.marketing !== 'granted') return refuse('no_marketing_consent');
  if (token === null) return refuse(elapsed === null ? 'no_user_action' : 'outside_window');
  if (token.status === 'stopped') return refuse('marketing_token_stopped');
  if (token.status === 'expired' || (token.expiresAt !== null && now >= token.expiresAt)) {
    return refuse('marketing_token_expired');
  }
  if (token.lastMarketingSentAt !== null && now - token.lastMarketingSentAt < capMs) return refuse('frequency_capped');
  return { allowed: true, messagingType: 'UPDATE', marketingToken: true };
}
