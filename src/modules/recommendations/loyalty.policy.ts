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

export const MAX_TIERS = 10;
export const MAX_WINDOW_DAYS = 3650;
const TIER_NAME = /^[a-z][a-z0-9_]{0,31}$/;

/** A Page's tiers as an operator wrote them, checked; or the first problem, naming its field. */
export function checkLoyaltyTiers(
  input: unknown,
): { ok: true; tiers: LoyaltyTiers } | { ok: false; field: string; message: string } {
  const bad = (field: string, message: string) => ({ ok: false as const, field, message });
  if (typeof input !== 'object' || input === null) return bad('', 'give {window_days, currency, tiers}');
  const i = input as Record<string, unknown>;
  const days = i.window_days;
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > MAX_WINDOW_DAYS)
    return bad('window_days', `window_days must be a whole number from 1 to ${MAX_WINDOW_DAYS}`);
  if (typeof i.currency !== 'string' || !/^[A-Z]{3}$/.test(i.currency))
    return bad('currency', 'currency must be an ISO 4217 code such as EUR');
  if (!Array.isArray(i.tiers) || i.tiers.length < 1 || i.tiers.length > MAX_TIERS)
    return bad('tiers', `tiers holds 1 to ${MAX_TIERS} tiers`);
  const tiers: LoyaltyTier[] = [];
  for (const [n, raw] of i.tiers.entries()) {
    const t = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const at = `tiers[${n}]`;
    if (typeof t.name !== 'string' || !TIER_NAME.test(t.name))
      return bad(`${at}.name`, 'a tier name is lowercase letters, digits and "_", starting with a letter (gold)');
    if (tiers.some((x) => x.name === t.name)) return bad(`${at}.name`, `the tier ${t.name} is named twice`);
    const orders = t.min_orders ?? 0;
    const spend = t.min_spend ?? 0;
    if (typeof orders !== 'number' || !Number.isInteger(orders) || orders < 0)
      return bad(`${at}.min_orders`, 'min_orders must be a whole number, 0 or more');
    if (typeof spend !== 'number' || !Number.isFinite(spend) || spend < 0)
      return bad(`${at}.min_spend`, 'min_spend must be a number, 0 or more');
    tiers.push({ name: t.name, min_orders: orders, min_spend: spend });
  }
  return { ok: true, tiers: { window_days: days, currency: i.currency, tiers } };
}
