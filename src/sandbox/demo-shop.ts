// The demo shop's audience: a catalogue, customers with orders (some joined through the m.me link on the shop's order
// page, as a real person would follow it), and two saved segments, so a newcomer's contacts list is filled. Every step
// is idempotent: a restart (or a start that stopped half-way) finds what is there and adds only what is missing.
import type { AppContext } from '../kernel/context.ts';
import type { Emulator } from '../emulator/index.ts';
import { AppError } from '../errors.ts';
import { cliActor } from '../modules/access/actor.ts';
import { listProducts, upsertProduct, type ProductInput } from '../modules/orders/catalogue.ts';
import { storeOrder } from '../modules/orders/store-order.ts';
import { listPageOrders } from '../modules/orders/read-orders.ts';
import { findContactByPsid } from '../modules/contacts/read-contacts.ts';
import { createSegment, listSegments } from '../modules/segments/segments.ts';

const CURRENCY = 'EUR';
const DAY = 86_400_000;

export const DEMO_PRODUCTS: readonly ProductInput[] = [
  { sku: 'SH-RUN-01', name: 'Trail running shoes', category: 'Shoes', price: 89, currency: CURRENCY },
  { sku: 'SH-SNK-02', name: 'Canvas sneakers', category: 'Shoes', price: 59, currency: CURRENCY },
  { sku: 'SH-BOOT-03', name: 'Leather ankle boots', category: 'Shoes', price: 129, currency: CURRENCY },
  { sku: 'TS-LIN-01', name: 'Blue linen shirt', category: 'Shirts', price: 45, currency: CURRENCY },
  { sku: 'TS-OXF-02', name: 'White oxford shirt', category: 'Shirts', price: 49, currency: CURRENCY },
  { sku: 'TS-TEE-03', name: 'Organic cotton tee', category: 'Shirts', price: 19, currency: CURRENCY },
  { sku: 'BG-TOT-01', name: 'Canvas tote bag', category: 'Bags', price: 25, currency: CURRENCY },
  { sku: 'BG-BPK-02', name: 'Roll-top backpack', category: 'Bags', price: 79, currency: CURRENCY },
  { sku: 'BG-CRS-03', name: 'Leather crossbody bag', category: 'Bags', price: 99, currency: CURRENCY },
  { sku: 'AC-CAP-01', name: 'Wool cap', category: 'Accessories', price: 22, currency: CURRENCY },
  { sku: 'AC-SCF-02', name: 'Silk scarf', category: 'Accessories', price: 35, currency: CURRENCY },
  { sku: 'AC-SOX-03', name: 'Merino socks, 3 pairs', category: 'Accessories', price: 18, currency: CURRENCY },
];

interface DemoOrder {
  number: string;
  daysAgo: number;
  lines: { sku: string; quantity: number }[];
}

interface DemoCustomer {
  first_name: string;
  last_name: string;
  /** `message`: the person wrote to the shop first, the shop posts orders naming their contact. `link`: the orders
   * wait on an m.me ref, and the person follows the link from the shop's order page. */
  via: 'message' | 'link';
  orders: DemoOrder[];
}

export const DEMO_CUSTOMERS: readonly DemoCustomer[] = [
  {
    first_name: 'Ana',
    last_name: 'Ferreira',
    via: 'message',
    orders: [
      { number: '1001', daysAgo: 10, lines: [{ sku: 'SH-RUN-01', quantity: 1 }] },
      { number: '1002', daysAgo: 40, lines: [{ sku: 'TS-LIN-01', quantity: 2 }] },
      { number: '1003', daysAgo: 120, lines: [{ sku: 'BG-TOT-01', quantity: 1 }] },
    ],
  },
  {
    first_name: 'Bruno',
    last_name: 'Keller',
    via: 'message',
    orders: [{ number: '1004', daysAgo: 200, lines: [{ sku: 'SH-BOOT-03', quantity: 1 }] }],
  },
  {
    first_name: 'Chloé',
    last_name: 'Martin',
    via: 'message',
    orders: [
      { number: '1005', daysAgo: 7, lines: [{ sku: 'AC-SCF-02', quantity: 1 }] },
      { number: '1006', daysAgo: 35, lines: [{ sku: 'TS-OXF-02', quantity: 1 }] },
      { number: '1007', daysAgo: 80, lines: [{ sku: 'BG-CRS-03', quantity: 1 }] },
      {
        number: '1008',
        daysAgo: 150,
        lines: [
          { sku: 'AC-SOX-03', quantity: 2 },
          { sku: 'AC-CAP-01', quantity: 1 },
        ],
      },
    ],
  },
  {
    first_name: 'Fatima',
    last_name: 'Haddad',
    via: 'message',
    orders: [
      { number: '1009', daysAgo: 60, lines: [{ sku: 'SH-SNK-02', quantity: 1 }] },
      { number: '1010', daysAgo: 95, lines: [{ sku: 'TS-TEE-03', quantity: 3 }] },
      { number: '1011', daysAgo: 300, lines: [{ sku: 'BG-BPK-02', quantity: 1 }] },
    ],
  },
  {
    first_name: 'David',
    last_name: 'Novak',
    via: 'link',
    orders: [{ number: '1012', daysAgo: 5, lines: [{ sku: 'SH-SNK-02', quantity: 1 }] }],
  },
  {
    first_name: 'Elif',
    last_name: 'Yilmaz',
    via: 'link',
    orders: [{ number: '1013', daysAgo: 30, lines: [{ sku: 'BG-TOT-01', quantity: 1 }] }],
  },
];

/** The demo shop's saved segments, with the customers above each one holds. */
export const DEMO_SEGMENTS = [
  {
    name: 'Bought shoes, ordered in the last 90 days',
    filter: {
      all: [
        { field: 'orders.category', op: 'eq', value: 'Shoes' },
        { field: 'orders.last_at', op: 'within_days', value: 90 },
      ],
    },
  },
  { name: 'Loyal: 3+ orders', filter: { field: 'orders.count', op: 'gte', value: 3 } },
] as const;

/** The m.me ref on the order page of a demo order placed by someone who had not written to the shop yet. */
export function demoOrderRef(order: DemoOrder): string {
  return `order-${order.number}`;
}

/** How long the seeding waits for the webhook of a customer's first message to be processed. */
const CONTACT_WAIT_MS = 30_000;

/**
 * Fills the demo shop's audience (see the file's head). `people` holds the customers' ids at the emulator from an
 * earlier run (the emulator's world is saved), and is returned with any new ones, for the sandbox's state file.
 */
export async function seedDemoShop(
  ctx: AppContext,
  emulator: Emulator,
  pageId: string,
  people: readonly string[],
): Promise<string[]> {
  await seedCatalogue(ctx, pageId);
  // Orders already stored are left as they are (an operator may have changed them; a restart changes nothing and
  // audits nothing): only the missing ones are posted, each looked up by its number.
  const stored = async (o: DemoOrder) =>
    (await listPageOrders(ctx, cliActor, pageId, { externalId: o.number, cursor: null, limit: 1 })).data.length > 0;
  const ids: string[] = [];
  const now = ctx.clock.now();
  for (const [i, customer] of DEMO_CUSTOMERS.entries()) {
    const known = people[i] !== undefined && emulator.users().some((u) => u.id === people[i]);
    const userId = known
      ? people[i]!
      : emulator.createUser({ first_name: customer.first_name, last_name: customer.last_name, locale: 'en_US' }).id;
    ids.push(userId);
    const missing: DemoOrder[] = [];
    for (const o of customer.orders) if (!(await stored(o))) missing.push(o);
    if (missing.length === 0) continue;
    const orderAt = (o: DemoOrder) => new Date(now - o.daysAgo * DAY).toISOString();
    const lines = (o: DemoOrder) =>
      o.lines.map((l) => ({ ...l, price: DEMO_PRODUCTS.find((p) => p.sku === l.sku)!.price }));
    const total = (o: DemoOrder) => lines(o).reduce((sum, l) => sum + l.price * l.quantity, 0);
    if (customer.via === 'link') {
      // The shop stores the order with the ref of its m.me link; the person follows the link (a referral webhook),
      // and the order joins their contact. A second run finds the order stored and nobody follows the link again.
      for (const o of missing) {
        const { order } = await storeOrder(ctx, cliActor, pageId, {
          external_id: o.number,
          link_ref: demoOrderRef(o),
          link_tag: 'ordered via messenger',
          status: 'delivered',
          currency: CURRENCY,
          total: total(o),
          items: lines(o),
          created_at: orderAt(o),
        });
        if (order.awaiting_link) await emulator.user(userId).follows(pageId, demoOrderRef(o), { source: 'SHORTLINK' });
      }
      continue;
    }
    if (emulator.psid(userId, pageId) === null)
      await emulator.user(userId).says(pageId, `Hi! I'm ${customer.first_name}, I ordered from your shop.`);
    const contact = await processedContact(ctx, pageId, emulator.psid(userId, pageId)!);
    for (const o of missing)
      await storeOrder(ctx, cliActor, pageId, {
        external_id: o.number,
        contact_id: contact,
        status: 'delivered',
        currency: CURRENCY,
        total: total(o),
        items: lines(o),
        created_at: orderAt(o),
      });
  }
  const saved = new Set((await listSegments(ctx, cliActor, pageId)).map((s) => s.name));
  for (const s of DEMO_SEGMENTS) if (!saved.has(s.name)) await createSegment(ctx, cliActor, pageId, s);
  return ids;
}

/** Adds the products the catalogue does not hold yet (a product the operator changed is left as it is). */
async function seedCatalogue(ctx: AppContext, pageId: string): Promise<void> {
  const held = new Set(
    (await listProducts(ctx, cliActor, pageId, { cursor: null, limit: 100 })).data.map((p) => p.sku),
  );
  for (const p of DEMO_PRODUCTS) if (!held.has(p.sku)) await upsertProduct(ctx, cliActor, pageId, p);
}

/** The contact's id once the webhook that introduces the person was processed (it was acknowledged already). */
async function processedContact(ctx: AppContext, pageId: string, psid: string): Promise<string> {
  const until = Date.now() + CONTACT_WAIT_MS;
  for (;;) {
    try {
      return (await findContactByPsid(ctx, cliActor, pageId, psid)).id;
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'not_found') || Date.now() > until) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
