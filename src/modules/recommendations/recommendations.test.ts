import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDialect } from '../../../test/support/db.ts';
import { insertAudience, worldContact, type WorldContact } from '../../../test/support/audience.ts';
import { Keyring } from '../../crypto/index.ts';
import { randomBytes } from 'node:crypto';
import { loyaltyTier, recommendProducts } from './recommendations.ts';

const PAGE = '7700000000000001';
const OTHER = '7700000000000002';
const NOW = Date.UTC(2026, 5, 1);
const DAY = 86_400_000;
const master = randomBytes(32);
const keyring = Keyring.open(master, [Keyring.wrapNewVersion(master, 1)]);

const CATALOGUE: [string, string, number][] = [
  ['SH-1', 'Shoes', 1],
  ['SH-2', 'Shoes', 1],
  ['SH-3', 'Shoes', 0],
  ['SO-1', 'Socks', 1],
  ['BG-1', 'Bags', 1],
  ['BG-2', 'Bags', 1],
  ['CP-1', 'Caps', 1],
];

const order = (daysAgo: number, total: number, ...skus: string[]) => ({
  total,
  orderedAt: NOW - daysAgo * DAY,
  items: skus.map((sku) => ({ sku, category: CATALOGUE.find((p) => p[0] === sku)?.[1] ?? null })),
});

forEachDialect('recommendations and loyalty tiers', (database) => {
  let ana: WorldContact;
  let ben: WorldContact;
  let cat: WorldContact;
  let newcomer: WorldContact;

  test('set-up: a catalogue, people and their orders', async () => {
    const db = database().db;
    await db
      .insertInto('pages')
      .values(
        [PAGE, OTHER].map((id) => ({
          id,
          name: id,
          access_token_enc: 'x',
          status: 'active',
          created_at: NOW,
          updated_at: NOW,
        })),
      )
      .execute();
    for (const pageId of [PAGE, OTHER])
      await db
        .insertInto('products')
        .values(
          CATALOGUE.map(([sku, category, active]) => ({
            id: `pr-${pageId}-${sku}`,
            page_id: pageId,
            sku,
            name: sku,
            category,
            price: 10,
            currency: 'EUR',
            url: null,
            image_url: null,
            active,
            created_at: NOW,
            updated_at: NOW,
          })),
        )
        .execute();
    // Ana bought shoes SH-1; other people often bought SO-1 with SH-1, once BG-1; Ana clicked the Caps category.
    ana = worldContact(NOW, { orders: [order(10, 80, 'SH-1')], interests: ['category:Caps'] });
    ben = worldContact(NOW, { orders: [order(5, 90, 'SH-1', 'SO-1'), order(400, 500, 'BG-2')] });
    cat = worldContact(NOW, { orders: [order(20, 95, 'SH-1', 'SO-1', 'BG-1'), order(30, 30, 'SO-1')] });
    newcomer = worldContact(NOW);
    await insertAudience(db, keyring, PAGE, [], [ana, ben, cat, newcomer], NOW);
  });

  test('recommends what others bought with their purchases and their categories, never what they bought or what is off sale', async () => {
    const db = database().db;
    const got = await recommendProducts(db, PAGE, ana.id, 10);
    // SO-1 bought with SH-1 in two orders (4), SH-2 same category as Ana's shoes (1), CP-1 clicked category (1),
    // BG-1 bought with SH-1 once (2); SH-3 is off sale, SH-1 she owns, BG-2 nothing links her to.
    assert.deepEqual(
      got.map((p) => [p.sku, p.score]),
      [
        ['SO-1', 4],
        ['BG-1', 2],
        ['CP-1', 1],
        ['SH-2', 1],
      ],
    );
    assert.deepEqual(
      (await recommendProducts(db, PAGE, ana.id, 2)).map((p) => p.sku),
      ['SO-1', 'BG-1'],
    );
    assert.deepEqual(await recommendProducts(db, PAGE, newcomer.id, 5), [], 'nothing to go on');
    assert.deepEqual(await recommendProducts(db, OTHER, ana.id, 5), [], 'another Page knows nothing of her');
    await assert.rejects(recommendProducts(db, PAGE, ana.id, 0), { code: 'validation_failed' });
  });

  test('a loyalty tier counts the orders and spend within the window, in the tiers currency', async () => {
    const db = database().db;
    const tiers = {
      window_days: 90,
      currency: 'EUR',
      tiers: [
        { name: 'bronze', min_orders: 1, min_spend: 0 },
        { name: 'silver', min_orders: 2, min_spend: 100 },
        { name: 'gold', min_orders: 3, min_spend: 300 },
      ],
    };
    assert.deepEqual(await loyaltyTier(db, PAGE, cat.id, tiers, NOW), { tier: 'silver', orders: 2, spend: 125 });
    // Ben's big order is older than the window.
    assert.deepEqual(await loyaltyTier(db, PAGE, ben.id, tiers, NOW), { tier: 'bronze', orders: 1, spend: 90 });
    assert.deepEqual(await loyaltyTier(db, PAGE, ben.id, { ...tiers, window_days: 500 }, NOW), {
      tier: 'silver',
      orders: 2,
      spend: 590,
    });
    assert.deepEqual(await loyaltyTier(db, PAGE, newcomer.id, tiers, NOW), { tier: null, orders: 0, spend: 0 });
    assert.deepEqual(await loyaltyTier(db, PAGE, cat.id, { ...tiers, currency: 'USD' }, NOW), {
      tier: null,
      orders: 0,
      spend: 0,
    });
    assert.equal((await loyaltyTier(db, OTHER, cat.id, tiers, NOW)).orders, 0);
  });
});
