import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { cliActor } from '../../src/modules/access/actor.ts';
import { upsertProduct } from '../../src/modules/orders/catalogue.ts';
import { storeOrder } from '../../src/modules/orders/store-order.ts';
import {
  AGENT,
  PAGE_A,
  PAGE_B,
  browserTestsSkipped,
  launchChromium,
  startInboxServer,
  type InboxServer,
  signIn,
} from './support.ts';
import { contactIdOf, giveProfiles } from './people.ts';

const order = (externalId: string, over: Partial<Parameters<typeof storeOrder>[3]> = {}) => ({
  external_id: externalId,
  status: 'shipped',
  currency: 'EUR',
  total: 59.9,
  items: [
    { sku: 'TEE-RED-M', quantity: 2, price: 19.95 },
    { sku: 'MUG-01', quantity: 1, price: 20 },
  ],
  created_at: '2026-11-20T10:00:00.000Z',
  ...over,
});

// The orders card and the interests beside a conversation, in a real browser: an agent sees what the person bought
// and links the order whose number the person gives in the chat.
describe('orders and interests in the contact sidebar', { skip: browserTestsSkipped() }, () => {
  let server: InboxServer;
  let browser: Browser;
  let page: Page;
  const shots = process.env.PAGESCOPE_SCREENSHOTS;

  before(async () => {
    server = await startInboxServer();
    await server.write(PAGE_A, '8101', 'Hi! Where is my order A-200?');
    await server.write(PAGE_B, '8102', 'Hello other shop');
    await giveProfiles(server, {
      '8101': { first_name: 'Maya', last_name: 'Okafor' },
      '8102': { first_name: 'Bruno', last_name: 'Keller' },
    });
    const { ctx } = server.app;
    for (const [sku, name, category] of [
      ['TEE-RED-M', 'Red tee M', 'apparel'],
      ['MUG-01', 'Teapot mug', 'kitchen'],
    ] as const)
      await upsertProduct(ctx, cliActor, PAGE_A, { sku, name, category, price: 20, currency: 'EUR' });
    const maya = await contactIdOf(server, PAGE_A, '8101');
    await storeOrder(ctx, cliActor, PAGE_A, order('A-100', { contact_id: maya }));
    await storeOrder(
      ctx,
      cliActor,
      PAGE_A,
      order('A-200', { status: 'paid', total: 15, items: [{ sku: 'MUG-01', quantity: 3, price: 5 }] }),
    );
    await storeOrder(ctx, cliActor, PAGE_B, order('B-300'));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => console.error('browser error:', err.stack));
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it("shows the person's order with its status, total, lines and date, and what they bought as interests", async () => {
    await page.goto(server.base);
    await signIn(page, AGENT);
    await page
      .getByRole('navigation', { name: 'Conversations' })
      .getByRole('button', { name: /Where is my order/ })
      .click();
    const sidebar = page.getByRole('complementary', { name: 'Contact' });
    await sidebar.getByRole('heading', { name: 'Maya Okafor' }).waitFor();
    const orders = sidebar.getByRole('region', { name: 'Orders' });
    const first = orders.getByRole('listitem', { name: 'Order A-100' });
    await first.waitFor();
    await first.getByText('shipped').waitFor();
    await first.getByText('2 × Red tee M').waitFor();
    await first.getByText('1 × Teapot mug').waitFor();
    const total = await page.evaluate(() =>
      new Intl.NumberFormat(undefined, { style: 'currency', currency: 'EUR' }).format(59.9),
    );
    await first.getByText(total).waitFor();
    await first.getByText('20 Nov').waitFor();
    const interests = sidebar.getByRole('region', { name: 'Interests' });
    await interests.getByText('Bought: apparel · 1').waitFor();
    const title = await interests
      .getByRole('listitem')
      .filter({ hasText: 'Bought: kitchen · 1' })
      .getAttribute('title');
    assert.match(title ?? '', /first .*20 Nov/);
    if (shots) {
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: `${shots}/orders-1280.png` });
    }
  });

  it('links an order by the number the person gives, and it appears in the card', async () => {
    const sidebar = page.getByRole('complementary', { name: 'Contact' });
    const orders = sidebar.getByRole('region', { name: 'Orders' });
    await orders.getByRole('textbox', { name: 'Link an order' }).fill('A-200');
    await orders.getByRole('button', { name: 'Link' }).click();
    await orders.getByRole('status').getByText('Order #A-200 is linked.').waitFor();
    const linked = orders.getByRole('listitem', { name: 'Order A-200' });
    await linked.getByText('3 × Teapot mug').waitFor();
    await linked.getByText('paid').waitFor();
    await sidebar.getByRole('region', { name: 'Interests' }).getByText('Bought: kitchen · 2').waitFor();
    const row = await server.app.ctx.db
      .selectFrom('orders')
      .select(['contact_id', 'linked_by'])
      .where('external_id', '=', 'A-200')
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { contact_id: await contactIdOf(server, PAGE_A, '8101'), linked_by: server.agentId });
  });

  it("says so when the number is unknown on the Page, another Page's order included", async () => {
    const orders = page.getByRole('complementary', { name: 'Contact' }).getByRole('region', { name: 'Orders' });
    for (const number of ['A-999', 'B-300']) {
      await orders.getByRole('textbox', { name: 'Link an order' }).fill(number);
      await orders.getByRole('button', { name: 'Link' }).click();
      await orders.getByRole('alert').getByText(`No order #${number} on this Page.`).waitFor();
    }
    const b = await server.app.ctx.db
      .selectFrom('orders')
      .select('contact_id')
      .where('external_id', '=', 'B-300')
      .executeTakeFirstOrThrow();
    assert.equal(b.contact_id, null);
  });

  it('shows the same cards in the drawer on a phone', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('button', { name: 'Contact' }).click();
    const drawer = page.getByRole('dialog', { name: 'Contact' });
    await drawer.getByRole('region', { name: 'Orders' }).getByRole('listitem', { name: 'Order A-100' }).waitFor();
    await drawer.getByRole('region', { name: 'Orders' }).scrollIntoViewIfNeeded();
    if (shots) await page.screenshot({ path: `${shots}/orders-390.png` });
  });
});
