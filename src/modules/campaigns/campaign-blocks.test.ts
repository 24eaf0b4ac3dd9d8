import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  carouselMessage,
  checkLoyaltyOffer,
  checkRecommendations,
  couponMessage,
  formatPrice,
  newCouponCode,
} from './campaign-blocks.ts';

const product = (i: number, over: Record<string, unknown> = {}) => ({
  sku: `SKU-${i}`,
  name: `Product ${i}`,
  category: 'Shoes',
  price: 10 + i,
  currency: 'EUR',
  url: `https://shop.example/p/${i}`,
  image_url: null,
  score: 1,
  ...over,
});

test('a recommendations block asks for 1 to 10 products, with an optional fallback and button title', () => {
  assert.deepEqual(checkRecommendations({ count: 3 }), { count: 3 });
  assert.deepEqual(checkRecommendations({ count: 1, fallback: 'Hi', button_title: 'See it' }), {
    count: 1,
    fallback: 'Hi',
    button_title: 'See it',
  });
  for (const bad of [
    { count: 0 },
    { count: 11 },
    { count: 2.5 },
    {},
    { count: 2, colour: 'red' },
    { count: 2, fallback: '' },
  ])
    assert.throws(
      () => checkRecommendations(bad),
      (e: Error & { details?: { field?: string } }) => /^recommendations/.test(e.details?.field ?? ''),
    );
});

test('a carousel has one element per product (at most 10), each titled, priced, and linked when it has a page', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 15 }), (n) => {
      const products = Array.from({ length: n }, (_, i) => product(i, i % 2 ? { url: null } : {}));
      const m = carouselMessage(products, { count: 10 });
      const elements = m.attachment.payload.elements;
      assert.equal(elements.length, Math.min(n, 10));
      elements.forEach((e, i) => {
        assert.equal(e.title, `Product ${i}`);
        assert.ok([...e.subtitle].length <= 80);
        assert.equal('buttons' in e, i % 2 === 0);
      });
    }),
  );
  const long = carouselMessage([product(1, { name: 'x'.repeat(200) })], { count: 1 });
  assert.equal([...long.attachment.payload.elements[0]!.title].length, 80);
  assert.equal(formatPrice(12.5, 'EUR'), '€12.50');
  assert.equal(formatPrice(3, 'euro'), '3.00 euro');
});

test('a loyalty offer names a coupon per tier; a coupon needs a title, its button a URL, its prefix capitals', () => {
  const ok = checkLoyaltyOffer({ tiers: { gold: { title: '20% off', code_prefix: 'GOLD' } } });
  assert.deepEqual(ok, { tiers: { gold: { title: '20% off', code_prefix: 'GOLD' } } });
  const bad = [
    { tiers: {} },
    { tiers: { gold: {} } },
    { tiers: { gold: { title: 'x', coupon_url_button_title: 'Shop' } } },
    { tiers: { gold: { title: 'x', code_prefix: 'gold' } } },
    { tiers: { gold: { title: 'x', coupon_url: 'not a url' } } },
    { tiers: { gold: { title: 'x', colour: 'gold' } } },
  ];
  for (const b of bad)
    assert.throws(
      () => checkLoyaltyOffer(b),
      (e: Error & { details?: { field?: string } }) => /^loyalty_offer\.tiers/.test(e.details?.field ?? ''),
    );
});

test("a coupon carries the person's code and not the prefix setting; codes are unambiguous and do not repeat", () => {
  const m = couponMessage({ title: '20% off', code_prefix: 'GOLD', coupon_url: 'https://shop.example' }, 'GOLD-1');
  assert.deepEqual(m.attachment.payload, {
    template_type: 'coupon',
    title: '20% off',
    coupon_url: 'https://shop.example',
    coupon_code: 'GOLD-1',
  });
  const codes = Array.from({ length: 5000 }, () => newCouponCode('GOLD'));
  assert.equal(new Set(codes).size, codes.length);
  for (const c of codes) assert.match(c, /^GOLD-[0-9A-HJKMNP-TV-Z]{10}$/);
  assert.match(newCouponCode(), /^[0-9A-HJKMNP-TV-Z]{10}$/);
});
