import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/db.ts';
import { bearer, createTestApp, type TestApp } from '../support/app.ts';
import { seedContact, type SeededContact } from '../support/seed.ts';
import { routeModules } from '../../src/app/modules.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { createToken } from '../../src/modules/access/create-token.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';
import { createPrivacyRequest } from '../../src/modules/privacy/create-request.ts';
import { createUser } from '../../src/modules/users/create-user.ts';
import { createCannedResponse } from '../../src/modules/canned-responses/canned-responses.ts';
import { createLabel } from '../../src/modules/labels/labels.ts';
import { storeOrder } from '../../src/modules/orders/store-order.ts';
import { createSegment } from '../../src/modules/segments/segments.ts';
import { createAutomation } from '../../src/modules/automations/automations.ts';
import { createCampaign } from '../../src/modules/campaigns/campaigns.ts';
import { createSequence } from '../../src/modules/sequences/sequences.ts';
import { signInWithLink } from '../../src/modules/users/sign-in.ts';
import { createFaq } from '../../src/modules/assistant/faq.ts';
import { recordUnanswered } from '../../src/modules/assistant/unanswered.ts';
import { insertTemplate } from '../../src/modules/templates/templates.repository.ts';

// Every path parameter any route may take, mapped to Page B's object of that kind. A new route whose parameter is
// missing here fails this test until a fixture is added: no route escapes the Page-scope check.
function fixtures(
  b: SeededContact,
  requestId: string,
  tokenId: string,
  more: {
    cannedResponseId: string;
    userId: string;
    labelId: string;
    orderId: string;
    segmentId: string;
    automationId: string;
    faqId: string;
    questionId: string;
    templateId: string;
    campaignId: string;
    sequenceId: string;
  },
): Record<string, string> {
  return {
    pageId: PAGE_B,
    contactId: b.contactId,
    psid: b.psid,
    deliveryId: b.deliveryId,
    messageId: b.messageId,
    requestId,
    tokenId,
    conversationId: b.conversationId,
    tag: 'vip',
    ...more,
  };
}

const VIP_FILTER = { field: 'tag', op: 'eq', value: 'vip' };

// A valid body for each route that takes one, so the answer is about access and not about a malformed request.
function bodies(a: SeededContact, b: SeededContact): Record<string, unknown> {
  return {
    'POST /api/v1/contacts/:contactId/merge': { into: a.contactId },
    'POST /api/v1/contacts/:contactId/messages': { text: 'hello', author: 'agent' },
    'POST /api/v1/privacy/requests/:requestId/resolve': { contact_ids: [b.contactId] },
    'POST /api/v1/privacy/requests': { type: 'access', contact_id: b.contactId },
    'PATCH /api/v1/conversations/:conversationId': { status: 'resolved' },
    'POST /api/v1/conversations/:conversationId/notes': { text: 'a note' },
    'POST /api/v1/conversations/:conversationId/thread-control': { action: 'take' },
    'POST /api/v1/pages/:pageId/canned-responses': { shortcut: 'hello', text: 'Hello!' },
    'PATCH /api/v1/canned-responses/:cannedResponseId': { text: 'Hello again!' },
    'PATCH /api/v1/users/:userId': { role: 'analyst' },
    'POST /api/v1/pages/:pageId/labels': { name: 'VIP' },
    'PATCH /api/v1/labels/:labelId': { name: 'Renamed' },
    'PUT /api/v1/pages/:pageId/consent-keywords': { opt_out: ['HALT'], opt_in: [] },
    'POST /api/v1/pages/:pageId/products': { sku: 'S-1', name: 'Tee', category: 'apparel', price: 10, currency: 'EUR' },
    'POST /api/v1/pages/:pageId/orders': ORDER_B,
    'POST /api/v1/pages/:pageId/orders/status-check': { external_id: 'B-1', email: 'bob@example.com' },
    'POST /api/v1/orders/:orderId/link': { contact_id: a.contactId },
    'POST /api/v1/pages/:pageId/attribute-definitions': { key: 'tier', type: 'text' },
    'POST /api/v1/contacts/:contactId/tags': { tags: ['vip'] },
    'PATCH /api/v1/contacts/:contactId/attributes': { tier: 'gold' },
    'POST /api/v1/pages/:pageId/segments': { name: 'VIP', filter: VIP_FILTER },
    'POST /api/v1/pages/:pageId/segments/preview': { filter: VIP_FILTER },
    'PATCH /api/v1/segments/:segmentId': { name: 'Renamed', filter: VIP_FILTER },
    'POST /api/v1/pages/:pageId/automations': AUTOMATION,
    'PATCH /api/v1/automations/:automationId': { enabled: false },
    'PUT /api/v1/pages/:pageId/business-hours': { time_zone: 'Europe/Paris', hours: { mon: [['09:00', '18:00']] } },
    'POST /api/v1/pages/:pageId/faq': { question: 'Opening hours?', answer: { text: '9 to 5' } },
    'PATCH /api/v1/faq/:faqId': { status: 'approved' },
    'PATCH /api/v1/pages/:pageId/assistant': { threshold: 0.5 },
    'POST /api/v1/pages/:pageId/assistant/try': { text: 'when are you open?' },
    'POST /api/v1/assistant/unanswered/:questionId/faq': { answer: { text: 'Yes' } },
    'POST /api/v1/assistant/unanswered/:questionId/phrase': { faq_id: 'faq_unknown' },
    'POST /api/v1/pages/:pageId/message-templates': {
      name: 'order_update',
      language: 'en_US',
      components: [{ type: 'BODY', text: 'Your order has shipped.' }],
    },
    'PUT /api/v1/pages/:pageId/messenger-profile': { get_started: { payload: 'GET_STARTED' } },
    'PUT /api/v1/pages/:pageId/marketing-messages': { enabled: false },
    'PUT /api/v1/pages/:pageId/loyalty-tiers': {
      window_days: 365,
      currency: 'EUR',
      tiers: [{ name: 'gold', min_orders: 3, min_spend: 100 }],
    },
    'POST /api/v1/pages/:pageId/sequences': { name: 'Welcome', steps: [{ message: { text: 'Hi' } }] },
    'POST /api/v1/sequences/:sequenceId/subscribers': { contact_id: b.contactId },
    'PATCH /api/v1/sequences/:sequenceId': { enabled: false },
    'POST /api/v1/pages/:pageId/campaigns': {
      name: 'Sale',
      kind: 'standard',
      filter: VIP_FILTER,
      message: { text: 'Hi {{contact.first_name|there}}' },
    },
    'POST /api/v1/pages/:pageId/campaigns/preview': {
      kind: 'standard',
      filter: VIP_FILTER,
      message: { text: 'Hi {{contact.first_name|there}}' },
      contact_id: b.contactId,
    },
    'PATCH /api/v1/campaigns/:campaignId': { name: 'Renamed' },
  };
}

const AUTOMATION = {
  name: 'hours',
  trigger: { type: 'keyword', match: 'contains', keywords: ['hours'] },
  actions: [{ type: 'send', text: 'We open at 9.' }],
};

const ORDER_B = {
  external_id: 'B-1',
  email: 'bob@example.com',
  status: 'paid',
  currency: 'EUR',
  total: 10,
  items: [{ sku: 'S-1', quantity: 1, price: 10 }],
  created_at: '2026-11-20T10:00:00Z',
};

// Answers that never end (a live stream) are kept out of the sweeps; test/inbox/inbox-http.test.ts scopes them.
const STREAMS = ['/api/v1/events/stream'];
function swept(url: string): boolean {
  return !STREAMS.includes(url);
}
const PAGE_A = '1100000000000001';
const PAGE_B = '2200000000000002';

for (const dialect of testDialects()) {
  test(`every API route keeps a Page-A token out of Page B [${dialect}]`, async (t) => {
    let app!: TestApp;
    let tokenA = '';
    let a!: SeededContact;
    let b!: SeededContact;
    let requestB = '';
    let tokenB = '';
    let moreB = {
      cannedResponseId: '',
      userId: '',
      labelId: '',
      orderId: '',
      segmentId: '',
      automationId: '',
      faqId: '',
      questionId: '',
      templateId: '',
      campaignId: '',
      sequenceId: '',
    };
    let sessionA: Record<string, string> = {};
    before(async () => {
      app = await createTestApp(dialect, { routes: routeModules() });
      await registerPage(app.ctx, cliActor, { id: PAGE_A, name: 'A', access_token: 'EAA-token-page-a' });
      await registerPage(app.ctx, cliActor, { id: PAGE_B, name: 'B', access_token: 'EAA-token-page-b' });
      a = await seedContact(app.ctx, PAGE_A, { psid: '1000000000000001', name: 'Ann A', text: 'hello from A' });
      b = await seedContact(app.ctx, PAGE_B, { psid: '2000000000000002', name: 'Bob B', text: 'hello from B' });
      requestB = (await createPrivacyRequest(app.ctx, cliActor, { type: 'access', contact_id: b.contactId })).id;
      tokenA = (await createToken(app.ctx, cliActor, { name: 'owner of A', role: 'owner', pageIds: [PAGE_A] })).token;
      tokenB = (await createToken(app.ctx, cliActor, { name: 'agent of B', role: 'agent', pageIds: [PAGE_B] })).id;
      moreB = {
        cannedResponseId: (
          await createCannedResponse(app.ctx, cliActor, PAGE_B, { shortcut: 'thanks', text: 'Thanks!' })
        ).id,
        userId: (
          await createUser(app.ctx, cliActor, { email: 'agent-b@example.com', role: 'agent', pageIds: [PAGE_B] })
        ).user.id,
        labelId: (await createLabel(app.ctx, cliActor, PAGE_B, { name: 'Refund' })).id,
        orderId: (await storeOrder(app.ctx, cliActor, PAGE_B, { ...ORDER_B, contact_id: b.contactId })).order.id,
        segmentId: (await createSegment(app.ctx, cliActor, PAGE_B, { name: 'VIP', filter: VIP_FILTER })).id,
        automationId: (await createAutomation(app.ctx, cliActor, PAGE_B, AUTOMATION)).id,
        faqId: (await createFaq(app.ctx, cliActor, PAGE_B, { question: 'Hours?', answer: { text: '9 to 5' } })).id,
        questionId: await app.ctx.db.transaction().execute(async (trx) => {
          await recordUnanswered(trx, app.ctx, { pageId: PAGE_B, contactId: b.contactId, text: 'gift cards?', at: 1 });
          return (await trx.selectFrom('assistant_unanswered').select('id').executeTakeFirstOrThrow()).id;
        }),
        templateId: 'mt_page_b_template',
        campaignId: (
          await createCampaign(app.ctx, cliActor, PAGE_B, {
            name: 'Sale',
            kind: 'standard',
            filter: VIP_FILTER,
            message: { text: 'Hi {{contact.first_name|there}}' },
          })
        ).id,
        sequenceId: (
          await createSequence(app.ctx, cliActor, PAGE_B, { name: 'Welcome', steps: [{ message: { text: 'Hi' } }] })
        ).id,
      };
      // Page B's utility template as the templates module stores it (no Meta here to submit it to).
      await insertTemplate(app.ctx.db, {
        id: moreB.templateId,
        page_id: PAGE_B,
        name: 'order_update',
        language: 'en_US',
        category: 'UTILITY',
        components: JSON.stringify([{ type: 'BODY', text: 'Your order has shipped.' }]),
        status: 'approved',
        rejection_reason: null,
        meta_id: '1000000000000099',
        attempts: 0,
        next_check_at: null,
        created_by: null,
        created_at: 0,
        updated_at: 0,
      });
      // A person signed in as an owner of Page A: the cookie and its CSRF token, as a browser sends them.
      const person = await createUser(app.ctx, cliActor, {
        email: 'owner-a@example.com',
        role: 'owner',
        pageIds: [PAGE_A],
      });
      const signed = await signInWithLink(app.ctx, new URL(person.login_url).pathname.split('/').pop()!, {
        source: '127.0.0.9',
        requestId: null,
      });
      sessionA = { cookie: `pagescope_session=${signed.session.token}`, 'x-csrf-token': signed.session.csrfToken };
    });
    after(async () => app.close());

    await t.test('every /api/v1 route but the OpenAPI document and sign-in requires a token or a session', () => {
      const PUBLIC = ['/api/v1/openapi.json', '/api/v1/auth/login'];
      const open = app.server.routeTable.filter(
        (r) => r.url.startsWith('/api/v1/') && !PUBLIC.includes(r.url) && r.method !== 'HEAD' && r.auth !== 'token',
      );
      assert.deepEqual(open, []);
    });

    await t.test(
      'a route naming a Page-B object, in its path or its body, answers 404, exactly as for a missing one',
      async () => {
        const fx = fixtures(b, requestB, tokenB, moreB);
        const body = bodies(a, b);
        const routes = app.server.routeTable.filter(
          (r) =>
            r.auth === 'token' &&
            r.method !== 'HEAD' &&
            (r.url.includes(':') || body[`${r.method} ${r.url}`] !== undefined),
        );
        assert.ok(routes.length >= 1);
        for (const r of routes) {
          const params = [...r.url.matchAll(/:(\w+)/g)].map((m) => m[1]!);
          const missing = params.filter((p) => fx[p] === undefined);
          assert.deepEqual(
            missing,
            [],
            `${r.method} ${r.url}: add a Page-B fixture for :${missing.join(', :')} in route-scope.test.ts`,
          );
          const url = r.url.replace(/:(\w+)/g, (_m, p: string) => encodeURIComponent(fx[p]!));
          const res = await app.server.inject({
            method: r.method as 'GET',
            url,
            headers: bearer(tokenA),
            payload: r.method === 'GET' || r.method === 'DELETE' ? undefined : (body[`${r.method} ${r.url}`] ?? {}),
          });
          assert.equal(res.statusCode, 404, `${r.method} ${r.url} answered ${res.statusCode}: ${res.body}`);
          assert.equal(res.json().error.code, 'not_found');
        }
      },
    );

    await t.test('a route without parameters shows nothing of Page B', async () => {
      const fx = fixtures(b, requestB, tokenB, moreB);
      const routes = app.server.routeTable.filter(
        (r) => r.auth === 'token' && !r.url.includes(':') && r.method === 'GET' && swept(r.url),
      );
      for (const r of routes) {
        const res = await app.server.inject({ method: 'GET', url: r.url, headers: bearer(tokenA) });
        for (const [name, value] of Object.entries(fx)) {
          assert.equal(res.body.includes(value), false, `${r.url} shows Page B's ${name}`);
        }
      }
    });

    await t.test('a Page-A person signed in with a session is kept out of Page B the same way', async () => {
      const fx = fixtures(b, requestB, tokenB, moreB);
      const body = bodies(a, b);
      const routes = app.server.routeTable.filter(
        (r) =>
          r.auth === 'token' &&
          r.method !== 'HEAD' &&
          (r.url.includes(':') || body[`${r.method} ${r.url}`] !== undefined),
      );
      for (const r of routes) {
        const url = r.url.replace(/:(\w+)/g, (_m, p: string) => encodeURIComponent(fx[p]!));
        const res = await app.server.inject({
          method: r.method as 'GET',
          url,
          headers: sessionA,
          payload: r.method === 'GET' || r.method === 'DELETE' ? undefined : (body[`${r.method} ${r.url}`] ?? {}),
        });
        assert.equal(res.statusCode, 404, `${r.method} ${r.url} answered ${res.statusCode}: ${res.body}`);
      }
      for (const r of app.server.routeTable.filter(
        (x) => x.auth === 'token' && !x.url.includes(':') && x.method === 'GET' && swept(x.url),
      )) {
        const res = await app.server.inject({ method: 'GET', url: r.url, headers: sessionA });
        for (const [name, value] of Object.entries(fx))
          assert.equal(res.body.includes(value), false, `${r.url} shows Page B's ${name}`);
      }
    });
  });
}
