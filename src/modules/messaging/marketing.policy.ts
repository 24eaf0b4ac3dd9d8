// Meta's paid Marketing Message API for Messenger (messenger-platform.md §8.2, product-research.md §2): who a
// `marketing` campaign may reach, decided per recipient at send time. Pure and total.
//
// The region rule. Meta never delivers these messages to people in the EU, the UK, Japan, Korea or Australia, and
// Meta does not tell a Page where a person is. pagescope decides from what the contact has, and prefers missing a
// person to messaging one in a restricted region:
//   1. the region of the contact's locale (`fr_FR` → FR) must be known and not restricted; a locale without a region
//      (or no locale) is unknown, and unknown is skipped;
//   2. a known time zone (Meta's UTC offset in hours) that falls where a restricted region lies skips the person
//      too, whatever the locale says: UTC−1 to UTC+3 (the EU and the UK, summer time included) and UTC+8 to UTC+11
//      (Japan, Korea and Australia). An English locale in Berlin is `en_US` at UTC+1: skipped.
// Both give `marketing_region_restricted`. The EU's outermost regions (Réunion, Guadeloupe, French Guiana…) and
// Australia's external territories sit outside those offsets: a person there is caught only by their locale.
import type { MarketingTokenState, RefusalReason } from './send.policy.ts';

const HOUR_MS = 60 * 60 * 1000;
/** "You can only send one message every 12 hours per `subscription_token`." */
export const PAID_MARKETING_GAP_MS = 12 * HOUR_MS;

/** The EU's 27 members, the UK, Japan, Korea and Australia (ISO 3166-1 alpha-2). */
export const RESTRICTED_REGIONS: ReadonlySet<string> = new Set([
  ...['AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU'],
  ...['MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE', 'GB', 'JP', 'KR', 'AU'],
]);

/** UTC offsets (hours, inclusive) where a restricted region lies: Europe, then Japan, Korea and Australia. */
export const RESTRICTED_OFFSETS: readonly (readonly [number, number])[] = [
  [-1, 3],
  [8, 11],
];

/** The region of a locale (`fr_FR` → `FR`, `es_419` → null: not a country), or null when it names none. */
export function regionOf(locale: string | null): string | null {
  const m = locale === null ? null : /^[a-z]{2,3}[_-]([A-Za-z]{2})$/.exec(locale.trim());
  return m ? m[1]!.toUpperCase() : null;
}

/** Whether the contact may be in a region Meta's Marketing Messages never reach (see the rule above). */
export function mayBeInRestrictedRegion(locale: string | null, timezone: number | null): boolean {
  const region = regionOf(locale);
  if (region === null || RESTRICTED_REGIONS.has(region)) return true;
  if (timezone === null || !Number.isFinite(timezone)) return false;
  return RESTRICTED_OFFSETS.some(([from, to]) => timezone >= from && timezone <= to);
}

export interface MarketingSendInput {
  now: number;
  contactStatus: 'active' | 'unreachable' | 'erased';
  pageStatus: 'active' | 'token_invalid' | 'disabled';
  /** The Page's operator enabled Marketing Messages (and Meta granted the permission then). */
  pageEnabled: boolean;
  consent: { replies: 'granted' | 'withdrawn'; marketing: 'none' | 'granted' | 'withdrawn' };
  /** The contact's subscription token (the newest), or null without one. */
  token: MarketingTokenState | null;
  locale: string | null;
  timezone: number | null;
}

export type MarketingDecision = { allowed: true } | { allowed: false; reason: RefusalReason };

const refuse = (reason: RefusalReason): MarketingDecision => ({ allowed: false, reason });

/**
 * Whether one paid Marketing Message may go to this person now. The window plays no part: the API is for people
 * outside it as inside. Allowed only with the Page's switch on, marketing consent granted, a live subscription token
 * last used 12 hours ago or more, and a region that is surely not restricted.
 */
export function decideMarketingMessage(input: MarketingSendInput): MarketingDecision {
  if (input.contactStatus === 'erased') return refuse('erased');
  if (input.pageStatus === 'token_invalid') return refuse('page_unauthorized');
  if (input.pageStatus === 'disabled') return refuse('page_disabled');
  if (!input.pageEnabled) return refuse('marketing_not_enabled');
  if (input.contactStatus === 'unreachable') return refuse('unreachable');
  if (input.consent.replies === 'withdrawn') return refuse('opted_out');
  if (input.consent.marketing !== 'granted') return refuse('no_marketing_consent');
  const { token, now } = input;
  if (token === null) return refuse('no_marketing_token');
  if (token.status === 'stopped') return refuse('marketing_token_stopped');
  if (token.status === 'expired' || (token.expiresAt !== null && now >= token.expiresAt))
    return refuse('marketing_token_expired');
  if (token.lastMarketingSentAt !== null && now - token.lastMarketingSentAt < PAID_MARKETING_GAP_MS)
    return refuse('frequency_capped');
  if (mayBeInRestrictedRegion(input.locale, input.timezone)) return refuse('marketing_region_restricted');
  return { allowed: true };
}
