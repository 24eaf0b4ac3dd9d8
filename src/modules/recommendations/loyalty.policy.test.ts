import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkLoyaltyTiers, tierFor, type LoyaltyTier } from './loyalty.policy.ts';

const tier = fc.record({
  name: fc.constantFrom('bronze', 'silver', 'gold', 'vip'),
  min_orders: fc.nat(10),
  min_spend: fc.nat(1000),
});
// Names are unique within a Page's tiers.
const tierList = fc.uniqueArray(tier, { maxLength: 4, selector: (t) => t.name });
const stats = fc.record({ orders: fc.nat(12), spend: fc.nat(1200) });

test('the tier is one whose thresholds are met, and none is met by nobody', () => {
  fc.assert(
    fc.property(stats, tierList, (s, tiers) => {
      const name = tierFor(s, tiers);
      const met = tiers.filter((t) => s.orders >= t.min_orders && s.spend >= t.min_spend);
      if (met.length === 0) assert.equal(name, null);
      else assert.ok(met.some((t) => t.name === name));
    }),
  );
});

test('more orders or more spend never lead to a tier with lower thresholds; the listing order does not matter', () => {
  fc.assert(
    fc.property(stats, fc.nat(5), fc.nat(500), tierList, (s, moreOrders, moreSpend, tiers) => {
      const rank = (name: string | null) => {
        const t = tiers.filter((x) => x.name === name);
        return name === null
          ? [-1, -1]
          : [Math.max(...t.map((x) => x.min_orders)), Math.max(...t.map((x) => x.min_spend))];
      };
      const before = tierFor(s, tiers);
      const after = tierFor({ orders: s.orders + moreOrders, spend: s.spend + moreSpend }, tiers);
      const [bo, bs] = rank(before);
      const [ao, as] = rank(after);
      assert.ok(ao! > bo! || (ao === bo && as! >= bs!), `${before} → ${after}`);
      assert.equal(tierFor(s, [...tiers].reverse()), before);
    }),
  );
});

test('a three-tier program', () => {
  const tiers: LoyaltyTier[] = [
    { name: 'silver', min_orders: 2, min_spend: 100 },
    { name: 'gold', min_orders: 5, min_spend: 500 },
    { name: 'bronze', min_orders: 1, min_spend: 0 },
  ];
  assert.equal(tierFor({ orders: 0, spend: 0 }, tiers), null);
  assert.equal(tierFor({ orders: 1, spend: 20 }, tiers), 'bronze');
  assert.equal(tierFor({ orders: 6, spend: 120 }, tiers), 'silver');
  assert.equal(tierFor({ orders: 5, spend: 500 }, tiers), 'gold');
});

test("a Page's tiers are checked: a window, a currency, 1 to 10 named tiers with thresholds of 0 or more", () => {
  const good = {
    window_days: 365,
    currency: 'EUR',
    tiers: [{ name: 'gold', min_orders: 2, min_spend: 100 }, { name: 'silver' }],
  };
  const r = checkLoyaltyTiers(good);
  assert.ok(r.ok);
  if (r.ok) assert.deepEqual(r.tiers.tiers[1], { name: 'silver', min_orders: 0, min_spend: 0 });
  const cases: [unknown, string][] = [
    [{ ...good, window_days: 0 }, 'window_days'],
    [{ ...good, currency: 'eur' }, 'currency'],
    [{ ...good, tiers: [] }, 'tiers'],
    [{ ...good, tiers: [{ name: 'Gold' }] }, 'tiers[0].name'],
    [{ ...good, tiers: [{ name: 'gold' }, { name: 'gold' }] }, 'tiers[1].name'],
    [{ ...good, tiers: [{ name: 'gold', min_orders: -1 }] }, 'tiers[0].min_orders'],
    [{ ...good, tiers: [{ name: 'gold', min_spend: 'lots' }] }, 'tiers[0].min_spend'],
  ];
  for (const [input, field] of cases) {
    const c = checkLoyaltyTiers(input);
    assert.equal(c.ok, false, field);
    if (!c.ok) assert.equal(c.field, field);
  }
});
