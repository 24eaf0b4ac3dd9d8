// What campaigns use to personalise a message: products to recommend to a person and their loyalty tier. Both read
// only; the caller (a campaign's send, in its transaction) passes its executor.
import type { Executor } from '../../db/types.ts';
import { AppError } from '../../errors.ts';
import { tierFor, type LoyaltyTiers } from './loyalty.policy.ts';
import { orderStatsSince, recommendedProductRows } from './recommendations.repository.ts';

export const MAX_RECOMMENDATIONS = 50;
const DAY = 86_400_000;

export interface Recommendation {
  sku: string;
  name: string;
  category: string | null;
  price: number;
  currency: string;
  url: string | null;
  image_url: string | null;
  score: number;
}

/**
 * Up to `n` products for this contact of this Page: active ones they never bought, from the categories they bought
 * or clicked, and those other people bought together with what they bought; best first. Empty for a contact with no
 * orders and no category interests (nothing to go on), or for a contact of another Page.
 */
export async function recommendProducts(
  db: Executor,
  pageId: string,
  contactId: string,
  n: number,
): Promise<Recommendation[]> {
  if (!Number.isInteger(n) || n < 1 || n > MAX_RECOMMENDATIONS)
    throw new AppError('validation_failed', `n must be a whole number from 1 to ${MAX_RECOMMENDATIONS}`);
  const rows = await recommendedProductRows(db, pageId, contactId, n);
  return rows.map((p) => ({
    sku: p.sku,
    name: p.name,
    category: p.category,
    price: Number(p.price),
    currency: p.currency,
    url: p.url,
    image_url: p.image_url,
    score: p.score,
  }));
}

/**
 * The contact's loyalty tier on this Page at `now` under the Page's tiers (see loyalty.policy.ts), with the figures
 * it was decided on: their orders in the tiers' currency placed within the window.
 */
export async function loyaltyTier(
  db: Executor,
  pageId: string,
  contactId: string,
  tiers: LoyaltyTiers,
  now: number,
): Promise<{ tier: string | null; orders: number; spend: number }> {
  if (!(tiers.window_days > 0)) throw new AppError('validation_failed', 'window_days must be more than 0');
  const stats = await orderStatsSince(db, pageId, contactId, now - tiers.window_days * DAY, tiers.currency);
  return { tier: tierFor(stats, tiers.tiers), ...stats };
}
