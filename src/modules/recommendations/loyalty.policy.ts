// Loyalty tiers: a Page names its tiers, each reached by a number of orders and a spend within a window of days.

export interface LoyaltyTier {
  name: string;
  /** Orders within the window at least this many. */
  min_orders: number;
  /** Spend within the window at least this much, in the tiers' currency. */
  min_spend: number;
}

export interface LoyaltyTiers {
  /** Orders placed within this many days count. */
  window_days: number;
  /** Only orders in this currency count (a spend in several currencies has no single sum). */
  currency: string;
  tiers: LoyaltyTier[];
}

/**
 * The tier a person with these figures is in: of the tiers whose both thresholds they meet, the one with the highest
 * thresholds (orders first, then spend); null when they meet none. The order the Page listed its tiers in does not
 * matter.
 */
export function tierFor(stats: { orders: number; spend: number }, tiers: readonly LoyaltyTier[]): string | null {
  let best: LoyaltyTier | null = null;
  for (const t of tiers) {
    if (stats.orders < t.min_orders || stats.spend < t.min_spend) continue;
    if (
      !best ||
      t.min_orders > best.min_orders ||
      (t.min_orders === best.min_orders && t.min_spend > best.min_spend) ||
      (t.min_orders === best.min_orders && t.min_spend === best.min_spend && t.name < best.name)
    )
      best = t;
  }
  return best?.name ?? null;
}
