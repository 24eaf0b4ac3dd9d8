// The campaign engine's pure decisions: who of the audience is left out and why, which variant a person gets, how
// many sends a campaign may queue now, and whether a campaign's content fits its kind.
import { createHash } from 'node:crypto';
import { promotionalWord } from '../templates/template.policy.ts';
import { decideMarketingMessage } from '../messaging/marketing.policy.ts';
import {
  decideSend,
  pageSendRatePerSecond,
  RETIRED_TAGS,
  type MarketingTokenState,
  type MessageKind,
  type RefusalReason,
  type SendPolicyInput,
} from '../messaging/send.policy.ts';

/** Why a member of the audience gets nothing: the send policy's reasons, and the campaign's own. */
export type ExclusionReason = RefusalReason | 'already_received' | 'human_handling' | 'invalid_recipient';

/** What the exclusions look at for one member of the audience. */
export interface MemberState extends Omit<SendPolicyInput, 'author' | 'kind' | 'marketingToken' | 'now'> {
  psidInvalid: boolean;
  /** A human handles the person's conversation now: a broadcast would talk over them. */
  handledByHuman: boolean;
  /** The person already has a send of this campaign. */
  alreadyReceived: boolean;
  /** What a marketing campaign's policy reads besides (marketing.policy.ts); absent: no token, region unknown. */
  marketing?: {
    pageEnabled: boolean;
    token: MarketingTokenState | null;
    locale: string | null;
    timezone: number | null;
  };
}

// The reasons that say the person cannot or must not be reached at all, before anything about the campaign.
const HARD: readonly RefusalReason[] = ['erased', 'page_unauthorized', 'page_disabled', 'unreachable', 'opted_out'];

/**
 * Whether a member of a campaign's audience is left out at `now`, and why (null: eligible). A marketing campaign
 * follows the Marketing Messages policy (consent, a live subscription token, 12 hours, the region rule) whatever the
 * window. A standard campaign is
 * promotional and goes only inside the 24-hour window (no marketing token: that is the marketing kind); a utility
 * campaign sends an approved utility template, which Meta lets through at any time. Both leave out whoever cannot or
 * must not be reached, a conversation a human is handling now, and anyone who already got the campaign. The same
 * decision freezes the audience at start and re-checks each recipient as it is queued.
 */
export function exclusionFor(
  m: MemberState,
  now: number,
  kind: 'standard' | 'utility' | 'marketing' = 'standard',
): ExclusionReason | null {
  if (m.alreadyReceived) return 'already_received';
  if (kind === 'marketing') {
    const mk = m.marketing ?? { pageEnabled: false, token: null, locale: null, timezone: null };
    const d = decideMarketingMessage({
      now,
      contactStatus: m.contactStatus,
      pageStatus: m.pageStatus,
      pageEnabled: mk.pageEnabled,
      consent: m.consent,
      token: mk.token,
      locale: mk.locale,
      timezone: mk.timezone,
    });
    if (!d.allowed && HARD.includes(d.reason)) return d.reason;
    if (m.psidInvalid) return 'invalid_recipient';
    if (m.handledByHuman) return 'human_handling';
    return d.allowed ? null : d.reason;
  }
  const sendKind = kind === 'utility' ? 'utility' : 'text';
  const d = decideSend({ ...m, author: 'campaign', kind: sendKind, marketingToken: null, now });
  if (!d.allowed && HARD.includes(d.reason)) return d.reason;
  if (m.psidInvalid) return 'invalid_recipient';
  if (m.handledByHuman) return 'human_handling';
  if (d.allowed) return null;
  // Outside the window the policy asks for marketing consent (a marketing token's condition); for a standard
  // campaign the reason is the window itself, unless the person withdrew marketing consent.
  if (d.reason === 'no_marketing_consent' && m.consent.marketing !== 'withdrawn')
    return m.lastUserActionAt === null ? 'no_user_action' : 'outside_window';
  return d.reason;
}

/**
 * The variant of a person in a campaign: a point in [0, 1) from a hash of (campaign id, contact id), placed on the
 * variants' cumulative weights. Exact and repeatable: the same person always gets the same variant of a campaign.
 */
export function assignVariant(campaignId: string, contactId: string, weights: readonly number[]): number {
  const total = weights.reduce((a, w) => a + w, 0);
  if (weights.length <= 1 || total <= 0) return 0;
  const digest = createHash('sha256').update(`${campaignId}\u0000${contactId}`).digest();
  const point = (digest.readUIntBE(0, 6) / 2 ** 48) * total;
  let acc = 0;
  for (let i = 0; i < weights.length; i++) {
    acc += weights[i]!;
    if (point < acc) return i;
  }
  return weights.length - 1;
}

/** How long the pace is measured over: a campaign queues at most `maxPerSecond` in any window of this length. */
export const PACE_WINDOW_MS = 1000;
/** Seconds of sends a campaign may hold in the outbox at once: its backlog stays in its own table. */
export const OUTBOX_SECONDS = 2;

/** A campaign's pace as its sender tracks it: a token bucket (a tenth of a second of sends) and its recent queueings. */
export interface PaceState {
  tokens: number;
  at: number;
  /** When its sends of the last PACE_WINDOW_MS were queued, oldest first. */
  recent: number[];
}

const bucketOf = (rate: number) => Math.max(1, Math.ceil(rate / 10));

export function newPace(now: number, rate: number): PaceState {
  return { tokens: bucketOf(rate), at: now, recent: [] };
}

/**
 * How many recipients a campaign may queue at `now`, and its pace state then: what its bucket holds (refilled at
 * `rate` per second, so sends are spread evenly rather than a second's worth at once), never more than `rate` in any
 * window of PACE_WINDOW_MS, and never more than OUTBOX_SECONDS of sends waiting in the outbox (`inOutbox`). The
 * bucket holds a tenth of a second of sends, or what the time since the last call earned when turns come further
 * apart than that (a busy or loaded machine): a turn that takes a quarter of a second must queue a quarter of a
 * second's worth, or the campaign falls behind its pace.
 */
export function paceAllowance(
  state: PaceState,
  now: number,
  rate: number,
  inOutbox: number,
): { allowance: number; state: PaceState } {
  const elapsed = Math.max(0, now - state.at);
  const earned = (elapsed * rate) / 1000;
  const tokens = Math.min(Math.max(bucketOf(rate), earned), state.tokens + earned);
  const recent = state.recent.filter((t) => t > now - PACE_WINDOW_MS);
  const byWindow = rate - recent.length;
  const byOutbox = rate * OUTBOX_SECONDS - inOutbox;
  const allowance = Math.max(0, Math.min(Math.floor(tokens), byWindow, byOutbox));
  return { allowance, state: { tokens, at: Math.max(now, state.at), recent } };
}

/** The pace state after `n` sends were queued at `now`. */
export function spend(state: PaceState, n: number, now: number): PaceState {
  return { tokens: state.tokens - n, at: state.at, recent: [...state.recent, ...Array<number>(n).fill(now)] };
}

/** The share of a Page's Send API rate a campaign may take: the rest stays free for agents and automations. */
export const CAMPAIGN_SHARE = 0.8;
export const DEFAULT_CAMPAIGN_RATE = 20;
/** The highest pace a text campaign may ask for (a media campaign is held lower still). */
export const MAX_CAMPAIGN_RATE_TEXT = Math.floor(pageSendRatePerSecond('text') * CAMPAIGN_SHARE);

/** The campaign's pace: what was asked for (or the default), never above its share of the Page's limit. */
export function campaignRate(asked: number | null | undefined, kind: MessageKind): number {
  const ceiling = Math.max(1, Math.floor(pageSendRatePerSecond(kind) * CAMPAIGN_SHARE));
  return Math.max(1, Math.min(ceiling, Math.floor(asked ?? DEFAULT_CAMPAIGN_RATE)));
}

/**
 * Whether a text reads as promotional, which a utility message must not be (Meta rejects it, and may ban it): the
 * templates module's word list, so a campaign and a template are judged alike.
 */
export function isPromotional(text: string): boolean {
  return promotionalWord(text) !== undefined;
}

/** Why a campaign's content does not fit its kind, for a 400 that names it. */
export type ContentRefusal =
  | 'marketing_not_enabled'
  | 'template_required'
  | 'message_required'
  | 'utility_requires_template'
  | 'template_not_for_standard'
  | 'quick_replies_not_allowed'
  | 'promotional_content'
  | 'variants_not_for_utility'
  | 'human_agent_not_allowed'
  | 'retired_tag'
  | 'tag_not_allowed';

export interface CampaignContent {
  kind: 'standard' | 'utility' | 'marketing';
  hasMessage: boolean;
  hasQuickReplies: boolean;
  hasTemplate: boolean;
  hasVariants: boolean;
  /** Every text a utility campaign would send: its template's parameters, and any message it was given. */
  templateTexts: readonly string[];
  tag: string | null;
  /** Whether the Page's Marketing Messages are on (its setting, turned on with Meta's permission). */
  marketingEnabled: boolean;
}

/**
 * Whether the content fits the kind (null: it does). HUMAN_AGENT is for a person's replies, never a broadcast; the
 * retired tags are refused by Meta; no other tag is a campaign's to use. A utility campaign is an approved template,
 * never free text, without quick replies (Meta answers 2018416) and without promotional words.
 */
export function contentRefusal(c: CampaignContent): ContentRefusal | null {
  if (c.tag !== null) {
    if (c.tag === 'HUMAN_AGENT') return 'human_agent_not_allowed';
    return RETIRED_TAGS.includes(c.tag) ? 'retired_tag' : 'tag_not_allowed';
  }
  // A marketing campaign is a promotional message like a standard one, sent through the paid Marketing Message API.
  if (c.kind === 'marketing' && !c.marketingEnabled) return 'marketing_not_enabled';
  if (c.kind === 'utility') {
    if (c.hasQuickReplies) return 'quick_replies_not_allowed';
    if (c.templateTexts.some(isPromotional)) return 'promotional_content';
    if (c.hasMessage) return 'utility_requires_template';
    if (!c.hasTemplate) return 'template_required';
    if (c.hasVariants) return 'variants_not_for_utility';
    return null;
  }
  if (c.hasTemplate) return 'template_not_for_standard';
  return c.hasMessage || c.hasVariants ? null : 'message_required';
}
