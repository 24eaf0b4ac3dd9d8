// Campaigns that send each person something of their own, through the emulator on each database: a utility campaign
// (the approved template in the person's language, sent as UTILITY even to a person whose window closed), a carousel
// of products they did not buy, a coupon of their loyalty tier with a code of their own, and a campaign button
// pressed twice counted as one click, its payload reaching the automations as it was written.
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { ContactTable } from '../../src/db/tables/conversations.ts';
import type { Dialect } from '../../src/db/types.ts';
import { sealContactField } from '../../src/crypto/contact-layer.ts';
import { startEmulatorServer, type EmulatorServer } from '../../src/emulator/index.ts';
import { installHooks, routeModules } from '../../src/app/modules.ts';
import type { BackgroundWorker } from '../../src/kernel/loop.ts';
import { newId } from '../../src/lib/ids.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { startCampaignSender } from '../../src/modules/campaigns/campaign-sender.ts';
import { newContactRow } from '../../src/modules/contacts/contact-row.ts';
import { startDispatcher } from '../../src/modules/messaging/dispatcher.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';
import { syncDueTemplates } from '../../src/modules/templates/template-sync.ts';
import { bearer, createTestApp, type TestApp } from '../support/app.ts';
import { testDialects } from '../support/db.ts';
import { wroteJustNow } from '../support/seed.ts';
import { until } from '../support/until.ts';
import { drain } from '../ingest/support.ts';

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const DAY = 86_400_000;

interface Person {
  userId: string;
  contactId: string;
}

async function run(dialect: Dialect, t: TestContext) {
  let app!: TestApp;
  let meta!: EmulatorServer;
  let pageId = '';
  let listening = false;
  const workers: BackgroundWorker[] = [];
  const call = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => {
    const res = await app.server.inject({
      method,
      url,
      headers: bearer(app.ownerToken),
      ...(payload !== undefined && { payload: payload as object }),
    });
    return { status: res.statusCode, body: (res.body === '' ? null : res.json()) as Body };
  };

  /** A person who wrote to the Page (their contact stored as ingest stores it), tagged to be a campaign's audience. */
  async function person(first: string, locale: string, tag: string, over: Partial<ContactTable> = {}): Promise<Person> {
    const user = meta.emulator.createUser({ first_name: first, last_name: 'Test', locale });
    const psid = (await meta.emulator.user(user.id).says(pageId, 'hello')).psid!;
    const { ctx } = app;
    const id = newId('ct');
    const now = Date.now();
    const at = (column: string) => ({ table: 'contacts', column, pageId, rowId: id });
    const row: ContactTable = {
      ...newContactRow({
        id,
        pageId,
        psidBidx: ctx.keyring.blindIndex(psid, 'psid'),
        psidEnc: ctx.keyring.encrypt(psid, at('psid_enc')),
        at: now,
        now,
      }),
      ...wroteJustNow(now),
      locale,
      first_name_enc: sealContactField(ctx, id, first, at('first_name_enc')),
      ...over,
    };
    await ctx.db.insertInto('contacts').values(row).execute();
    assert.equal((await call('POST', `/api/v1/contacts/${id}/tags`, { tags: [tag] })).status, 200);
    return { userId: user.id, contactId: id };
  }

  const inbox = (p: Person) => meta.emulator.inbox(p.userId, pageId);
  const lastMessage = (p: Person) => inbox(p).at(-1) as Body | undefined;
  const recipients = async (id: string) =>
    (await call('GET', `/api/v1/campaigns/${id}/recipients`)).body.data as Body[];
  const recipientOf = async (id: string, p: Person) =>
    (await recipients(id)).find((r) => r.contact_id === p.contactId)!;

  /** Creates, starts and waits for a campaign to complete; its id. */
  async function sendCampaign(body: Record<string, unknown>): Promise<string> {
    const made = await call('POST', `/api/v1/pages/${pageId}/campaigns`, { max_per_second: 50, ...body });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const id = made.body.id as string;
    assert.equal((await call('POST', `/api/v1/campaigns/${id}/start`)).status, 200);
    await until(
      'the campaign completed and its sends went out',
      async () => {
        const c = (await call('GET', `/api/v1/campaigns/${id}`)).body;
        return c.status === 'completed' && c.stats.queued === 0 ? true : undefined;
      },
      30_000,
      50,
    );
    return id;
  }

  before(async () => {
    meta = await startEmulatorServer({
      seed: `personalised-${dialect}`,
      appSecret: 'test-app-secret',
      policy: { echoes: false, deliveryReceipts: false },
      // Webhooks reach the app once the test listens (the people's first words are stored by hand, above).
      transport: async (req) => {
        if (!listening) return { status: 200, body: 'EVENT_RECEIVED' };
        const res = await app.server.inject({
          method: req.method,
          url: '/webhook',
          headers: req.headers,
          ...(req.body !== undefined && { payload: req.body }),
        });
        return { status: res.statusCode, body: res.body };
      },
    });
    app = await createTestApp(dialect, {
      routes: routeModules(),
      env: { META_GRAPH_URL: meta.url, PAGESCOPE_PUBLIC_URL: 'https://pagescope.example' },
    });
    app.clock.now = () => Date.now();
    installHooks(app.ctx);
    const page = meta.emulator.createPage({ name: 'Shop' });
    pageId = page.id;
    await registerPage(app.ctx, cliActor, { id: page.id, name: 'Shop', access_token: page.access_token });
    const dispatcher = startDispatcher(app.ctx, { workerId: `personalised-${dialect}` });
    workers.push(dispatcher, startCampaignSender(app.ctx, { onQueued: () => dispatcher.wake() }));
  });
  after(async () => {
    for (const w of workers) await w.stop();
    await app.close();
    await meta.close();
  });

  await t.test('a utility campaign sends each person the approved template in their language', async () => {
    const ann = await person('Ann', 'en_US', 'utility', { last_user_action_at: Date.now() - 2 * DAY });
    const fleur = await person('Fleur', 'fr_FR', 'utility');
    const kurt = await person('Kurt', 'de_DE', 'utility');
    const body = (language: string, text: string) => ({
      name: 'order_update',
      language,
      components: [{ type: 'BODY', text, example: { body_text: [['Ana', '1042']] } }],
    });
    const utility = (over: Record<string, unknown> = {}) => ({
      name: 'Shipping notice',
      kind: 'utility',
      filter: { field: 'tag', op: 'eq', value: 'utility' },
      template: { name: 'order_update', language: 'fr', parameters: ['{{contact.first_name|there}}', 'A-1042'] },
      ...over,
    });
    const early = await call('POST', `/api/v1/pages/${pageId}/campaigns`, utility());
    assert.equal(early.status, 400);
    assert.equal(early.body.error.details.reason, 'template_not_approved');
    assert.match(early.body.error.message, /order_update/);

    for (const [language, text] of [
      ['en_US', 'Hi {{1}}, your order {{2}} has shipped.'],
      ['fr_FR', 'Bonjour {{1}}, votre commande {{2}} est partie.'],
    ] as const)
      assert.equal((await call('POST', `/api/v1/pages/${pageId}/message-templates`, body(language, text))).status, 201);
    meta.emulator.advance(meta.emulator.options.policy.templateReviewMs);
    await until(
      "Meta's review reached the Page's templates",
      async () => {
        await syncDueTemplates(app.ctx);
        const list = (await call('GET', `/api/v1/pages/${pageId}/message-templates`)).body.data as Body[];
        return list.every((x) => x.status === 'approved') ? true : undefined;
      },
      20_000,
      200,
    );

    const refused: [Record<string, unknown>, string][] = [
      [
        { template: { name: 'order_update', language: 'en_US', parameters: ['{{contact.first_name}}'] } },
        'template_parameters',
      ],
      [
        {
          template: undefined,
          message: {
            text: 'Your order shipped',
            quick_replies: [{ content_type: 'text', title: 'OK', payload: 'OK' }],
          },
        },
        'quick_replies_not_allowed',
      ],
      [{ template: undefined, message: { text: 'Our summer sale starts now' } }, 'promotional_content'],
    ];
    for (const [over, reason] of refused) {
      const res = await call('POST', `/api/v1/pages/${pageId}/campaigns`, utility(over));
      assert.equal(res.status, 400, reason);
      assert.equal(res.body.error.details.reason, reason);
    }

    const made = await call('POST', `/api/v1/pages/${pageId}/campaigns`, utility());
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const preview = (await call('POST', `/api/v1/campaigns/${made.body.id}/preview`)).body;
    assert.equal(preview.eligible, 3, 'outside the window, a utility template may still go');
    const sample = new Map((preview.sample as Body[]).map((s) => [s.contact_id, s]));
    assert.equal(sample.get(fleur.contactId)!.text, 'Bonjour Fleur, votre commande A-1042 est partie.');
    assert.equal(sample.get(ann.contactId)!.text, 'Hi Ann, your order A-1042 has shipped.');
    assert.equal(sample.get(kurt.contactId)!.reason, 'no_template_language');

    const id = made.body.id as string;
    assert.equal((await call('POST', `/api/v1/campaigns/${id}/start`)).status, 200);
    await until(
      'the utility campaign completed',
      async () => {
        const c = (await call('GET', `/api/v1/campaigns/${id}`)).body;
        return c.status === 'completed' && c.stats.queued === 0 ? true : undefined;
      },
      30_000,
      50,
    );
    const annGot = lastMessage(ann)!;
    assert.equal(annGot.messaging_type, 'UTILITY');
    assert.equal(annGot.text, 'Hi Ann, your order A-1042 has shipped.');
    assert.equal(lastMessage(fleur)!.text, 'Bonjour Fleur, votre commande A-1042 est partie.');
    assert.equal(lastMessage(fleur)!.messaging_type, 'UTILITY');
    assert.equal(inbox(kurt).length, 0);
    const annDelivery = await app.ctx.db
      .selectFrom('deliveries')
      .selectAll()
      .where('campaign_id', '=', id)
      .where('contact_id', '=', ann.contactId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      [annDelivery.status, annDelivery.kind, annDelivery.messaging_type],
      ['sent', 'utility', 'UTILITY'],
    );
    assert.deepEqual(
      [(await recipientOf(id, kurt)).status, (await recipientOf(id, kurt)).reason],
      ['skipped', 'no_template_language'],
    );
    const stats = (await call('GET', `/api/v1/campaigns/${id}`)).body.stats;
    assert.equal(stats.sent, 2);
    assert.deepEqual(stats.skipped, { no_template_language: 1 });
  });

  await t.test('a recommendations block becomes a carousel of products each person did not buy', async () => {
    const products = [
      ['SH-1', 'Trail shoes', 'Shoes', 89.9],
      ['SH-2', 'City shoes', 'Shoes', 79],
      ['SO-1', 'Wool socks', 'Socks', 12.5],
      ['BG-1', 'Day bag', 'Bags', 45],
    ] as const;
    for (const [sku, name, category, price] of products)
      assert.equal(
        (
          await call('POST', `/api/v1/pages/${pageId}/products`, {
            sku,
            name,
            category,
            price,
            currency: 'EUR',
            url: `https://shop.example/p/${sku}`,
            image_url: `https://shop.example/i/${sku}.jpg`,
          })
        ).status < 300,
        true,
      );
    const rita = await person('Rita', 'en_US', 'reco');
    const nico = await person('Nico', 'en_US', 'reco');
    const bob = await person('Bob', 'en_US', 'shopper');
    const order = async (p: Person, external: string, skus: string[]) => {
      const items = skus.map((sku) => ({ sku, quantity: 1, price: products.find((x) => x[0] === sku)![3] }));
      const res = await call('POST', `/api/v1/pages/${pageId}/orders`, {
        external_id: external,
        contact_id: p.contactId,
        status: 'paid',
        currency: 'EUR',
        total: items.reduce((a, i) => a + i.price, 0),
        items,
        created_at: new Date().toISOString(),
      });
      assert.ok(res.status < 300, JSON.stringify(res.body));
    };
    await order(rita, 'R-1', ['SH-1']);
    await order(bob, 'B-1', ['SH-1', 'SO-1']);

    const reco = (fallback?: string) => ({
      name: 'For you',
      kind: 'standard',
      filter: { field: 'tag', op: 'eq', value: 'reco' },
      message: { recommendations: { count: 3, ...(fallback !== undefined && { fallback }) } },
    });
    const bad = await call('POST', `/api/v1/pages/${pageId}/campaigns`, {
      ...reco(),
      message: { recommendations: { count: 3 }, text: 'both' },
    });
    assert.equal(bad.status, 400);

    const id = await sendCampaign(reco('Hi {{contact.first_name|there}}, see what is new'));
    const carousel = lastMessage(rita)!.attachments as Body[];
    const payload = carousel[0]!.payload as Body;
    assert.equal(payload.template_type, 'generic');
    const elements = payload.elements as Body[];
    assert.deepEqual(
      elements.map((e) => e.title).sort(),
      ['City shoes', 'Wool socks'],
      'bought together with her shoes, or of her category; never the shoes she bought',
    );
    const socks = elements.find((e) => e.title === 'Wool socks')!;
    assert.equal(socks.subtitle, '€12.50 · Socks');
    assert.equal(socks.image_url, 'https://shop.example/i/SO-1.jpg');
    assert.match(socks.buttons[0].url, /^https:\/\/pagescope\.example\/r\/[A-Za-z0-9_-]{22}$/);
    assert.equal(lastMessage(nico)!.text, 'Hi Nico, see what is new');
    const link = await app.ctx.db
      .selectFrom('campaign_links')
      .selectAll()
      .where('campaign_id', '=', id)
      .where('contact_id', '=', rita.contactId)
      .where('url', '=', 'https://shop.example/p/SO-1')
      .executeTakeFirstOrThrow();
    assert.equal(socks.buttons[0].url, `https://pagescope.example/r/${link.token}`);

    const without = await sendCampaign({ ...reco(), name: 'For you, no fallback' });
    assert.equal((await recipientOf(without, nico)).reason, 'no_recommendations');
    assert.equal((await recipientOf(without, rita)).status, 'queued');
  });

  await t.test('a loyalty offer gives each person the coupon of their tier with a code of their own', async () => {
    const tiers = {
      window_days: 365,
      currency: 'EUR',
      tiers: [
        { name: 'gold', min_orders: 2, min_spend: 100 },
        { name: 'silver', min_orders: 1 },
      ],
    };
    const offer = {
      tiers: {
        gold: {
          title: 'Thank you {{contact.first_name|friend}}: 20% off',
          coupon_url: 'https://shop.example/',
          coupon_url_button_title: 'Shop now',
          code_prefix: 'GOLD',
        },
        silver: { title: '10% off your next order', code_prefix: 'SILVER' },
      },
    };
    const campaign = {
      name: 'Loyalty',
      kind: 'standard',
      filter: { field: 'tag', op: 'eq', value: 'loyal' },
      message: { loyalty_offer: offer },
    };
    const early = await call('POST', `/api/v1/pages/${pageId}/campaigns`, campaign);
    assert.equal(early.body.error.details.reason, 'no_loyalty_tiers');
    assert.equal(
      (await call('PUT', `/api/v1/pages/${pageId}/loyalty-tiers`, { ...tiers, currency: 'euro' })).status,
      400,
    );
    const set = await call('PUT', `/api/v1/pages/${pageId}/loyalty-tiers`, tiers);
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.deepEqual((await call('GET', `/api/v1/pages/${pageId}/loyalty-tiers`)).body.tiers, [
      { name: 'gold', min_orders: 2, min_spend: 100 },
      { name: 'silver', min_orders: 1, min_spend: 0 },
    ]);
    const typo = await call('POST', `/api/v1/pages/${pageId}/campaigns`, {
      ...campaign,
      message: { loyalty_offer: { tiers: { platinum: { title: 'Hi' } } } },
    });
    assert.equal(typo.body.error.details.reason, 'unknown_tier');

    const gina = await person('Gina', 'en_US', 'loyal');
    const sam = await person('Sam', 'en_US', 'loyal');
    const nora = await person('Nora', 'en_US', 'loyal');
    const order = async (p: Person, external: string, total: number) =>
      assert.ok(
        (
          await call('POST', `/api/v1/pages/${pageId}/orders`, {
            external_id: external,
            contact_id: p.contactId,
            status: 'paid',
            currency: 'EUR',
            total,
            items: [{ sku: 'BG-1', quantity: 1, price: total }],
            created_at: new Date(Date.now() - 10 * DAY).toISOString(),
          })
        ).status < 300,
      );
    await order(gina, 'G-1', 80);
    await order(gina, 'G-2', 70);
    await order(sam, 'S-1', 45);

    const id = await sendCampaign(campaign);
    const coupon = (p: Person) => ((lastMessage(p)!.attachments as Body[])[0]!.payload as Body) ?? {};
    const gold = coupon(gina);
    assert.equal(gold.template_type, 'coupon');
    assert.equal(gold.title, 'Thank you Gina: 20% off');
    assert.match(gold.coupon_code, /^GOLD-[0-9A-Z]{10}$/);
    assert.match(gold.coupon_url, /^https:\/\/pagescope\.example\/r\//);
    assert.equal(gold.code_prefix, undefined);
    assert.equal((await recipientOf(id, gina)).coupon_code, gold.coupon_code);
    const silver = coupon(sam);
    assert.match(silver.coupon_code, /^SILVER-[0-9A-Z]{10}$/);
    assert.equal((await recipientOf(id, sam)).coupon_code, silver.coupon_code);
    const noTier = await recipientOf(id, nora);
    assert.deepEqual([noTier.status, noTier.reason, noTier.coupon_code], ['skipped', 'no_loyalty_tier', null]);
    assert.equal(inbox(nora).length, 0);
  });

  await t.test(
    'a campaign button pressed twice is one click, and the automations see its payload as written',
    async () => {
      const paula = await person('Paula', 'en_US', 'menu');
      const rule = await call('POST', `/api/v1/pages/${pageId}/automations`, {
        name: 'menu',
        enabled: true,
        trigger: { type: 'postback', payloads: ['MENU'] },
        actions: [{ type: 'send', text: 'Here is our menu' }],
      });
      assert.equal(rule.status, 201, JSON.stringify(rule.body));
      const id = await sendCampaign({
        name: 'Menu',
        kind: 'standard',
        filter: { field: 'tag', op: 'eq', value: 'menu' },
        message: {
          attachment: {
            type: 'template',
            payload: {
              template_type: 'button',
              text: 'What would you like?',
              buttons: [{ type: 'postback', title: 'See the menu', payload: 'MENU' }],
            },
          },
          quick_replies: [{ content_type: 'text', title: 'Later', payload: 'LATER' }],
        },
      });
      const got = lastMessage(paula)!;
      const button = ((got.attachments as Body[])[0]!.payload as Body).buttons[0] as Body;
      assert.notEqual(button.payload, 'MENU', 'the payload carries the campaign');
      listening = true;
      await meta.emulator.user(paula.userId).postback(pageId, button.payload as string, 'See the menu');
      await meta.emulator.user(paula.userId).postback(pageId, button.payload as string, 'See the menu');
      const quick = (got.quick_replies as Body[])[0]!;
      await meta.emulator.user(paula.userId).quickReply(pageId, 'Later', quick.payload as string);
      await drain(app);
      const c = (await call('GET', `/api/v1/campaigns/${id}`)).body;
      assert.equal(c.stats.clicked, 1);
      assert.equal(c.variants[0].stats.clicked, 1);
      assert.ok((await recipientOf(id, paula)).clicked_at);
      await until(
        'the automation answered the button',
        async () => (inbox(paula).some((m) => m.text === 'Here is our menu') ? true : undefined),
        20_000,
        50,
      );
    },
  );
}

for (const dialect of testDialects()) {
  test(`personalised campaigns through the emulator [${dialect}]`, async (t) => run(dialect, t));
}
