import { test, before, after } from 'node:test';
import { authFailures } from '../../src/modules/access/auth-failures.ts';
import assert from 'node:assert/strict';
import { testDialects } from '../support/db.ts';
import { bearer, createTestApp, type TestApp } from '../support/app.ts';
import { metaCallbackRoutes } from '../../src/http/routes/meta-callbacks.ts';
import { privacyRoutes } from '../../src/http/routes/privacy.ts';
import { createSignedRequest } from '../../src/platform/signed-request.ts';
import type { GraphClient, IdMatch } from '../../src/platform/graph-client.ts';
import { processNextCallback, settleCallbacks } from '../../src/modules/privacy/process-meta-callback.ts';
import { runDueRequests } from '../../src/modules/privacy/run-requests.ts';
import { seedContact, type SeededContact } from './seed.ts';

const SECRET = 'test-app-secret';
const form = (signed: string) => `signed_request=${encodeURIComponent(signed)}`;

/** A Graph client whose ids_for_pages answers from a table; nothing else is called. */
function fakeGraph(answers: Map<string, IdMatch[]>, calls: string[]): GraphClient {
  return {
    idsForPages: async (token: string, asid: string) => {
      calls.push(token);
      return answers.get(asid) ?? [];
    },
  } as unknown as GraphClient;
}

for (const dialect of testDialects()) {
  test(`Meta's data deletion and deauthorize callbacks [${dialect}]`, async (t) => {
    let app!: TestApp;
    let person!: SeededContact;
    const calls: string[] = [];
    const answers = new Map<string, IdMatch[]>();
    before(async () => {
      app = await createTestApp(dialect, {
        routes: [privacyRoutes, metaCallbackRoutes],
        env: { META_APP_ID: '555', PAGESCOPE_PUBLIC_URL: 'https://shop.example', PAGESCOPE_PRIVACY_ID_MATCHING: 'on' },
      });
      person = await seedContact(app.ctx, { contactLayer: true });
      answers.set('424242', [
        { id: person.psid, scope: { id: person.pageId } },
        { id: '999', scope: { id: '8888' } },
      ]);
    });
    after(async () => {
      await app.close();
    });
    const now = () => Math.floor(app.clock.now() / 1000);
    const post = (url: string, signed: string) =>
      app.server.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: form(signed),
      });
    const graph = fakeGraph(answers, calls);

    let code = '';
    await t.test('a valid signed request answers a status URL under the public URL and a URL-safe code', async () => {
      const res = await post(
        '/meta/data-deletion',
        createSignedRequest({ user_id: '424242', algorithm: 'HMAC-SHA256', issued_at: now() }, SECRET),
      );
      assert.equal(res.statusCode, 200);
      code = res.json().confirmation_code;
      assert.match(code, /^[A-Za-z0-9]{16,}$/);
      assert.equal(res.json().url, `https://shop.example/meta/data-deletion/${code}`);
    });

    await t.test('the same signed request delivered twice is one request with one code', async () => {
      const signed = createSignedRequest({ user_id: '31337', algorithm: 'HMAC-SHA256', issued_at: now() }, SECRET);
      const a = await post('/meta/data-deletion', signed);
      const b = await post('/meta/data-deletion', signed);
      assert.equal(a.json().confirmation_code, b.json().confirmation_code);
    });

    const refusals: [string, () => string][] = [
      [
        'a bad signature',
        () => createSignedRequest({ user_id: '1', algorithm: 'HMAC-SHA256', issued_at: now() }, 'another-secret'),
      ],
      [
        'a wrong algorithm',
        () => createSignedRequest({ user_id: '1', algorithm: 'HMAC-SHA1', issued_at: now() }, SECRET),
      ],
      [
        'a stale request',
        () => createSignedRequest({ user_id: '1', algorithm: 'HMAC-SHA256', issued_at: now() - 2 * 86400 }, SECRET),
      ],
      [
        'an expired request',
        () =>
          createSignedRequest(
            { user_id: '1', algorithm: 'HMAC-SHA256', issued_at: now() - 7200, expires: now() - 3600 },
            SECRET,
          ),
      ],
      ['garbage', () => 'not.a-signed-request'],
    ];
    for (const [what, make] of refusals) {
      await t.test(`${what} is refused with 400 invalid_signed_request on both callbacks`, async () => {
        for (const url of ['/meta/data-deletion', '/meta/deauthorize']) {
          const res = await post(url, make());
          assert.equal(res.statusCode, 400);
          assert.equal(res.json().error.code, 'invalid_signed_request');
        }
      });
    }

    await t.test('refusals are counted per source and minute and store no callback', async () => {
      await authFailures(app.ctx).flush();
      const rejected = await app.ctx.db
        .selectFrom('auth_failures')
        .selectAll()
        .where('kind', 'in', ['meta_data_deletion', 'meta_deauthorize'])
        .execute();
      assert.equal(
        rejected.reduce((n, r) => n + r.failures, 0),
        refusals.length * 2,
      );
      assert.equal((await app.ctx.db.selectFrom('privacy_callbacks').select('id').execute()).length, 2);
    });

    await t.test('the status page is plain-language HTML without personal data', async () => {
      const res = await app.server.inject({ method: 'GET', url: `/meta/data-deletion/${code}` });
      assert.equal(res.statusCode, 200);
      assert.match(res.headers['content-type'] as string, /text\/html/);
      assert.match(res.body, /Request received/);
      assert.equal(res.body.includes('424242') || res.body.includes(person.psid), false);
      assert.equal(
        (
          await app.ctx.db
            .selectFrom('privacy_callbacks')
            .select('user_enc')
            .where('confirmation_code', '=', code)
            .executeTakeFirstOrThrow()
        ).user_enc?.includes('424242'),
        false,
      );
    });

    await t.test('an unknown code is a 404 page', async () => {
      const res = await app.server.inject({ method: 'GET', url: '/meta/data-deletion/ZZZZZZZZZZZZZZZZZZZZ' });
      assert.equal(res.statusCode, 404);
      assert.match(res.body, /not found/i);
    });

    await t.test(
      'ids_for_pages maps the app-scoped id to the PSIDs of registered Pages, and the contact is erased',
      async () => {
        while ((await processNextCallback(app.ctx, graph)) > 0);
        assert.deepEqual(calls, ['555|test-app-secret', '555|test-app-secret']);
        const requests = await app.ctx.db
          .selectFrom('privacy_requests')
          .selectAll()
          .where('source', '=', 'meta_data_deletion')
          .execute();
        assert.deepEqual(
          requests.map((r) => r.contact_id),
          [person.contactId],
        );
        await runDueRequests(app.ctx);
        await settleCallbacks(app.ctx);
        assert.equal(
          await app.ctx.db.selectFrom('contacts').select('id').where('id', '=', person.contactId).executeTakeFirst(),
          undefined,
        );
        const page = await app.server.inject({ method: 'GET', url: `/meta/data-deletion/${code}` });
        assert.match(page.body, /has been deleted/);
      },
    );

    await t.test('an id that maps to nobody we know completes at once, saying nothing is held', async () => {
      const cb = await app.ctx.db
        .selectFrom('privacy_callbacks')
        .selectAll()
        .where('confirmation_code', '<>', code)
        .executeTakeFirstOrThrow();
      assert.equal(cb.status, 'completed');
      assert.equal(cb.user_enc, null, 'the app-scoped id is dropped once settled');
      const page = await app.server.inject({ method: 'GET', url: `/meta/data-deletion/${cb.confirmation_code}` });
      assert.match(page.body, /hold no data about you/);
    });

    await t.test('without ID matching, a request waits for review and an operator settles it', async () => {
      const other = await seedContact(app.ctx, { contactLayer: true });
      const res = await post(
        '/meta/data-deletion',
        createSignedRequest({ user_id: '777', algorithm: 'HMAC-SHA256', issued_at: now() }, SECRET),
      );
      await processNextCallback(app.ctx, null);
      const page = await app.server.inject({
        method: 'GET',
        url: `/meta/data-deletion/${res.json().confirmation_code}`,
      });
      assert.match(page.body, /Being reviewed/);
      const review = await app.ctx.db
        .selectFrom('privacy_requests')
        .selectAll()
        .where('review_reason', 'is not', null)
        .executeTakeFirstOrThrow();
      const asid = await app.server.inject({
        method: 'GET',
        url: `/api/v1/privacy/requests/${review.id}/app-scoped-id`,
        headers: bearer(app.ownerToken),
      });
      assert.equal(asid.json().app_scoped_user_id, '777');
      const resolved = await app.server.inject({
        method: 'POST',
        url: `/api/v1/privacy/requests/${review.id}/resolve`,
        headers: bearer(app.ownerToken),
        payload: { contact_ids: [other.contactId] },
      });
      assert.equal(resolved.statusCode, 200);
      assert.equal(resolved.json().contact_id, other.contactId);
      await runDueRequests(app.ctx);
      await settleCallbacks(app.ctx);
      const done = await app.server.inject({
        method: 'GET',
        url: `/meta/data-deletion/${res.json().confirmation_code}`,
      });
      assert.match(done.body, /Deletion complete/);
    });

    await t.test('a deauthorize withdraws marketing consent of the mapped contact, in the ledger', async () => {
      const other = await seedContact(app.ctx, { contactLayer: true });
      answers.set('888', [{ id: other.psid, scope: { id: other.pageId } }]);
      const res = await post(
        '/meta/deauthorize',
        createSignedRequest({ user_id: '888', algorithm: 'HMAC-SHA256', issued_at: now() }, SECRET),
      );
      assert.equal(res.statusCode, 200);
      while ((await processNextCallback(app.ctx, graph)) > 0);
      const contact = await app.ctx.db
        .selectFrom('contacts')
        .selectAll()
        .where('id', '=', other.contactId)
        .executeTakeFirstOrThrow();
      assert.equal(contact.consent_marketing, 'withdrawn');
      const record = await app.ctx.db
        .selectFrom('consent_records')
        .selectAll()
        .where('contact_id', '=', other.contactId)
        .where('source', '=', 'meta_deauthorize')
        .executeTakeFirstOrThrow();
      assert.equal(record.action, 'withdraw');
      const api = await app.server.inject({
        method: 'GET',
        url: `/api/v1/privacy/consent/${other.contactId}`,
        headers: bearer(app.ownerToken),
      });
      assert.equal(api.json().state.marketing, 'withdrawn');
      assert.deepEqual(
        api.json().records.map((r: { source: string; action: string }) => `${r.source}:${r.action}`),
        ['optin:grant', 'meta_deauthorize:withdraw'],
      );
    });

    await t.test('no app-scoped id, PSID or signed request reaches the logs', async () => {
      const logs = app.logs.text();
      assert.ok(logs.length > 0);
      for (const secret of ['424242', '31337', '"777"', person.psid, 'signed_request='])
        assert.equal(logs.includes(secret), false, secret);
    });

    await t.test('the form parser is scoped to the callbacks: the API still refuses form bodies', async () => {
      const res = await app.server.inject({
        method: 'POST',
        url: '/api/v1/privacy/requests',
        headers: { ...bearer(app.ownerToken), 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'type=access&contact_id=x',
      });
      assert.equal(res.statusCode, 415);
    });
  });
}
