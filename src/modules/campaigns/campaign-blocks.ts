// The blocks a campaign message may hold beside a Send API message, each rendered per recipient at send time:
//
// - `{"recommendations": {"count", "fallback"?, "button_title"?}}`: a generic-template carousel of up to `count`
//   products recommended to the person (title, price, picture, a button to the product through a tracked link);
//   a person with none gets `fallback` as a text, or nothing (skipped `no_recommendations`).
// - `{"loyalty_offer": {"tiers": {"<tier>": {"title", "subtitle"?, "coupon_url"?, "coupon_url_button_title"?,
//   "coupon_pre_message"?, "image_url"?, "code_prefix"?}}}}`: Messenger's coupon template for the person's loyalty
//   tier (the Page's tiers), with a code of their own; a person in no tier of the offer is skipped `no_loyalty_tier`.
//
// Pure: checking what an operator wrote, and building the Send API message from what was found for one person.
import { AppError } from '../../errors.ts';
import { secureRandomBytes } from '../../lib/random.ts';
import type { Recommendation } from '../recommendations/recommendations.ts';

export const MAX_CAROUSEL = 10;
export const MAX_TITLE_CHARS = 80;
export const MAX_BUTTON_TITLE_CHARS = 20;
export const MAX_CODE_PREFIX_CHARS = 12;
export const DEFAULT_BUTTON_TITLE = 'View';

export interface RecommendationsBlock {
  count: number;
  fallback?: string;
  button_title?: string;
}

export interface CouponOffer {
  title: string;
  subtitle?: string;
  coupon_url?: string;
  coupon_url_button_title?: string;
  coupon_pre_message?: string;
  image_url?: string;
  /** Letters and digits put before each person's random code (`GOLD` → `GOLD-7KQ2M9XH4R`). */
  code_prefix?: string;
}

export interface LoyaltyOfferBlock {
  tiers: Record<string, CouponOffer>;
}

const chars = (s: string) => [...s].length;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const invalid = (field: string, message: string) =>
  new AppError('validation_failed', message, { reason: 'invalid_block', field });

function optionalText(v: unknown, field: string, max: number): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.trim() === '' || chars(v) > max)
    throw invalid(field, `${field} must be 1 to ${max} characters`);
  return v;
}

function optionalUrl(v: unknown, field: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^https?:\/\/\S+$/.test(v) || v.length > 2000)
    throw invalid(field, `${field} must be an http(s) URL`);
  return v;
}

const keysOnly = (raw: Record<string, unknown>, allowed: readonly string[], field: string) => {
  const extra = Object.keys(raw).find((k) => !allowed.includes(k));
  if (extra !== undefined) throw invalid(`${field}.${extra}`, `${field} has no field "${extra}"`);
};

/** A recommendations block as written, checked: `count` from 1 to 10, an optional fallback text and button title. */
export function checkRecommendations(raw: unknown, field = 'recommendations'): RecommendationsBlock {
  if (!isRecord(raw)) throw invalid(field, `${field} must be an object {count, fallback?, button_title?}`);
  keysOnly(raw, ['count', 'fallback', 'button_title'], field);
  const count = raw.count;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_CAROUSEL)
    throw invalid(`${field}.count`, `${field}.count must be a whole number from 1 to ${MAX_CAROUSEL}`);
  const fallback = optionalText(raw.fallback, `${field}.fallback`, 1999);
  const button = optionalText(raw.button_title, `${field}.button_title`, MAX_BUTTON_TITLE_CHARS);
  return { count, ...(fallback !== undefined && { fallback }), ...(button !== undefined && { button_title: button }) };
}

const OFFER_FIELDS = [
  'title',
  'subtitle',
  'coupon_url',
  'coupon_url_button_title',
  'coupon_pre_message',
  'image_url',
  'code_prefix',
] as const;

function checkOffer(raw: unknown, field: string): CouponOffer {
  if (!isRecord(raw)) throw invalid(field, `${field} must be an object {title, …}`);
  keysOnly(raw, OFFER_FIELDS, field);
  const title = optionalText(raw.title, `${field}.title`, MAX_TITLE_CHARS);
  if (title === undefined) throw invalid(`${field}.title`, `${field}.title is required`);
  const offer: CouponOffer = { title };
  const subtitle = optionalText(raw.subtitle, `${field}.subtitle`, MAX_TITLE_CHARS);
  const url = optionalUrl(raw.coupon_url, `${field}.coupon_url`);
  const button = optionalText(raw.coupon_url_button_title, `${field}.coupon_url_button_title`, MAX_BUTTON_TITLE_CHARS);
  const pre = optionalText(raw.coupon_pre_message, `${field}.coupon_pre_message`, 640);
  const image = optionalUrl(raw.image_url, `${field}.image_url`);
  if (button !== undefined && url === undefined)
    throw invalid(`${field}.coupon_url_button_title`, 'a coupon button title needs a coupon_url');
  if (raw.code_prefix !== undefined) {
    const re = new RegExp(`^[A-Z0-9]{1,${MAX_CODE_PREFIX_CHARS}}$`);
    if (typeof raw.code_prefix !== 'string' || !re.test(raw.code_prefix))
      throw invalid(`${field}.code_prefix`, `${field}.code_prefix is 1 to ${MAX_CODE_PREFIX_CHARS} capitals or digits`);
    offer.code_prefix = raw.code_prefix;
  }
  if (subtitle !== undefined) offer.subtitle = subtitle;
  if (url !== undefined) offer.coupon_url = url;
  if (button !== undefined) offer.coupon_url_button_title = button;
  if (pre !== undefined) offer.coupon_pre_message = pre;
  if (image !== undefined) offer.image_url = image;
  return offer;
}

/** A loyalty offer block as written, checked: one coupon per tier name (at least one). */
export function checkLoyaltyOffer(raw: unknown, field = 'loyalty_offer'): LoyaltyOfferBlock {
  if (!isRecord(raw)) throw invalid(field, `${field} must be an object {tiers: {"<tier>": {title, …}}}`);
  keysOnly(raw, ['tiers'], field);
  if (!isRecord(raw.tiers) || Object.keys(raw.tiers).length === 0)
    throw invalid(`${field}.tiers`, `${field}.tiers must name at least one tier with its coupon`);
  const tiers: Record<string, CouponOffer> = {};
  for (const [name, offer] of Object.entries(raw.tiers)) tiers[name] = checkOffer(offer, `${field}.tiers.${name}`);
  return { tiers };
}

/** A price as a person reads it: `€49.90`, or `49.90 XYZ` for a currency the runtime does not know. */
export function formatPrice(price: number, currency: string): string {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).format(price);
  } catch {
    return `${price.toFixed(2)} ${currency}`;
  }
}

const clip = (s: string, max: number) => (chars(s) <= max ? s : [...s].slice(0, max - 1).join('') + '…');

/** The generic-template carousel of these products: one element each, its button to the product page if it has one. */
export function carouselMessage(products: readonly Recommendation[], block: RecommendationsBlock) {
  const elements = products.slice(0, MAX_CAROUSEL).map((p) => {
    const price = formatPrice(p.price, p.currency);
    return {
      title: clip(p.name, MAX_TITLE_CHARS),
      subtitle: clip(p.category ? `${price} · ${p.category}` : price, MAX_TITLE_CHARS),
      ...(p.image_url && { image_url: p.image_url }),
      ...(p.url && {
        buttons: [{ type: 'web_url', url: p.url, title: block.button_title ?? DEFAULT_BUTTON_TITLE }],
      }),
    };
  });
  return { attachment: { type: 'template', payload: { template_type: 'generic', elements } } };
}

/** Messenger's coupon template for one person: the offer of their tier with their own code. */
export function couponMessage(offer: CouponOffer, code: string) {
  const { code_prefix: _prefix, ...shown } = offer;
  return { attachment: { type: 'template', payload: { template_type: 'coupon', ...shown, coupon_code: code } } };
}

// Crockford's base32 without I, L, O and U: nothing a person misreads at a till.
const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CODE_RANDOM_CHARS = 10;

/** A new coupon code: the prefix (if any), a dash, and 50 random bits in 10 unambiguous characters. */
export function newCouponCode(prefix?: string): string {
  const bytes = secureRandomBytes(CODE_RANDOM_CHARS);
  let random = '';
  for (const b of bytes) random += CODE_ALPHABET[b & 31];
  return prefix ? `${prefix}-${random}` : random;
}
