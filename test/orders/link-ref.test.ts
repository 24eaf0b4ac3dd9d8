// The m.me join end to end through the emulator: a shop posts an order with the `ref` of the m.me link on its order
// page; when the person follows that link (a new conversation's Get Started, or a referral into an existing one), the
// order joins their contact, once. Payloads clicked and refs followed become interests; redeliveries change nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/db.ts';
import { bearer, type TestApp } from '../support/app.ts';
import type { EmulatorServer } from '../../src/emulator/index.ts';
import { installHooks } from '../../src/app/modules.ts';
import { orderRoutes } from '../../src/http/routes/orders.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';
import { drain, emulatedApp, postWebhook } from '../ingest/support.ts';
import { orderBody } from './support.ts';

for (const dialect of testDialects()) {
  describe(`orders join the person who follows their m.me link [${dialect}]`, () => {
    let app!: TestApp;
    let emu!: EmulatorServer;
    let shop = '';
    let otherShop = '';
    let ana = '';
    let bea = '';
    const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
      app.server.inject({ method, url, headers: bearer(app.ownerToken), ...(payload && { payload }) });
    const contactOf = async (user: string, page = shop) =>
      (await call('GET', `/api/v1/pages/${page}/contacts/by-psid/${emu.emulator.psid(user, page)}`)).json()
        .id as string;
    const ordersOf = async (contactId: string) =>
      (await call('GET', `/api/v1/contacts/${contactId}/orders`)).json().data as { external_id: string }[];
    const interestsOf = async (contactId: string) =>
      Object.fromEntries(
        (
          (await call('GET', `/api/v1/contacts/${contactId}/interests`)).json().data as {
            interest: string;
            weight: number;
          }[]
        ).map((i) => [i.interest, i.weight]),
      );
    const linkAudits = async () =>
      (await app.ctx.db.selectFrom('audit_events').select('details').where('action', '=', 'order.link').execute()).map(
        (r) => JSON.parse(r.details!) as { contact_id: string; via: string },
      );

    before(async () => {
      let pages: string[];
      ({ app, emu, pages } = await emulatedApp(dialect, {}, {}, [orderRoutes]));
      otherShop = pages[1]!;
      installHooks(app.ctx);
      // A shop with a Get Started button: a new person following its m.me link arrives as that postback with the ref.
      const page = emu.emulator.createPage({ name: 'Shop with Get Started' });
      await registerPage(app.ctx, cliActor, { id: page.id, name: page.name, access_token: page.access_token });
      shop = page.id;
      const set = await emu.emulator.graph({
        method: 'POST',
        path: '/v25.0/me/messenger_profile',
        query: { access_token: page.access_token },
        body: { get_started: { payload: 'GET_STARTED' } },
      });
      assert.deepEqual(set.body, { result: 'success' });
      await call('POST', `/api/v1/pages/${shop}/products`, {
        sku: 'TEE-RED-M',
        name: 'Red tee M',
        category: 'apparel',
        price: 19.95,
        currency: 'EUR',
      });
      const posted = await call(
        'POST',
        `/api/v1/pages/${shop}/orders`,
        orderBody('W-7001', {
          link_ref: 'ord-7001',
          link_tag: 'buyer',
          items: [{ sku: 'TEE-RED-M', quantity: 2, price: 19.95 }],
        }),
      );
      assert.equal(posted.statusCode, 201, posted.body);
      assert.equal(posted.json().awaiting_link, true);
      ana = emu.emulator.createUser({ first_name: 'Ana', last_name: 'Silva' }).id;
      bea = emu.emulator.createUser({ first_name: 'Bea', last_name: 'Costa' }).id;
    });
    after(async () => {
      await app.close();
      await emu.close();
    });

    test('a new person who follows the link gets the order, its tag and its interests (Get Started itself is none)', async () => {
      await emu.emulator.user(ana).follows(shop, 'ord-7001');
      await drain(app);
      const contact = await contactOf(ana);
      const orders = await ordersOf(contact);
      assert.deepEqual(
        orders.map((o) => o.external_id),
        ['W-7001'],
      );
      assert.deepEqual(await interestsOf(contact), { 'ref:ord-7001': 1, 'category:apparel': 1 });
      const tags = await app.ctx.db
        .selectFrom('contact_tags')
        .select('tag')
        .where('contact_id', '=', contact)
        .execute();
      assert.deepEqual(
        tags.map((t) => t.tag),
        ['buyer'],
      );
      assert.deepEqual(await linkAudits(), [{ contact_id: contact, via: 'link_ref', tagged: true }]);
      const row = await app.ctx.db
        .selectFrom('orders')
        .select(['link_ref_bidx', 'linked_by'])
        .where('external_id', '=', 'W-7001')
        .executeTakeFirstOrThrow();
      assert.deepEqual(row, { link_ref_bidx: null, linked_by: null });
      const changed = await app.ctx.db
        .selectFrom('inbox_events')
        .select('type')
        .where('contact_id', '=', contact)
        .where('type', '=', 'contact.updated')
        .execute();
      assert.ok(changed.length >= 1);
    });

    test('every webhook delivered again changes nothing: no second join, no heavier interest', async () => {
      const contact = await contactOf(ana);
      const before = [await interestsOf(contact), await linkAudits()];
      for (const d of emu.emulator.deliveries().filter((r) => r.kind === 'first'))
        assert.equal(
          (
            await postWebhook(app, d.body, {
              'content-type': 'application/json',
              'x-hub-signature-256': d.headers['x-hub-signature-256']!,
            })
          ).statusCode,
          200,
        );
      await drain(app);
      assert.deepEqual([await interestsOf(contact), await linkAudits()], before);
    });

    test('following the link again counts as interest but joins nothing: the ref was used', async () => {
      await emu.emulator.user(ana).follows(shop, 'ord-7001');
      await drain(app);
      const contact = await contactOf(ana);
      assert.equal((await interestsOf(contact))['ref:ord-7001'], 2);
      assert.equal((await linkAudits()).length, 1);
    });

    test("a referral into an existing conversation joins the person's next order", async () => {
      await call('POST', `/api/v1/pages/${shop}/orders`, orderBody('W-7002', { link_ref: 'ord-7002' }));
      await emu.emulator.user(ana).follows(shop, 'ord-7002');
      await drain(app);
      const contact = await contactOf(ana);
      assert.deepEqual(
        (await ordersOf(contact)).map((o) => o.external_id),
        ['W-7002', 'W-7001'],
      );
    });

    test('a person carrying the most tags allowed still gets the order and its tag: the link never fails the event', async () => {
      const contact = await contactOf(ana);
      await app.ctx.db
        .insertInto('contact_tags')
        .values(
          Array.from({ length: 199 }, (_, i) => ({
            contact_id: contact,
            page_id: shop,
            tag: `bulk ${i}`,
            created_by: null,
            created_at: 1,
          })),
        )
        .execute();
      const count = async () =>
        (await app.ctx.db.selectFrom('contact_tags').select('tag').where('contact_id', '=', contact).execute()).length;
      assert.equal(await count(), 200);
      await call(
        'POST',
        `/api/v1/pages/${shop}/orders`,
        orderBody('W-7003', { link_ref: 'ord-7003', link_tag: 'repeat' }),
      );
      await emu.emulator.user(ana).follows(shop, 'ord-7003');
      await drain(app);
      assert.ok((await ordersOf(contact)).some((o) => o.external_id === 'W-7003'));
      assert.equal(await count(), 201);
    });

    test("a ref that matches no order changes no order, nor does another Page's ref", async () => {
      await call('POST', `/api/v1/pages/${otherShop}/orders`, orderBody('B-1', { link_ref: 'ord-b-1' }));
      await emu.emulator.user(bea).says(shop, 'hello');
      await emu.emulator.user(bea).follows(shop, 'no-such-order');
      await emu.emulator.user(bea).follows(shop, 'ord-b-1');
      await drain(app);
      const contact = await contactOf(bea);
      assert.deepEqual(await ordersOf(contact), []);
      const waiting = await app.ctx.db
        .selectFrom('orders')
        .select(['contact_id'])
        .where('external_id', '=', 'B-1')
        .executeTakeFirstOrThrow();
      assert.equal(waiting.contact_id, null);
      assert.deepEqual(await interestsOf(contact), { 'ref:no-such-order': 1, 'ref:ord-b-1': 1 });
    });

    test('payloads a person clicks, in quick replies and buttons, become weighted interests', async () => {
      await emu.emulator.user(bea).quickReply(shop, 'Red', 'COLOR_RED');
      await emu.emulator.user(bea).quickReply(shop, 'Red', 'COLOR_RED');
      await emu.emulator.user(bea).postback(shop, 'MENU_ORDERS', 'Orders');
      await drain(app);
      const interests = await interestsOf(await contactOf(bea));
      assert.deepEqual([interests['payload:COLOR_RED'], interests['payload:MENU_ORDERS']], [2, 1]);
    });
  });
}
